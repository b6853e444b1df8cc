import type { DocumentStatus } from '@neurostatus/core';

/**
 * When a document is expected to finish, and how uncertain that is.
 *
 * @example
 * ```ts
 * const soon: IntervalPolicy = ({ now, expected }) => (expected && expected.atMs - now < 5_000 ? 1_000 : 5_000);
 * ```
 */
export interface ExpectedCompletion {
  /** Epoch ms at which the document is most likely to be terminal. */
  readonly atMs: number;
  /** Half-width of the window around `atMs` in which it will finish with high probability, in ms. */
  readonly spreadMs: number;
}

/**
 * Everything a policy may use to choose the wait before the next poll.
 *
 * @example
 * ```ts
 * const policy: IntervalPolicy = (context: PollContext) => (context.unchangedPolls > 10 ? 10_000 : 2_000);
 * ```
 */
export interface PollContext {
  /** Epoch ms in the server's time: the watch's clock, corrected by the skew seen in `Date` headers. */
  readonly now: number;
  /** ms since the watch started. */
  readonly elapsedMs: number;
  /** Polls answered so far (successfully). */
  readonly polls: number;
  /** Consecutive answered polls that brought no change. 0 right after a change. */
  readonly unchangedPolls: number;
  /**
   * How many unfinished documents the next poll answers for: 1 for a document polled on its own,
   * the batch's size for a document of a request batch (one request poll serves them all).
   */
  readonly sharedBy: number;
  /** The last status seen, if any. */
  readonly status: DocumentStatus | undefined;
  /** The completion estimate, when the status tells enough (pages, size, `started_at`). */
  readonly expected: ExpectedCompletion | undefined;
  /** Random source in [0, 1) for jitter. */
  readonly random: () => number;
}

/**
 * Chooses how long to wait before the next poll, in ms. A plain function: supply your own.
 * The poller clamps what it returns to `[minIntervalMs, maxIntervalMs]` (a non-finite value
 * counts as `maxIntervalMs`), then lets server hints lengthen it (README: "The polling interval").
 *
 * @example
 * ```ts
 * const everyTwoSeconds: IntervalPolicy = () => 2_000;
 * ```
 */
export type IntervalPolicy = (context: PollContext) => number;

/** The largest delay timers accept (2^31 - 1 ms); longer ones fire at once in every runtime. */
export const MAX_TIMER_MS = 2_147_483_647;

/**
 * Clamps a delay to `[min, max]` (and never past {@link MAX_TIMER_MS}), mapping NaN and
 * `Infinity` to `max` and negatives (`-Infinity` too) to `min`,
 * so that no policy or hint can cause a hot loop or a timer overflow.
 *
 * @example
 * ```ts
 * clampDelay(Number.NaN, 500, 30_000); // 30_000
 * ```
 */
export function clampDelay(value: number, min: number, max: number): number {
  if (Number.isNaN(value) || value === Number.POSITIVE_INFINITY) return Math.min(max, MAX_TIMER_MS);
  return Math.min(Math.max(value, min), max, MAX_TIMER_MS);
}
