// The status cache most tests build: the test TTLs, a 10 s deadline and a hold-off on the same clock.
import { createHoldOff } from '../hold-off.ts';
import {
  type CacheTtl,
  createStatusCache,
  type StatusCache,
  type StatusCacheOptions,
} from '../status-cache.ts';

/** The TTLs tests cache with: terminal 60 s, active and not-found 2 s, stale 30 s. */
export const TEST_TTL: CacheTtl = {
  terminalMs: 60_000,
  activeMs: 2_000,
  notFoundMs: 2_000,
  staleMs: 30_000,
};

/** What a test chooses; the rest comes from {@link testStatusCache}. */
export type TestStatusCacheOptions = Pick<StatusCacheOptions, 'store' | 'now' | 'leases'>;

/**
 * A status cache on `store` with {@link TEST_TTL}, a 10 s deadline and a hold-off on `now`.
 *
 * @example
 * ```ts
 * const cache = testStatusCache({ store: createMemoryStore({ now }), now });
 * ```
 */
export function testStatusCache({ store, now, leases }: TestStatusCacheOptions): StatusCache {
  return createStatusCache({
    store,
    ttl: TEST_TTL,
    deadlineMs: 10_000,
    holdOff: createHoldOff({ now }),
    now,
    ...(leases === undefined ? {} : { leases }),
  });
}
