import { adaptiveInterval } from './adaptive-interval.ts';
import { type PollerClock, systemClock } from './clock.ts';
import { type CompletionEstimator, createCompletionEstimator } from './completion-estimator.ts';
import { type IntervalPolicy, MAX_TIMER_MS } from './interval-policy.ts';

/**
 * Options shared by `watchStatus`, `waitForDocument`, `watchRequest` and the scheduler.
 *
 * @example
 * ```ts
 * const options: WatchOptions = { timeoutMs: 10 * 60_000, maxConsecutiveErrors: 3 };
 * ```
 */
export interface WatchOptions {
  /** Stops the watch at once; the loop throws `signal.reason`. */
  signal?: AbortSignal;
  /** Deadline for the whole watch, in ms; bounds retries and per-request timeouts. Default: none. */
  timeoutMs?: number;
  /** `changes` (default) yields the first status and then only changes; `every` yields every poll. */
  emit?: 'changes' | 'every';
  /** Chooses the wait between polls. Default `adaptiveInterval()`. */
  policy?: IntervalPolicy;
  /** No wait is shorter than this, whatever the policy says, in ms. Default 250. */
  minIntervalMs?: number;
  /**
   * No policy wait is longer than this, in ms (a server's `Retry-After` may be); also the
   * ceiling of the error back-off. Default 30 000. The default policy has its own, shorter
   * ceiling (`adaptiveInterval({ maxIntervalMs })`, 3 750): raising this one does not lengthen it.
   */
  maxIntervalMs?: number;
  /** Transient failures in a row before the watch gives up and throws the last one. Default 5. */
  maxConsecutiveErrors?: number;
  /** How long after the watch starts a 404 means "not visible yet" rather than "no such id", in ms. Default 10 000. */
  notFoundGraceMs?: number;
  /** Learns completion times; share one between watches so each finished document teaches the rest. */
  estimator?: CompletionEstimator;
  /** Time source and sleep. Default: the system clock. */
  clock?: PollerClock;
  /** Random source in [0, 1) for jitter. Default `Math.random`. */
  random?: () => number;
}

/**
 * The options after defaults and validation.
 *
 * @example
 * ```ts
 * const { policy, clock }: ResolvedWatchOptions = resolveWatchOptions({});
 * ```
 */
export interface ResolvedWatchOptions {
  readonly signal: AbortSignal | undefined;
  readonly timeoutMs: number;
  readonly emit: 'changes' | 'every';
  readonly policy: IntervalPolicy;
  readonly minIntervalMs: number;
  readonly maxIntervalMs: number;
  readonly maxConsecutiveErrors: number;
  readonly notFoundGraceMs: number;
  readonly estimator: CompletionEstimator;
  readonly clock: PollerClock;
  readonly random: () => number;
}

/**
 * The defaults, in one place.
 *
 * @example
 * ```ts
 * console.log(`errors back off to at most ${WATCH_DEFAULTS.maxIntervalMs} ms apart`);
 * ```
 */
export const WATCH_DEFAULTS = {
  timeoutMs: Number.POSITIVE_INFINITY,
  emit: 'changes',
  minIntervalMs: 250,
  maxIntervalMs: 30_000,
  maxConsecutiveErrors: 5,
  notFoundGraceMs: 10_000,
} as const;

function duration(
  name: string,
  value: number | undefined,
  fallback: number,
  allowInfinity = false,
): number {
  if (value === undefined) return fallback;
  const ok =
    typeof value === 'number' &&
    value >= 0 &&
    (Number.isFinite(value) ? value <= MAX_TIMER_MS || allowInfinity : allowInfinity && value > 0);
  if (!ok) throw new TypeError(`\`${name}\` must be a non-negative number of milliseconds.`);
  return value;
}

/**
 * Validates a `timeoutMs`: a non-negative number of milliseconds, or `Infinity` for none. Long
 * values are fine: sleeps longer than timers accept are taken in parts.
 *
 * @throws {TypeError} naming the option.
 * @example
 * ```ts
 * checkTimeoutMs(undefined); // Infinity
 * ```
 */
export function checkTimeoutMs(value: number | undefined, name = 'timeoutMs'): number {
  return duration(name, value, WATCH_DEFAULTS.timeoutMs, true);
}

/**
 * Validates an `emit`: `'changes'` or `'every'`.
 *
 * @throws {TypeError} for anything else.
 * @example
 * ```ts
 * const emit = checkEmit(options.emit ?? 'changes');
 * ```
 */
export function checkEmit(emit: unknown): 'changes' | 'every' {
  if (emit !== 'changes' && emit !== 'every')
    throw new TypeError("`emit` must be 'changes' or 'every'.");
  return emit;
}

/**
 * Validates a `signal`: `undefined`, or an `AbortSignal`. Duck-typed rather than `instanceof`: a
 * signal from another realm (an iframe, a vm context) works.
 *
 * @throws {TypeError} for anything else.
 * @example
 * ```ts
 * const signal = checkSignal(options.signal);
 * ```
 */
export function checkSignal(signal: unknown): AbortSignal | undefined {
  if (
    signal !== undefined &&
    typeof (signal as AbortSignal | null)?.addEventListener !== 'function'
  )
    throw new TypeError('`signal` must be an AbortSignal.');
  return signal as AbortSignal | undefined;
}

/**
 * Applies defaults and validates once, when the watch is created.
 *
 * @throws {TypeError} naming the bad option.
 * @example
 * ```ts
 * const resolved = resolveWatchOptions({ timeoutMs: 60_000 });
 * ```
 */
export function resolveWatchOptions(options: WatchOptions = {}): ResolvedWatchOptions {
  if (typeof options !== 'object' || options === null)
    throw new TypeError('Watch options must be an object.');
  const emit = checkEmit(options.emit ?? WATCH_DEFAULTS.emit);
  const maxConsecutiveErrors = options.maxConsecutiveErrors ?? WATCH_DEFAULTS.maxConsecutiveErrors;
  if (!Number.isInteger(maxConsecutiveErrors) || maxConsecutiveErrors < 0) {
    throw new TypeError('`maxConsecutiveErrors` must be a non-negative integer.');
  }
  const minIntervalMs = duration(
    'minIntervalMs',
    options.minIntervalMs,
    WATCH_DEFAULTS.minIntervalMs,
  );
  const maxIntervalMs = duration(
    'maxIntervalMs',
    options.maxIntervalMs,
    WATCH_DEFAULTS.maxIntervalMs,
  );
  if (maxIntervalMs < minIntervalMs || maxIntervalMs === 0) {
    throw new TypeError('`maxIntervalMs` must be positive and at least `minIntervalMs`.');
  }
  for (const name of ['policy', 'random'] as const) {
    if (options[name] !== undefined && typeof options[name] !== 'function') {
      throw new TypeError(`\`${name}\` must be a function.`);
    }
  }
  return {
    signal: checkSignal(options.signal),
    timeoutMs: checkTimeoutMs(options.timeoutMs),
    emit,
    // Its own ceiling (3.75 s) is below the default maxIntervalMs; a lower maxIntervalMs still clamps it.
    policy: options.policy ?? adaptiveInterval(),
    minIntervalMs,
    maxIntervalMs,
    maxConsecutiveErrors,
    notFoundGraceMs: duration(
      'notFoundGraceMs',
      options.notFoundGraceMs,
      WATCH_DEFAULTS.notFoundGraceMs,
    ),
    estimator: options.estimator ?? createCompletionEstimator(),
    clock: options.clock ?? systemClock,
    random: options.random ?? (() => Math.random()),
  };
}
