import type { DocumentStatus, WithMeta } from '@neurostatus/core';
import { type ExpectedCompletion, MAX_TIMER_MS } from './interval-policy.ts';

/**
 * How a {@link WatchState} reads and understands one kind of status.
 *
 * @example
 * ```ts
 * const source: StatusSource<DocumentStatus> = documentSource(client, id, estimator);
 * ```
 */
export interface StatusSource<T> {
  /** E.g. `document 1d69...`, for messages. */
  readonly subject: string;
  /** One call of the client, bounded by `deadlineMs` when the watch has a deadline. */
  fetch(signal: AbortSignal, deadlineMs: number | undefined): Promise<WithMeta<T>>;
  isTerminal(value: T): boolean;
  /** What the interval policy gets to see of the last value. */
  describe(
    value: T | undefined,
    now: number,
  ): {
    status: DocumentStatus | undefined;
    expected: ExpectedCompletion | undefined;
  };
  /** Called with every successful answer (the estimator learns from terminal ones). */
  observe?(value: T): void;
}

/**
 * The per-call `deadlineMs` for the client from what is left of the watch: at least 1 ms, at most
 * what timers accept, none when the watch has no deadline.
 *
 * @example
 * ```ts
 * client.getDocumentStatusWithMeta(id, { signal, ...callDeadline(remainingMs) });
 * ```
 */
export function callDeadline(remainingMs: number | undefined): { deadlineMs?: number } {
  if (remainingMs === undefined) return {};
  return { deadlineMs: Math.max(1, Math.min(remainingMs, MAX_TIMER_MS)) };
}
