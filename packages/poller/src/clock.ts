import { delay } from '@neurostatus/core';

/**
 * Time as the poller sees it: `now()` in epoch ms and an abortable `sleep`. Inject one to run
 * watches on virtual time (tests, benchmarks); the default reads `Date.now` and `setTimeout`
 * when called, so fake timers installed after import apply too.
 *
 * @example
 * ```ts
 * const clock: PollerClock = { now: () => performance.timeOrigin + performance.now(), sleep: delay };
 * ```
 */
export interface PollerClock {
  now(): number;
  /** Resolves after `ms`, or rejects with `signal.reason` at once when it aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/**
 * The real clock.
 *
 * @example
 * ```ts
 * const clock: PollerClock = options.clock ?? systemClock;
 * ```
 */
export const systemClock: PollerClock = {
  now: () => Date.now(),
  sleep: (ms, signal) => delay(ms, signal),
};
