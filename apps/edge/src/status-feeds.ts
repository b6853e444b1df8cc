import { type DocumentStatus, isNeurolinkerError, type NeurolinkerClient } from '@neurostatus/core';
import {
  type PollerClock,
  type PollScheduler,
  watchRequest,
  watchStatus,
} from '@neurostatus/poller';
import type { FeedListener, FeedSource } from './feed-hub.ts';
import { onAbort } from './on-abort.ts';
import type { UpstreamAnswer } from './status-cache.ts';
import { notFoundAnswer, statusAnswer } from './status-loader.ts';

// The sources of event-stream feeds: each starts one upstream poll loop and returns how to stop
// it; the feed hub shares it between a key's streams. Every source hands what it learns to
// `remember` (the cache, through `rememberFeedAnswer`): each status, and "not found" when the id
// never appeared, so a reconnecting client is answered from the cache (204 after the final status,
// 404 for an unknown id) instead of by a new poll loop.

/** Stores what a feed learned; never throws. */
export type RememberAnswer = (answer: UpstreamAnswer) => void;

/**
 * A sink that remembers each status and a final "not found" before passing them on. A status it
 * cannot serve (nested too deep) fails the feed and calls `abandon` to stop the loop.
 */
function remembering(
  kind: 'document' | 'request',
  sink: FeedListener<string>,
  remember: RememberAnswer,
  abandon: () => void,
): FeedListener<unknown> {
  return {
    status(value) {
      let answer: UpstreamAnswer;
      try {
        answer = statusAnswer(kind, value as Parameters<typeof statusAnswer>[1]);
      } catch (error) {
        abandon();
        sink.error(error);
        return;
      }
      remember(answer);
      sink.status(answer.body);
    },
    end: () => sink.end(),
    error(error) {
      if (isNeurolinkerError(error) && error.code === 'NOT_FOUND') {
        remember(notFoundAnswer(kind));
      }
      sink.error(error);
    },
  };
}

/**
 * A document's event feed through the scheduler's shared loop (one per client and document); each
 * status also goes to `remember` (the cache). Documents of one request watched by one client are
 * polled together, one request poll a round (the scheduler's batching): from the first poll when
 * `requestId` is given, else once their first answers name the request.
 *
 * @example
 * ```ts
 * hub.subscribe(key, sharedDocumentFeed(scheduler, client, id, remember, requestId), listener);
 * ```
 */
export function sharedDocumentFeed(
  scheduler: PollScheduler,
  client: NeurolinkerClient,
  id: string,
  remember: RememberAnswer,
  requestId?: string,
): FeedSource<string> {
  const options = requestId === undefined ? {} : { requestId };
  return sharedFeed('document', remember, (listener) =>
    scheduler.subscribe(client, id, listener, options),
  );
}

/**
 * A request's event feed through the scheduler's shared request poll (one per client and
 * request): the same poll that the client's watched documents of that request are batched on, in
 * the scheduler's rate budget. Each status also goes to `remember` (the cache).
 *
 * @example
 * ```ts
 * hub.subscribe(key, sharedRequestFeed(scheduler, client, id, remember), listener);
 * ```
 */
export function sharedRequestFeed(
  scheduler: PollScheduler,
  client: NeurolinkerClient,
  id: string,
  remember: RememberAnswer,
): FeedSource<string> {
  return sharedFeed('request', remember, (listener) =>
    scheduler.subscribeRequest(client, id, listener),
  );
}

/**
 * A feed from one of the scheduler's shared polls: `subscribe` attaches a listener and returns how
 * to detach it. A status that cannot be served detaches it (the poll stops with its last one).
 */
function sharedFeed(
  kind: 'document' | 'request',
  remember: RememberAnswer,
  subscribe: (listener: FeedListener<unknown>) => () => void,
): FeedSource<string> {
  return (sink) => {
    let abandoned = false;
    let unsubscribe: (() => void) | undefined;
    const abandon = () => {
      abandoned = true;
      unsubscribe?.();
    };
    unsubscribe = subscribe(remembering(kind, sink, remember, abandon));
    if (abandoned) unsubscribe();
    return unsubscribe;
  };
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
  remember: RememberAnswer,
): FeedSource<string> {
  return documentLoopFeed((signal) => watchStatus(client, id, { signal, clock }), remember);
}

/**
 * A document's event feed driven by any loop of its statuses (Workers: a status object's loop,
 * which reads its request's object where it can), with the same rules as {@link ownDocumentFeed}:
 * each status is served and remembered, the loop's end is `end`, its failure `error`, and the last
 * listener leaving aborts it.
 *
 * @example
 * ```ts
 * hub.subscribe(key, documentLoopFeed((signal) => statuses(signal), remember), listener);
 * ```
 */
export function documentLoopFeed(
  iterate: (signal: AbortSignal) => AsyncIterable<DocumentStatus>,
  remember: RememberAnswer,
): FeedSource<string> {
  return loopFeed('document', iterate, remember);
}

/**
 * A request's event feed with a `watchRequest` loop of its own (Workers, where a loop cannot be
 * shared between requests, and a status object's loop), stopped when its last listener leaves or
 * when `shutdown` aborts; each status also goes to `remember` (the cache).
 *
 * @example
 * ```ts
 * hub.subscribe(key, requestFeed(client, id, clock, shutdown, remember), listener);
 * ```
 */
export function requestFeed(
  client: NeurolinkerClient,
  id: string,
  clock: PollerClock,
  shutdown: AbortSignal | undefined,
  remember: RememberAnswer,
): FeedSource<string> {
  return loopFeed(
    'request',
    async function* (signal) {
      for await (const progress of watchRequest(client, id, { signal, clock }))
        yield progress.request;
    },
    remember,
    shutdown,
  );
}

/**
 * An event feed from elsewhere (Workers: the status's Durable Object), which stores its statuses
 * itself: this adds what the local loops also remember, a final "not found", so a reconnecting
 * client gets 404 from the cache here too.
 *
 * @example
 * ```ts
 * hub.subscribe(key, notFoundRemembered('document', eventFeed(request), remember), listener);
 * ```
 */
export function notFoundRemembered(
  kind: 'document' | 'request',
  source: FeedSource<string>,
  remember: RememberAnswer,
): FeedSource<string> {
  return (sink) =>
    source({
      status: (body) => sink.status(body),
      end: () => sink.end(),
      error(error) {
        if (isNeurolinkerError(error) && error.code === 'NOT_FOUND') {
          remember(notFoundAnswer(kind));
        }
        sink.error(error);
      },
    });
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
 * A feed driven by one async iterator of statuses: each value is sent (and remembered), the end
 * of the iteration is `end`, a failure is `error`. The last listener leaving aborts the loop;
 * `shutdown` ends it.
 */
function loopFeed(
  kind: 'document' | 'request',
  iterate: (signal: AbortSignal) => AsyncIterable<unknown>,
  remember: RememberAnswer,
  shutdown?: AbortSignal,
): FeedSource<string> {
  return (outer) => {
    const stop = new AbortController();
    const sink = remembering(kind, outer, remember, () => stop.abort());
    const stopWaiting = shutdown === undefined ? () => {} : onAbort(shutdown, () => stop.abort());
    (async () => {
      try {
        for await (const value of iterate(stop.signal)) sink.status(value);
        sink.end();
      } catch (error) {
        if (shutdown?.aborted === true) sink.end();
        else if (!stop.signal.aborted) sink.error(error);
      } finally {
        stopWaiting();
      }
    })();
    return () => stop.abort();
  };
}
