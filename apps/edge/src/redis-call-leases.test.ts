import { systemClock } from '@neurostatus/poller';
import { describe, expect, it } from 'vitest';
import { createFleetStore } from './fleet-store.ts';
import { createRedisCallLeases } from './redis-call-leases.ts';
import { connectRedis } from './redis-connection.ts';
import type { UpstreamAnswer } from './status-cache.ts';
import { startRedisServer } from './test-support/redis-server.ts';
import { testStatusCache } from './test-support/test-status-cache.ts';
import { useRedisServer } from './test-support/use-redis-server.ts';

/** Short leases keep the takeover tests quick; long enough that a busy event loop still renews. */
const LEASE_MS = 300;
/** For tests where no holder dies: a stall of the test process must not look like a death. */
const SAFE_LEASE_MS = 2_000;
const redisServer = useRedisServer();
let run = 0;

/** `count` proxy instances' caches, each with its own Redis connections, on one fresh prefix. */
async function fleet(count: number, leaseMs = SAFE_LEASE_MS) {
  const prefix = `coalesce-${run++}:`;
  return Promise.all(
    Array.from({ length: count }, async (_, index) => {
      const redis = await redisServer.connect();
      const store = createFleetStore({ redis, prefix, origin: `i${index}` });
      await store.listening;
      const leases = createRedisCallLeases({
        redis,
        clock: systemClock,
        prefix,
        leaseMs,
      });
      const now = () => Date.now();
      const cache = testStatusCache({ store, now, leases });
      return { redis, cache };
    }),
  );
}

/** An upstream the test answers by hand, counting calls. */
function upstream() {
  const pending: Array<(answer: UpstreamAnswer) => void> = [];
  let calls = 0;
  let answered: UpstreamAnswer | undefined;
  return {
    get calls() {
      return calls;
    },
    load: () => {
      calls++;
      // A call after the answer gets it at once: the test then fails on the count, not a hang.
      if (answered !== undefined) return Promise.resolve(answered);
      return new Promise<UpstreamAnswer>((resolve) => pending.push(resolve));
    },
    answer(body: string) {
      answered = { status: 200, body, terminal: false };
      for (const resolve of pending.splice(0)) resolve(answered);
    },
  };
}

describe('createRedisCallLeases with the status cache', () => {
  it('makes one upstream call for 300 concurrent misses spread over three instances', async () => {
    const instances = await fleet(3);
    const api = upstream();
    const reads = Array.from({ length: 300 }, (_, index) =>
      instances[index % 3]!.cache.read('tenant:document:1', 'tenant', api.load),
    );
    await expect.poll(() => api.calls).toBe(1);
    api.answer('{"status":"processing"}');
    const results = await Promise.all(reads);
    expect(api.calls).toBe(1);
    expect(new Set(results.map((read) => read.entry.body))).toEqual(
      new Set(['{"status":"processing"}']),
    );
    expect(results.filter((read) => read.outcome === 'miss')).toHaveLength(1);
    expect(results.filter((read) => read.outcome === 'coalesced')).toHaveLength(299);
  });

  it('frees the key of a holder that dies mid-call within two lease periods', async () => {
    const [doomed, survivor] = await fleet(2, LEASE_MS);
    const hanging = upstream();
    void doomed!.cache.read('k', 't', hanging.load).catch(() => undefined);
    await expect.poll(() => hanging.calls).toBe(1);
    const api = upstream();
    const started = Date.now();
    const read = survivor!.cache.read('k', 't', api.load);
    // The holder's process is gone: no renewal, no announcement.
    await doomed!.redis.close();
    await expect.poll(() => api.calls, { timeout: 4 * LEASE_MS }).toBe(1);
    expect(Date.now() - started).toBeLessThan(2 * LEASE_MS + 250);
    api.answer('{"status":"completed"}');
    expect((await read).entry.body).toBe('{"status":"completed"}');
  });

  it('waits for a live holder longer than a lease, without calling upstream meanwhile', async () => {
    const leaseMs = 2 * LEASE_MS;
    const [holder, waiter] = await fleet(2, leaseMs);
    const slow = upstream();
    const first = holder!.cache.read('k', 't', slow.load);
    await expect.poll(() => slow.calls).toBe(1);
    const other = upstream();
    const second = waiter!.cache.read('k', 't', other.load);
    // Absence over real time: three lease periods of real Redis expiry, renewed by the holder.
    await new Promise((resolve) => setTimeout(resolve, 3 * leaseMs));
    expect(other.calls).toBe(0);
    slow.answer('{"status":"processing","slow":true}');
    expect((await first).outcome).toBe('miss');
    expect(await second).toMatchObject({ outcome: 'coalesced' });
    expect(other.calls).toBe(0);
  });

  it('lets the next instance call when the holder failed (errors are not shared)', async () => {
    const [a, b] = await fleet(2);
    let failing = true;
    let calls = 0;
    const load = async (): Promise<UpstreamAnswer> => {
      calls++;
      await new Promise((resolve) => setTimeout(resolve, 20));
      if (failing) {
        failing = false;
        throw new Error('boom');
      }
      return { status: 200, body: '{"status":"processing"}', terminal: false };
    };
    const results = await Promise.allSettled([
      a!.cache.read('k', 't', load),
      b!.cache.read('k', 't', load),
    ]);
    expect(calls).toBe(2);
    expect(results.map((result) => result.status).sort()).toEqual(['fulfilled', 'rejected']);
  });

  it('coalesces per instance only while Redis is away', async () => {
    const own = await startRedisServer();
    const redis = redisServer.closeAtEnd(
      await connectRedis({ url: own.url, log: () => {}, maxBackoffMs: 100 }),
    );
    const now = () => Date.now();
    const cache = testStatusCache({
      store: createFleetStore({ redis, now }),
      now,
      leases: createRedisCallLeases({ redis, clock: systemClock }),
    });
    await own.stop();
    await expect.poll(() => redis.ready).toBe(false);
    const api = upstream();
    const reads = [cache.read('k', 't', api.load), cache.read('k', 't', api.load)];
    await expect.poll(() => api.calls).toBe(1);
    api.answer('{"status":"pending"}');
    expect((await Promise.all(reads)).map((read) => read.outcome)).toEqual(['miss', 'coalesced']);
  });
});
