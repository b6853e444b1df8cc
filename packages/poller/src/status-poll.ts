import { type DocumentStatus, retryDelay, type WithMeta } from '@neurostatus/core';
import { WatchTimeoutError } from './errors.ts';
import { clampDelay, type ExpectedCompletion, MAX_TIMER_MS } from './interval-policy.ts';
import { classifyPollError } from './poll-error-kind.ts';
import { sameStatus } from './same-status.ts';
import type { ResolvedWatchOptions } from './watch-options.ts';

/** What one successful poll brought. */
export interface PollResult<T> {
  readonly value: T;
  /** True for the first status and whenever any field differs from the previous one. */
  readonly changed: boolean;
  readonly terminal: boolean;
}

/** How a {@link StatusPoll} reads and understands one kind of status. */
export interface StatusSource<T> {
  /** E.g. `document 1d69...`, for messages. */
  readonly subject: string;
  /** One call of the client, bounded by `deadlineMs` when the watch has a deadline. */
  fetch(signal: AbortSignal, deadlineMs: number | undefined): Promise<WithMeta<T>>;
  isTerminal(value: T): boolean;
  /** What the interval policy gets to see of the last value. */
  describe(value: T | undefined): {
    status: DocumentStatus | undefined;
    expected: ExpectedCompletion | undefined;
  };
  /** Called with every successful answer (the estimator learns from terminal ones). */
  observe?(value: T): void;
}

/** Error backoff: the first retry waits up to 1 s (full jitter), doubling up to `maxIntervalMs`. */
const ERROR_BACKOFF_BASE_MS = 1_000;

/**
 * The state of one watch, shared by every way of watching (`watchStatus`, `watchRequest`, the
 * scheduler): polls, change detection, error classification, the 404 grace period, the deadline,
 * and the rule that turns the policy's wish and the server's hints into the next wait.
 */
export interface StatusPoll<T> {
  /**
   * Polls once. Resolves with the answer, or `undefined` when a failure is being waited out
   * (a transient error, a 404 during the grace period). Rejects when the watch must end: a
   * permanent error, too many transient ones in a row, the deadline, or `signal`'s reason.
   */
  poll(signal: AbortSignal): Promise<PollResult<T> | undefined>;
  /** The wait before the next poll, in ms; never past the deadline. */
  nextDelayMs(): number;
  /** Throws a `WatchTimeoutError` if the deadline has passed. */
  checkDeadline(): void;
  /** The last value seen. */
  readonly last: T | undefined;
}

/**
 * Creates the state of one watch.
 *
 * @example
 * ```ts
 * const state = createStatusPoll(source, resolveWatchOptions({ timeoutMs: 60_000 }));
 * const result = await state.poll(signal);
 * await clock.sleep(state.nextDelayMs(), signal);
 * ```
 */
export function createStatusPoll<T>(
  source: StatusSource<T>,
  options: ResolvedWatchOptions,
): StatusPoll<T> {
  const { clock, random } = options;
  const startedAt = clock.now();
  const deadline = startedAt + options.timeoutMs;
  let last: T | undefined;
  let lastError: unknown;
  let polls = 0;
  let unchangedPolls = 0;
  let consecutiveErrors = 0;
  let hintMs: number | undefined;

  const timeout = () => new WatchTimeoutError(source.subject, options.timeoutMs, last, lastError);
  const checkDeadline = () => {
    if (clock.now() >= deadline) throw timeout();
  };

  return {
    get last() {
      return last;
    },
    checkDeadline,
    async poll(signal) {
      checkDeadline();
      hintMs = undefined;
      try {
        const remaining = deadline - clock.now();
        const { data, meta } = await source.fetch(
          signal,
          Number.isFinite(remaining) ? remaining : undefined,
        );
        const changed = last === undefined || !sameStatus(last, data);
        polls++;
        unchangedPolls = changed ? 0 : unchangedPolls + 1;
        consecutiveErrors = 0;
        last = data;
        hintMs = meta.freshForMs;
        source.observe?.(data);
        return { value: data, changed, terminal: source.isTerminal(data) };
      } catch (error) {
        if (signal.aborted) throw signal.reason;
        lastError = error;
        checkDeadline();
        const kind = classifyPollError(error);
        if (kind === 'permanent') throw error;
        if (kind === 'not-found') {
          // Right after submission the API may not show the id yet (neurolinker-api.md).
          if (clock.now() - startedAt < options.notFoundGraceMs) return undefined;
          throw error;
        }
        consecutiveErrors++;
        if (consecutiveErrors > options.maxConsecutiveErrors) throw error;
        hintMs = (error as { retryAfterMs?: number }).retryAfterMs;
        return undefined;
      }
    },
    nextDelayMs() {
      const now = clock.now();
      const { status, expected } = source.describe(last);
      const wish = options.policy({
        now,
        elapsedMs: now - startedAt,
        polls,
        unchangedPolls,
        status,
        expected,
        random,
      });
      let delay = clampDelay(wish, options.minIntervalMs, options.maxIntervalMs);
      if (consecutiveErrors > 0) {
        const backoff = { baseDelayMs: ERROR_BACKOFF_BASE_MS, maxDelayMs: options.maxIntervalMs };
        delay = Math.max(delay, retryDelay(consecutiveErrors - 1, backoff, random));
      }
      // Server hints win where they are more informative: Retry-After says "not before", and
      // Cache-Control freshness says no new data can exist before then (RFC 9111 4.2).
      if (hintMs !== undefined) delay = Math.max(delay, clampDelay(hintMs, 0, MAX_TIMER_MS));
      const remaining = deadline - now;
      if (remaining <= 0) throw timeout();
      return Math.min(delay, remaining);
    },
  };
}
