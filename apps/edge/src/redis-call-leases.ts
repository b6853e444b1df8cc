import type { PollerClock } from '@neurostatus/poller';
import type { CallLeases } from './fleet-call-leases.ts';
import type { FleetConnection } from './redis-connection.ts';

/** Options of {@link createRedisCallLeases}. */
export interface RedisCallLeasesOptions {
  readonly redis: Pick<FleetConnection, 'commands' | 'ready' | 'subscribe'>;
  /** Time and sleep (renewals, waits). */
  readonly clock: PollerClock;
  /** This instance's name, in lease values. Default: a random UUID. */
  readonly origin?: string;
  /** Redis key and channel prefix. Default `neurostatus:edge:`. */
  readonly prefix?: string;
  /**
   * How long a lease lasts without renewal, ms: a holder that dies frees the key after this long.
   * A live holder renews it every third of it. Default 3 000.
   */
  readonly leaseMs?: number;
  /** Longest a waiter waits for a live holder before it goes on by itself, ms. Default 30 000. */
  readonly maxWaitMs?: number;
}

const DEFAULTS = { prefix: 'neurostatus:edge:', leaseMs: 3_000, maxWaitMs: 30_000 } as const;

// Renew or release only a lease this call still holds: after a pause longer than the lease,
// another instance may hold the key, and deleting its lease would let a third one call too.
const RENEW_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`;
const RELEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
redis.call('PUBLISH', ARGV[2], ARGV[3])
return 1
`;

/**
 * Fleet-wide coalescing on Redis: per key, the instance that sets the lease (`SET NX PX`) makes
 * the upstream call, renewing the lease while it runs; the others wait for its announcement on
 * pub/sub (sent when it is done, after it stored the answer), then read the store. A holder that
 * dies stops renewing, so its lease runs out after `leaseMs` and a waiter takes over. While Redis
 * is away, every instance leads (per-instance coalescing only), so nothing waits on Redis.
 *
 * @throws {TypeError} for a lease or wait that is not a positive number of milliseconds.
 * @example
 * ```ts
 * const leases = createRedisCallLeases({ redis, clock: systemClock, leaseMs: 3_000 });
 * const cache = createStatusCache({ store, ttl, holdOff, now, leases });
 * ```
 */
export function createRedisCallLeases(options: RedisCallLeasesOptions): CallLeases {
  const { redis, clock } = options;
  const { prefix, leaseMs, maxWaitMs } = { ...DEFAULTS, ...options };
  for (const [name, value] of Object.entries({ leaseMs, maxWaitMs })) {
    if (!Number.isFinite(value) || value <= 0)
      throw new TypeError(`\`${name}\` must be a positive number of milliseconds.`);
  }
  const origin = options.origin ?? crypto.randomUUID();
  const channel = `${prefix}calls`;
  const waiters = new Map<string, Set<() => void>>();
  let calls = 0;
  void redis
    .subscribe(channel, (key) => {
      for (const wake of waiters.get(key) ?? []) wake();
    })
    .catch(() => undefined);

  const send = (args: readonly string[]) => redis.commands.sendCommand(args);

  /** Runs `call` holding `lease`, renewed until it settles; then releases and announces `key`. */
  const hold = async <T>(key: string, lease: string, token: string, call: () => Promise<T>) => {
    const done = new AbortController();
    void (async () => {
      while (!done.signal.aborted) {
        await clock.sleep(leaseMs / 3, done.signal);
        await send(['EVAL', RENEW_SCRIPT, '1', lease, token, String(leaseMs)]);
      }
    })().catch(() => undefined);
    try {
      return await call();
    } finally {
      done.abort();
      await send(['EVAL', RELEASE_SCRIPT, '1', lease, token, channel, key]).catch(() => undefined);
    }
  };

  /** Waits for `key`'s announcement, checking every lease period that the holder is alive. */
  const waitFor = async (lease: string, woken: AbortSignal) => {
    const deadline = clock.now() + maxWaitMs;
    while (!woken.aborted && clock.now() < deadline) {
      await clock.sleep(leaseMs, woken).catch(() => undefined);
      if (woken.aborted) return;
      const held = await send(['EXISTS', lease]).catch(() => 0);
      if (Number(held) === 0) return;
    }
  };

  return {
    async lead(key, call) {
      if (!redis.ready) return { led: true, value: await call() };
      const lease = `${prefix}lease:${key}`;
      const token = `${origin}:${++calls}`;
      // Listen before asking for the lease: an announcement cannot slip between the two.
      const woken = new AbortController();
      const wake = () => woken.abort();
      const listeners = waiters.get(key) ?? new Set();
      listeners.add(wake);
      waiters.set(key, listeners);
      const stopListening = () => {
        listeners.delete(wake);
        if (listeners.size === 0 && waiters.get(key) === listeners) waiters.delete(key);
      };
      let won: boolean;
      try {
        won = (await send(['SET', lease, token, 'NX', 'PX', String(leaseMs)])) === 'OK';
      } catch {
        // Redis failed just now: this instance goes on alone rather than wait on nothing.
        stopListening();
        return { led: true, value: await call() };
      }
      if (won) {
        stopListening();
        return { led: true, value: await hold(key, lease, token, call) };
      }
      try {
        await waitFor(lease, woken.signal);
      } finally {
        stopListening();
      }
      return { led: false };
    },
  };
}
