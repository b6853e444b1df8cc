/**
 * Settings for exponential backoff.
 *
 * @example
 * ```ts
 * retryDelay(2, { baseDelayMs: 300, maxDelayMs: 10_000 } satisfies BackoffOptions, Math.random);
 * ```
 */
export interface BackoffOptions {
  /** Delay scale for the first retry, in milliseconds. */
  readonly baseDelayMs: number;
  /** No delay is ever longer than this, in milliseconds. */
  readonly maxDelayMs: number;
}

/**
 * Exponential backoff with full jitter: a uniform draw in `[0, min(max, base * 2^retry))`.
 * Full jitter spreads a crowd of clients that failed together better than any other variant
 * (AWS Architecture Blog, "Exponential Backoff And Jitter").
 *
 * @param retry 0 for the first retry, 1 for the second, ...
 * @param random a source of numbers in [0, 1), injectable for tests.
 * @example
 * ```ts
 * retryDelay(0, { baseDelayMs: 300, maxDelayMs: 10_000 }, Math.random); // 0..300 ms
 * ```
 */
export function retryDelay(retry: number, options: BackoffOptions, random: () => number): number {
  // Cap the exponent: 2 ** 1024 is Infinity, and 0 * Infinity is NaN.
  const ceiling = Math.min(
    options.maxDelayMs,
    options.baseDelayMs * 2 ** Math.min(Math.max(0, retry), 52),
  );
  const draw = random();
  // A broken random source must not produce NaN or a negative sleep.
  const unit = Number.isFinite(draw) ? Math.min(Math.max(draw, 0), 1) : 1;
  return Math.floor(unit * ceiling);
}
