import type { RateLimiterOptions } from './rate-limiter.ts';
import {
  type ResolvedWatchOptions,
  resolveWatchOptions,
  type WatchOptions,
} from './watch-options.ts';

/**
 * Options of `createPollScheduler`.
 *
 * @example
 * ```ts
 * createPollScheduler({ ratePerSecond: 5, concurrency: 2 } satisfies PollSchedulerOptions);
 * ```
 */
export interface PollSchedulerOptions extends Omit<WatchOptions, 'signal' | 'timeoutMs' | 'emit'> {
  /** Upstream requests in flight at once. Default 8. */
  concurrency?: number;
  /** Sustained upstream requests per second, for all watches together. Default 10. */
  ratePerSecond?: number;
  /** Requests that may start at once after a quiet spell. Default: `ratePerSecond`. */
  burst?: number;
  /** The rate never drops below this after 429s. Default: `ratePerSecond / 16`. */
  minRatePerSecond?: number;
  /** How fast the rate climbs back after a 429, in requests/s per second. Default: `ratePerSecond / 30`. */
  recoveryPerSecond?: number;
  /**
   * Poll documents of one request together, with one request poll a round, when the client can
   * read requests (`getRequestStatusWithMeta`) and several watched documents share a request.
   * Default true.
   */
  batchByRequest?: boolean;
}

/**
 * The scheduler's options after defaults and validation: the watch options every loop uses, and
 * the rate limiter's.
 *
 * @example
 * ```ts
 * const { watch, limiter }: ResolvedSchedulerOptions = resolveSchedulerOptions({});
 * ```
 */
export interface ResolvedSchedulerOptions {
  readonly watch: ResolvedWatchOptions;
  readonly limiter: RateLimiterOptions;
  readonly batchByRequest: boolean;
}

/**
 * The scheduler's defaults, in one place (the rest come from `WATCH_DEFAULTS`).
 *
 * @example
 * ```ts
 * const rate = SCHEDULER_DEFAULTS.ratePerSecond; // 10
 * ```
 */
export const SCHEDULER_DEFAULTS = {
  concurrency: 8,
  ratePerSecond: 10,
  /** `minRatePerSecond` = `ratePerSecond` x this. */
  minRateFraction: 1 / 16,
  /** `recoveryPerSecond` = `ratePerSecond` x this: 30 s from 0 back to the full rate. */
  recoveryFraction: 1 / 30,
  batchByRequest: true,
} as const;

function positive(name: string, value: number, allowZero = false): number {
  if (!Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw new TypeError(
      `\`${name}\` must be a ${allowZero ? 'non-negative' : 'positive'} finite number.`,
    );
  }
  return value;
}

/**
 * Applies the defaults and validates once, when the scheduler is created.
 *
 * @throws {TypeError} naming the bad option.
 * @example
 * ```ts
 * const resolved = resolveSchedulerOptions({ ratePerSecond: 20 });
 * ```
 */
export function resolveSchedulerOptions(options: PollSchedulerOptions): ResolvedSchedulerOptions {
  const watch = resolveWatchOptions(options);
  const ratePerSecond = positive(
    'ratePerSecond',
    options.ratePerSecond ?? SCHEDULER_DEFAULTS.ratePerSecond,
  );
  const concurrency = positive(
    'concurrency',
    options.concurrency ?? SCHEDULER_DEFAULTS.concurrency,
  );
  if (!Number.isInteger(concurrency)) throw new TypeError('`concurrency` must be an integer.');
  const minRatePerSecond = positive(
    'minRatePerSecond',
    options.minRatePerSecond ?? ratePerSecond * SCHEDULER_DEFAULTS.minRateFraction,
  );
  if (minRatePerSecond > ratePerSecond)
    throw new TypeError('`minRatePerSecond` must not exceed `ratePerSecond`.');
  const batchByRequest = options.batchByRequest ?? SCHEDULER_DEFAULTS.batchByRequest;
  if (typeof batchByRequest !== 'boolean')
    throw new TypeError('`batchByRequest` must be a boolean.');
  return {
    watch,
    batchByRequest,
    limiter: {
      clock: watch.clock,
      concurrency,
      ratePerSecond,
      burst: Math.max(1, positive('burst', options.burst ?? ratePerSecond)),
      minRatePerSecond,
      recoveryPerSecond: positive(
        'recoveryPerSecond',
        options.recoveryPerSecond ?? ratePerSecond * SCHEDULER_DEFAULTS.recoveryFraction,
        true,
      ),
    },
  };
}
