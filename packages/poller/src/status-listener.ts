import type { DocumentStatus } from '@neurostatus/core';

/**
 * What a subscriber of `PollScheduler.subscribe` (a document, `T` = `DocumentStatus`) or
 * `PollScheduler.subscribeRequest` (a request, `T` = `RequestStatus`) is told. Listeners should
 * not throw.
 *
 * @example
 * ```ts
 * const stop = scheduler.subscribe(client, id, {
 *   status: (status) => send(status),
 *   end: () => close(),
 *   error: (error) => fail(error),
 * } satisfies StatusListener);
 * ```
 */
export interface StatusListener<T = DocumentStatus> {
  /** A status: the latest known one at once (when there is one), then each change (or every poll). */
  status(status: T): void;
  /** The document (or request) reached a terminal status (already delivered), or the scheduler was closed. */
  end(): void;
  /** The watch failed: a permanent error, too many transient ones, or a 404 after the grace period. */
  error(error: unknown): void;
}
