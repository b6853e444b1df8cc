import type { DocumentStatus, NeurolinkerClient } from '@neurostatus/core';
import {
  type PollerClock,
  type PollScheduler,
  watchRequest,
  watchStatus,
} from '@neurostatus/poller';
import type { FeedSource } from './feed-hub.ts';

// The sources of event-stream feeds: each starts one upstream poll loop and returns how to stop
// it; the feed hub shares it between a key's streams.

/**
 * A document's event feed through the scheduler's shared loop (one per client and document); each
 * status also goes to `remember` (the cache).
 *
 * @example
 * ```ts
 * hub.subscribe(key, sharedDocumentFeed(scheduler, client, id, remember), listener);
 * ```
 */
export function sharedDocumentFeed(
  scheduler: PollScheduler,
  client: NeurolinkerClient,
  id: string,
  remember: (status: DocumentStatus) => void,
): FeedSource<string> {
  return (sink) =>
    scheduler.subscribe(client, id, {
      status(status) {
        remember(status);
        sink.status(JSON.stringify(status));
      },
      end: () => sink.end(),
      error: (error) => sink.error(error),
    });
}

/**
 * A document's event feed with a `watchStatus` loop of its own (Workers, where a loop cannot be
 * shared between requests).
 *
 * @example
 * ```ts
 * hub.subscribe(`${key}#${crypto.randomUUID()}`, ownDocumentFeed(client, id, clock, remember), listener);
 * ```
 */
export function ownDocumentFeed(
  client: NeurolinkerClient,
  id: string,
  clock: PollerClock,
  remember: (status: DocumentStatus) => void,
): FeedSource<string> {
  return loopFeed(
    (signal) => watchStatus(client, id, { signal, clock }),
    (status) => {
      remember(status);
      return JSON.stringify(status);
    },
  );
}

/**
 * A request's event feed: one `watchRequest` loop, stopped when its last listener leaves or when
 * `shutdown` aborts.
 *
 * @example
 * ```ts
 * hub.subscribe(key, requestFeed(client, id, clock, shutdown), listener);
 * ```
 */
export function requestFeed(
  client: NeurolinkerClient,
  id: string,
  clock: PollerClock,
  shutdown: AbortSignal | undefined,
): FeedSource<string> {
  return loopFeed(
    (signal) => watchRequest(client, id, { signal, clock }),
    (progress) => JSON.stringify(progress.request),
    shutdown,
  );
}

/**
 * The feed of a status already known to be final: that status, then `end`. No upstream call.
 *
 * @example
 * ```ts
 * hub.subscribe(`${key}#done`, finishedFeed(entry.body), listener);
 * ```
 */
export function finishedFeed(body: string): FeedSource<string> {
  return (sink) => {
    sink.status(body);
    sink.end();
    return () => {};
  };
}

/**
 * A feed driven by one async iterator: each value is sent as `toBody(value)`, the end of the
 * iteration is `end`, a failure is `error`. The last listener leaving aborts the loop; `shutdown`
 * ends it.
 */
function loopFeed<T>(
  iterate: (signal: AbortSignal) => AsyncIterable<T>,
  toBody: (value: T) => string,
  shutdown?: AbortSignal,
): FeedSource<string> {
  return (sink) => {
    const stop = new AbortController();
    const onShutdown = () => stop.abort();
    shutdown?.addEventListener('abort', onShutdown, { once: true });
    (async () => {
      try {
        for await (const value of iterate(stop.signal)) sink.status(toBody(value));
        sink.end();
      } catch (error) {
        if (shutdown?.aborted === true) sink.end();
        else if (!stop.signal.aborted) sink.error(error);
      } finally {
        shutdown?.removeEventListener('abort', onShutdown);
      }
    })();
    return () => stop.abort();
  };
}
