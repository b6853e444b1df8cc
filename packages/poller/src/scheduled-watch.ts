import type { DocumentStatus } from '@neurostatus/core';
import type { PollerClock } from './clock.ts';
import { WatchTimeoutError } from './errors.ts';
import { lazyStream } from './lazy-stream.ts';
import type { StatusListener } from './status-listener.ts';

/**
 * What {@link scheduledWatch} needs besides the subscription.
 *
 * @example
 * ```ts
 * const consumer: ScheduledWatchConsumer = { clock, signal, timeoutMs: 60_000, subject: `document ${id}` };
 * ```
 */
export interface ScheduledWatchConsumer {
  readonly clock: PollerClock;
  readonly signal: AbortSignal | undefined;
  /** The consumer's own deadline, in ms (`Infinity` for none). */
  readonly timeoutMs: number;
  /** E.g. `document 1d69...`, for the `WatchTimeoutError`. */
  readonly subject: string;
}

/**
 * One consumer of a shared loop (a document's, a request's) as a `for await` stream: subscribes on the first `next()`,
 * unsubscribes when the consumer stops, and ends it with a `WatchTimeoutError` (with the last
 * status) when its own `timeoutMs` passes, without touching the loop's other consumers.
 *
 * @example
 * ```ts
 * const statuses = scheduledWatch((listener) => scheduler.subscribe(client, id, listener), {
 *   clock: scheduler.clock,
 *   signal,
 *   timeoutMs: 60_000,
 *   subject: `document ${id}`,
 * });
 * ```
 */
export function scheduledWatch<T = DocumentStatus>(
  subscribe: (listener: StatusListener<T>) => () => void,
  { clock, signal, timeoutMs, subject }: ScheduledWatchConsumer,
): AsyncIterableIterator<T> {
  return lazyStream<T>(signal, (channel) => {
    let last: T | undefined;
    const unsubscribe = subscribe({
      status: (status) => {
        last = status;
        channel.push(status);
      },
      end: () => channel.close(),
      error: (error) => channel.fail(error),
    });
    const deadline = Number.isFinite(timeoutMs) ? new AbortController() : undefined;
    if (deadline !== undefined) {
      clock.sleep(timeoutMs, deadline.signal).then(
        () => channel.fail(new WatchTimeoutError(subject, timeoutMs, last)),
        () => {},
      );
    }
    return () => {
      deadline?.abort();
      unsubscribe();
    };
  });
}
