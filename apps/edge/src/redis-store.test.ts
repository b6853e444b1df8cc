import { beforeAll, describe, expect, it } from 'vitest';
import { connectRedis, type FleetConnection } from './redis-connection.ts';
import { createRedisStore, parseStoreChange } from './redis-store.ts';
import type { StoredStatus } from './status-store.ts';
import { startRedisServer } from './test-support/redis-server.ts';
import { describeStatusStore } from './test-support/status-store-conformance.ts';
import { useRedisServer } from './test-support/use-redis-server.ts';

const redisServer = useRedisServer();
let redis: FleetConnection;
let run = 0;

beforeAll(async () => {
  redis = await redisServer.connect();
});

// Each store gets a prefix of its own: the suite's stores share one server but not their keys.
describeStatusStore('redis', (clock) =>
  createRedisStore({ redis: redis.commands, now: () => clock.now(), prefix: `suite-${run++}:` }),
);

const entry = (overrides: Partial<StoredStatus> = {}): StoredStatus => ({
  body: '{"status":"processing"}',
  etag: '"p"',
  status: 200,
  storedAt: Date.now(),
  freshUntil: Date.now() + 1_000,
  staleUntil: Date.now() + 60_000,
  terminal: false,
  ...overrides,
});

describe('createRedisStore', () => {
  it('stores each entry under the prefix and the cache key only, expiring at staleUntil', async () => {
    const store = createRedisStore({ redis: redis.commands, prefix: 'pfx-a:' });
    const staleUntil = Date.now() + 30_000;
    await store.set('tenantdigest:document:1', entry({ staleUntil }));
    expect(await redis.commands.sendCommand(['KEYS', 'pfx-a:*'])).toEqual([
      'pfx-a:status:tenantdigest:document:1',
    ]);
    const ttl = Number(
      await redis.commands.sendCommand(['PTTL', 'pfx-a:status:tenantdigest:document:1']),
    );
    expect(ttl).toBeGreaterThan(28_000);
    expect(ttl).toBeLessThanOrEqual(30_000);
  });

  it('lets Redis drop an entry by itself once past staleUntil', async () => {
    const store = createRedisStore({ redis: redis.commands, prefix: 'pfx-b:' });
    await store.set('k', entry({ staleUntil: Date.now() + 20 }));
    // Real Redis expiry: a short wait is the behaviour under test (Redis's own clock).
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(await redis.commands.sendCommand(['EXISTS', 'pfx-b:status:k'])).toBe(0);
  });

  it('keeps an entry with no staleUntil bound, and Infinity survives the round trip', async () => {
    const store = createRedisStore({ redis: redis.commands, prefix: 'pfx-c:' });
    const forever = entry({ staleUntil: Number.POSITIVE_INFINITY, terminal: true });
    expect(await store.set('k', forever)).toBe(true);
    expect(await store.get('k')).toEqual(forever);
    expect(await store.set('k', entry())).toBe(false);
  });

  it('keeps the terminal status whatever the order of racing writes from many clients', async () => {
    const stores = await Promise.all(
      [0, 1, 2, 3].map(async () => createRedisStore({ redis: redis.commands, prefix: 'race:' })),
    );
    const done = entry({ body: '{"status":"completed"}', etag: '"c"', terminal: true });
    const writes = [];
    for (let round = 0; round < 50; round++) {
      for (const [index, store] of stores.entries()) {
        writes.push(store.set('k', index === 2 && round === 10 ? done : entry()));
      }
    }
    await Promise.all(writes);
    expect(await stores[0]?.get('k')).toEqual(done);
  });

  it('announces each write and delete in the same step, with the writer as origin', async () => {
    const messages: string[] = [];
    await redis.subscribe('changes-test', (message) => messages.push(message));
    const store = createRedisStore({
      redis: redis.commands,
      prefix: 'pfx-d:',
      announce: { channel: 'changes-test', origin: 'instance-1' },
    });
    const written = entry({ staleUntil: Number.POSITIVE_INFINITY });
    await store.set('k', written);
    await store.delete('k');
    await expect.poll(() => messages.length).toBe(2);
    expect(messages.map(parseStoreChange)).toEqual([
      { origin: 'instance-1', key: 'k', entry: written },
      { origin: 'instance-1', key: 'k', entry: null },
    ]);
    expect(parseStoreChange('not json')).toBeUndefined();
    expect(parseStoreChange('[1,2,3]')).toBeUndefined();
  });

  it('reads a malformed hash as a miss, never as an error', async () => {
    const store = createRedisStore({ redis: redis.commands, prefix: 'pfx-e:' });
    await redis.commands.sendCommand(['HSET', 'pfx-e:status:k', 'b', 'x']);
    expect(await store.get('k')).toBeUndefined();
  });

  it('rejects while Redis is away, and works again once it is back', async () => {
    const own = await startRedisServer();
    const connection = await connectRedis({ url: own.url, log: () => {}, maxBackoffMs: 100 });
    try {
      const store = createRedisStore({ redis: connection.commands });
      await store.set('k', entry());
      await own.stop();
      await expect.poll(() => connection.ready).toBe(false);
      await expect(store.get('k')).rejects.toThrow();
      await own.restart();
      await expect.poll(() => connection.ready, { timeout: 5_000 }).toBe(true);
      expect(await store.get('k')).toBeUndefined();
      expect(await store.set('k', entry())).toBe(true);
    } finally {
      await connection.close();
      await own.stop();
    }
  });
});
