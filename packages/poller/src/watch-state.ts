import { type ResponseMeta, retryDelay, type WithMeta } from '@neurostatus/core';
import { WatchTimeoutError } from './errors.ts';
import { clampDelay, MAX_TIMER_MS } from './interval-policy.ts';
import { classifyPollError } from './poll-error-kind.ts';
import { sameStatus } from './same-status.ts';
import type { StatusSource } from './status-source.ts';
import type { ResolvedWatchOptions } from './watch-options.ts';

/**
 * What one successful poll brought.
 *
 * @example
 * ```ts
 * const result = await state.poll(signal);
 * if (result?.changed) yieldIt(result.value);
 * ```
 */
export interface PollResult<T> {
  readonly value: T;
  /** True for the first status and whenever any field differs from the previous one. */
  readonly changed: boolean;
  readonly terminal: boolean;
}

/** Error backoff: the first retry waits up to 1 s (full jitter), doubling up to `maxIntervalMs`. */
const ERROR_BACKOFF_BASE_MS = 1_000;

/**
 * The state of one watch, shared by every way of watching (`watchStatus`, `watchRequest`, the
 * scheduler): polls, change detection, error classification, the 404 grace period, the deadline,
 * and the rule that turns the policy's wish and the server's hints into the next wait.
 *
 * @example
 * ```ts
 * const state: WatchState<DocumentStatus> = createWatchState(source, resolveWatchOptions());
 * ```
 */
export interface WatchState<T> {
  /**
   * Polls once. Resolves with the answer, or `undefined` when a failure is being waited out
   * (a transient error, a 404 during the grace period). Rejects when the watch must end: a
   * permanent error, too many transient ones in a row, the deadline, or `signal`'s reason.
   */
  poll(signal: AbortSignal): Promise<PollResult<T> | undefined>;
  /**
   * Takes an answer that came another way (a request poll that lists this document), exactly as
   * if `poll` had fetched it: change detection, the clock skew and the server's freshness hint.
   */
  record(answer: WithMeta<T>): PollResult<T>;
  /**
   * The wait before the next poll, in ms; never past the deadline (0 once it has passed: the
   * next `poll` then rejects with the `WatchTimeoutError`). `sharedBy`: how many unfinished
   * documents that poll answers for (the policy's `PollContext.sharedBy`), 1 by default.
   */
  nextDelayMs(sharedBy?: number): number;
  /**
   * The part of that wait that the watch's errors (back-off) and the server's hints (Retry-After,
   * freshness) impose, without the policy's wish; never past the deadline. A request batch polls
   * when its members want, but never sooner than this.
   */
  holdOffMs(): number;
  /**
   * What is left of the wait the server asked for with the last failure (its `Retry-After`), 0
   * when it asked for none or the last poll was answered; never past the deadline. A failed
   * request poll hands its documents back to their own polls no sooner than this.
   */
  retryAfterMs(): number;
  /** The last value seen. */
  readonly last: T | undefined;
  /** What the server said about the last value (freshness, `Date`, request id). */
  readonly lastMeta: ResponseMeta | undefined;
  /**
   * Local clock minus the server's, from the last answer's `Date` header (0 until one is seen):
   * server timestamps such as `started_at` are compared with `now - clockOffsetMs`.
   */
  readonly clockOffsetMs: number;
}

/**
 * Creates the state of one watch.
 *
 * @example
 * ```ts
 * const state = createWatchState(source, resolveWatchOptions({ timeoutMs: 60_000 }));
 * const result = await state.poll(signal);
 * await clock.sleep(state.nextDelayMs(), signal);
 * ```
 */
export function createWatchState<T>(
  source: StatusSource<T>,
  options: ResolvedWatchOptions,
): WatchState<T> {
  return new WatchStateImpl(source, options);
}

// A class rather than a closure-built object: a scheduler holds one per watched document, and
// methods on a prototype cost nothing per instance (10,000 watches, BENCHMARKS.md).
class WatchStateImpl<T> implements WatchState<T> {
  last: T | undefined;
  lastMeta: ResponseMeta | undefined;
  readonly #source: StatusSource<T>;
  readonly #options: ResolvedWatchOptions;
  readonly #startedAt: number;
  readonly #deadline: number;
  #lastError: unknown;
  #polls = 0;
  #unchangedPolls = 0;
  #consecutiveErrors = 0;
  #hintMs: number | undefined;
  /** When the last failure was answered (its `Retry-After` counts from then). */
  #failedAt = 0;
  clockOffsetMs = 0;

  constructor(source: StatusSource<T>, options: ResolvedWatchOptions) {
    this.#source = source;
    this.#options = options;
    this.#startedAt = options.clock.now();
    this.#deadline = this.#startedAt + options.timeoutMs;
  }

  async poll(signal: AbortSignal): Promise<PollResult<T> | undefined> {
    const { clock } = this.#options;
    if (clock.now() >= this.#deadline) throw this.#timeout();
    this.#hintMs = undefined;
    let answer: WithMeta<T>;
    try {
      const remaining = this.#deadline - clock.now();
      answer = await this.#source.fetch(signal, Number.isFinite(remaining) ? remaining : undefined);
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      return this.#failed(error);
    }
    return this.record(answer);
  }

  record({ data, meta }: WithMeta<T>): PollResult<T> {
    const { clock } = this.#options;
    const changed = this.last === undefined || !sameStatus(this.last, data);
    this.#polls++;
    this.#unchangedPolls = changed ? 0 : this.#unchangedPolls + 1;
    this.#consecutiveErrors = 0;
    this.#lastError = undefined;
    this.last = data;
    this.lastMeta = meta;
    this.#hintMs = meta.freshForMs;
    // A skewed client clock would make every document look early or late: measure the skew.
    // `Date` has 1 s resolution (truncated), hence the half second, and below a second the
    // clocks are as close as the header can tell.
    if (meta.serverDateMs !== undefined) {
      const offset = clock.now() - (meta.serverDateMs + 500);
      this.clockOffsetMs = Math.abs(offset) < 1_000 ? 0 : offset;
    }
    this.#source.observe?.(data);
    return { value: data, changed, terminal: this.#source.isTerminal(data) };
  }

  /** A failed call: `undefined` while it is waited out, or the error that ends the watch. */
  #failed(error: unknown): undefined {
    const { clock } = this.#options;
    this.#lastError = error;
    if (clock.now() >= this.#deadline) throw this.#timeout();
    const kind = classifyPollError(error);
    if (kind === 'permanent') throw error;
    if (kind === 'not-found') {
      // Right after submission the API may not show the id yet (neurolinker-api.md).
      if (clock.now() - this.#startedAt < this.#options.notFoundGraceMs) return undefined;
      throw error;
    }
    this.#consecutiveErrors++;
    if (this.#consecutiveErrors > this.#options.maxConsecutiveErrors) throw error;
    this.#hintMs = (error as { retryAfterMs?: number }).retryAfterMs;
    this.#failedAt = clock.now();
    return undefined;
  }

  nextDelayMs(sharedBy = 1): number {
    const options = this.#options;
    const now = options.clock.now();
    // The policy sees the server's time: expected completions are in server time (`started_at`).
    const serverNow = now - this.clockOffsetMs;
    const { status, expected } = this.#source.describe(this.last, serverNow);
    const wish = options.policy({
      now: serverNow,
      elapsedMs: now - this.#startedAt,
      polls: this.#polls,
      unchangedPolls: this.#unchangedPolls,
      sharedBy,
      status,
      expected,
      random: options.random,
    });
    const delay = clampDelay(wish, options.minIntervalMs, options.maxIntervalMs);
    return this.#withinDeadline(Math.max(delay, this.#holdOff()));
  }

  holdOffMs(): number {
    return this.#withinDeadline(this.#holdOff());
  }

  retryAfterMs(): number {
    if (this.#consecutiveErrors === 0) return 0;
    const waited = this.#options.clock.now() - this.#failedAt;
    return this.#withinDeadline(Math.max(0, validHint(this.#hintMs) - waited));
  }

  /** The wait that errors and the server's hints impose, whatever the policy wishes. */
  #holdOff(): number {
    const options = this.#options;
    let delay = 0;
    if (this.#consecutiveErrors > 0) {
      const backoff = { baseDelayMs: ERROR_BACKOFF_BASE_MS, maxDelayMs: options.maxIntervalMs };
      delay = retryDelay(this.#consecutiveErrors - 1, backoff, options.random);
    }
    // Server hints win where they are more informative: Retry-After says "not before", and
    // Cache-Control freshness says no new data can exist before then (RFC 9111 4.2).
    // A hint that is not a finite, non-negative number says nothing: ignore it.
    return Math.max(delay, validHint(this.#hintMs));
  }

  #withinDeadline(delayMs: number): number {
    return Math.max(0, Math.min(delayMs, this.#deadline - this.#options.clock.now()));
  }

  #timeout(): WatchTimeoutError<T> {
    return new WatchTimeoutError(
      this.#source.subject,
      this.#options.timeoutMs,
      this.last,
      this.#lastError,
    );
  }
}

/**
 * The wait an error's answer asked for (its `Retry-After`, as core's errors carry it in
 * `retryAfterMs`), in ms within a timer's range; 0 when it asked for none.
 *
 * @example
 * ```ts
 * retryAfterOf({ retryAfterMs: 2_000 }); // 2000: a `RateLimitError` with `Retry-After: 2`
 * ```
 */
export function retryAfterOf(error: unknown): number {
  return validHint((error as { retryAfterMs?: number } | undefined)?.retryAfterMs);
}

/** A server hint in ms, within a timer's range; 0 unless a finite, non-negative number. */
function validHint(hint: number | undefined): number {
  return hint !== undefined && Number.isFinite(hint) && hint >= 0
    ? Math.min(hint, MAX_TIMER_MS)
    : 0;
}
