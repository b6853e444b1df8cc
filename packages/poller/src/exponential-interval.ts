import type { IntervalPolicy } from './interval-policy.ts';

/**
 * Options of {@link exponentialInterval}.
 *
 * @example
 * ```ts
 * exponentialInterval({ minDelayMs: 1_000 } satisfies ExponentialIntervalOptions);
 * ```
 */
export interface ExponentialIntervalOptions {
  /** First wait, in ms. Default 2 000. */
  minDelayMs?: number;
  /** Longest wait, in ms. Default 120 000. */
  maxDelayMs?: number;
}

/**
 * The AWS SDK waiter schedule (smithy `util-waiter`): each wait is drawn uniformly between
 * `minDelayMs` and `min(maxDelayMs, minDelayMs * 2^attempt)`, growing with every poll whether or
 * not anything changed. Good for jobs of unknown length; slow to notice completion late in a job.
 *
 * @example
 * ```ts
 * const policy = exponentialInterval({ minDelayMs: 2_000, maxDelayMs: 120_000 });
 * ```
 */
export function exponentialInterval(options: ExponentialIntervalOptions = {}): IntervalPolicy {
  const minDelayMs = options.minDelayMs ?? 2_000;
  const maxDelayMs = options.maxDelayMs ?? 120_000;
  if (!(minDelayMs > 0) || !(maxDelayMs >= minDelayMs) || !Number.isFinite(maxDelayMs)) {
    throw new TypeError('exponentialInterval() needs 0 < minDelayMs <= maxDelayMs, both finite.');
  }
  return ({ polls, random }) => {
    // Cap the exponent: 2 ** 1024 is Infinity.
    const ceiling = Math.min(maxDelayMs, minDelayMs * 2 ** Math.min(Math.max(polls - 1, 0), 52));
    return minDelayMs + random() * (ceiling - minDelayMs);
  };
}
