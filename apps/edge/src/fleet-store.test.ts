import { beforeAll, describe, expect, it } from 'vitest';
import { createFleetStore } from './fleet-store.ts';
import { connectRedis, type FleetConnection } from './redis-connection.ts';
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

describeStatusStore('fleet (in-process tier over Redis)', async (clock) => {
  const store = createFleetStore({
    redis,
    now: () => clock.now(),
    prefix: `fleet-suite-${run++}:`,
  });
  await store.listening;
  return store;
});

/** The connection, counting the commands sent through it. */
function counted(connection: FleetConnection) {
  const counter = { commands: 0 };
  const wrapped: FleetConnection = {
    get ready() {
      return connection.ready;
    },
    commands: {
      sendCommand: (args) => {
        counter.commands++;
        return connection.commands.sendCommand(args);
      },
    },
    subscribe: (channel, listener) => connection.subscribe(channel, listener),
    onReadyChange: (listener) => connection.onReadyChange(listener),
    close: () => connection.close(),
  };
  return { connection: wrapped, counter };
}

const entry = (body: string, overrides: Partial<StoredStatus> = {}): StoredStatus => ({
  body,
  etag: `"${body.length}"`,
  status: 200,
  storedAt: Date.now(),
  freshUntil: Date.now() + 60_000,
  staleUntil: Date.now() + 120_000,
  terminal: false,
  ...overrides,
});

describe('createFleetStore', () => {
  it('answers a read of an entry fresh on this instance without a Redis round trip', async () => {
    const { connection, counter } = counted(redis);
    const store = createFleetStore({ redis: connection, prefix: 'tier-a:' });
    await store.listening;
    await store.set('k', entry('{"status":"processing"}'));
    const before = counter.commands;
    for (let read = 0; read < 100; read++) await store.get('k');
    expect(counter.commands).toBe(before);
  });

  it('peeks only a fresh entry of its own tier: no Redis command, newer news seen once announced', async () => {
    const a = createFleetStore({ redis, prefix: 'tier-p:', origin: 'a' });
    const { connection, counter } = counted(redis);
    const b = createFleetStore({ redis: connection, prefix: 'tier-p:', origin: 'b' });
    await Promise.all([a.listening, b.listening]);
    await a.set('k', entry('{"status":"processing"}'));
    // Only in Redis for b: its peek leaves it to `get`, which brings it into b's tier.
    expect(b.peek('k')).toBeUndefined();
    await b.get('k');
    const before = counter.commands;
    expect(b.peek('k')?.body).toBe('{"status":"processing"}');
    expect(counter.commands).toBe(before);
    await a.set('k', entry('{"status":"completed"}', { terminal: true }));
    await expect.poll(() => b.peek('k')?.body).toBe('{"status":"completed"}');
    await a.set('old', entry('{"status":"pending"}', { freshUntil: Date.now() - 1 }));
    await b.get('old');
    // Stale here: a peek never answers it (Redis may know better).
    expect(b.peek('old')).toBeUndefined();
  });

  it('reads from Redis what another instance stored, then keeps it in its own tier', async () => {
    const a = createFleetStore({ redis, prefix: 'tier-b:', origin: 'a' });
    const { connection, counter } = counted(redis);
    const b = createFleetStore({ redis: connection, prefix: 'tier-b:', origin: 'b' });
    await Promise.all([a.listening, b.listening]);
    const written = entry('{"status":"processing","n":1}', { freshUntil: Date.now() - 1 });
    await a.set('stale-here', written);
    expect(await b.get('stale-here')).toEqual(written);
    expect(counter.commands).toBe(1);
  });

  it('updates the other instances when one learns a newer status (pub/sub)', async () => {
    const a = createFleetStore({ redis, prefix: 'tier-c:', origin: 'a' });
    const b = createFleetStore({ redis, prefix: 'tier-c:', origin: 'b' });
    await Promise.all([a.listening, b.listening]);
    await a.set('k', entry('{"status":"processing"}'));
    expect((await b.get('k'))?.body).toBe('{"status":"processing"}');
    const done = entry('{"status":"completed"}', { terminal: true });
    await a.set('k', done);
    await expect.poll(async () => (await b.get('k'))?.body).toBe(done.body);
    await a.delete('k');
    await expect.poll(async () => b.get('k')).toBeUndefined();
  });

  it('leaves alone announced keys it does not hold, and reads them from Redis when asked', async () => {
    const a = createFleetStore({ redis, prefix: 'tier-f:', origin: 'a' });
    const { connection, counter } = counted(redis);
    const b = createFleetStore({ redis: connection, prefix: 'tier-f:', origin: 'b' });
    await Promise.all([a.listening, b.listening]);
    await a.set('held', entry('{"status":"pending"}'));
    await b.get('held');
    await a.set('held', entry('{"status":"processing"}'));
    await a.set('not-held', entry('{"status":"processing","other":true}'));
    await expect.poll(async () => (await b.get('held'))?.body).toBe('{"status":"processing"}');
    const before = counter.commands;
    expect((await b.get('not-held'))?.body).toBe('{"status":"processing","other":true}');
    expect(counter.commands).toBe(before + 1);
  });

  it('keeps the terminal status of another instance over an older answer of its own', async () => {
    const a = createFleetStore({ redis, prefix: 'tier-d:', origin: 'a' });
    const b = createFleetStore({ redis, prefix: 'tier-d:', origin: 'b' });
    const done = entry('{"status":"completed"}', { terminal: true });
    await a.set('k', done);
    expect(await b.set('k', entry('{"status":"processing"}'))).toBe(false);
    expect(await b.get('k')).toEqual(done);
  });

  it('runs on its in-process tier while Redis is away, and joins the fleet again when it is back', async () => {
    const own = await startRedisServer();
    const connection = await connectRedis({ url: own.url, log: () => {}, maxBackoffMs: 100 });
    try {
      const store = createFleetStore({ redis: connection, prefix: 'tier-e:' });
      await store.listening;
      await own.stop();
      await expect.poll(() => connection.ready).toBe(false);
      const local = entry('{"status":"processing"}');
      expect(await store.set('k', local)).toBe(true);
      expect(await store.get('k')).toEqual(local);
      await store.delete('k');

      await own.restart();
      await expect.poll(() => connection.ready, { timeout: 5_000 }).toBe(true);
      const other = createFleetStore({ redis: connection, prefix: 'tier-e:', origin: 'other' });
      await other.set('k2', entry('{"status":"pending"}', { freshUntil: Date.now() - 1 }));
      expect((await store.get('k2'))?.body).toBe('{"status":"pending"}');
    } finally {
      await connection.close();
      await own.stop();
    }
  });
});
