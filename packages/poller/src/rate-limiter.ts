import type { PollerClock } from './clock.ts';

/**
 * Options of {@link createRateLimiter}.
 *
 * @example
 * ```ts
 * createRateLimiter({ concurrency: 4, ratePerSecond: 10, burst: 10, minRatePerSecond: 1, recoveryPerSecond: 0.5, clock: systemClock });
 * ```
 */
export interface RateLimiterOptions {
  /** Requests in flight at once. */
  concurrency: number;
  /** Sustained requests per second (token bucket refill). */
  ratePerSecond: number;
  /** Bucket size: requests that may start at once after a quiet spell. */
  burst: number;
  /** The rate never drops below this after 429s. */
  minRatePerSecond: number;
  /** How fast the rate climbs back after a 429, in requests/s per second. */
  recoveryPerSecond: number;
  clock: PollerClock;
}

/** Admission control for upstream requests: a concurrency cap and an adaptive token bucket. */
export interface RateLimiter {
  /** Waits for a slot and a token; rejects with `signal.reason` if aborted while waiting. */
  acquire(signal: AbortSignal): Promise<void>;
  /**
   * Takes a slot and a token at once if both are free (and nobody waits in `acquire`), without
   * allocating anything: for a scheduler that keeps its own queue.
   */
  tryAcquire(): boolean;
  /** How long until the next token, in ms (0 when one is available now). */
  msUntilToken(): number;
  /** Gives back the slot taken by `acquire` or `tryAcquire`. */
  release(): void;
  /** The upstream said 429: halve the rate (not below the minimum), then recover slowly. */
  penalize(): void;
  /** The current rate, requests per second. */
  currentRate(): number;
  readonly inFlight: number;
  readonly waiting: number;
}

/**
 * Creates a limiter. The rate halves on each `penalize()` and recovers linearly at
 * `recoveryPerSecond` (additive increase, multiplicative decrease, as TCP does), so a fleet
 * that was told to slow down does not snap back into the limit it just hit.
 *
 * @example
 * ```ts
 * await limiter.acquire(signal);
 * try { await fetchSomething(); } finally { limiter.release(); }
 * ```
 */
export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const { clock, concurrency, burst, ratePerSecond, minRatePerSecond, recoveryPerSecond } = options;
  const queue: Array<{
    resolve: () => void;
    reject: (error: unknown) => void;
    signal: AbortSignal;
    onAbort: () => void;
  }> = [];
  let inFlight = 0;
  let tokens = burst;
  let refilledAt = clock.now();
  let rateAfterPenalty = ratePerSecond;
  // Not -Infinity: `recoveryPerSecond * Infinity` is NaN when recovery is 0, and a NaN rate
  // would leave the bucket without tokens for good.
  let penalizedAt = clock.now();
  let timer: AbortController | undefined;

  const currentRate = () =>
    Math.min(
      ratePerSecond,
      rateAfterPenalty + recoveryPerSecond * Math.max(0, (clock.now() - penalizedAt) / 1000),
    );

  const refill = () => {
    const now = clock.now();
    // A clock stepped backwards (NTP) must not take tokens away: count no negative time.
    tokens = Math.min(burst, tokens + (Math.max(0, now - refilledAt) / 1000) * currentRate());
    refilledAt = now;
  };

  const pump = () => {
    refill();
    while (queue.length > 0 && inFlight < concurrency && tokens >= 1) {
      const next = queue.shift()!;
      next.signal.removeEventListener('abort', next.onAbort);
      tokens -= 1;
      inFlight++;
      next.resolve();
    }
    if (queue.length > 0 && inFlight < concurrency && timer === undefined) {
      // Out of tokens: wake up when the next one is due.
      const waitMs = Math.max(1, Math.ceil(((1 - tokens) / currentRate()) * 1000));
      const wake = new AbortController();
      timer = wake;
      clock.sleep(waitMs, wake.signal).then(
        () => {
          timer = undefined;
          pump();
        },
        () => {},
      );
    }
  };

  return {
    get inFlight() {
      return inFlight;
    },
    get waiting() {
      return queue.length;
    },
    currentRate,
    tryAcquire() {
      refill();
      if (queue.length > 0 || inFlight >= concurrency || tokens < 1) return false;
      tokens -= 1;
      inFlight++;
      return true;
    },
    msUntilToken() {
      refill();
      return tokens >= 1 ? 0 : Math.max(1, Math.ceil(((1 - tokens) / currentRate()) * 1000));
    },
    acquire(signal) {
      return new Promise<void>((resolve, reject) => {
        if (signal.aborted) {
          reject(signal.reason);
          return;
        }
        const entry = {
          resolve,
          reject,
          signal,
          onAbort: () => {
            const index = queue.indexOf(entry);
            if (index >= 0) queue.splice(index, 1);
            if (queue.length === 0) {
              timer?.abort();
              timer = undefined;
            }
            reject(signal.reason);
          },
        };
        signal.addEventListener('abort', entry.onAbort, { once: true });
        queue.push(entry);
        pump();
      });
    },
    release() {
      inFlight = Math.max(0, inFlight - 1);
      pump();
    },
    penalize() {
      refill();
      rateAfterPenalty = Math.max(minRatePerSecond, currentRate() / 2);
      penalizedAt = clock.now();
    },
  };
}
