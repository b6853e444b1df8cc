import type { DocumentStatus, NeurolinkerClient } from '@neurostatus/core';
import type { PollScheduler } from '@neurostatus/poller';
import { batchedDocumentStatuses, requestIdOfStatus } from './durable/batched-document-statuses.ts';
import type { FeedMessage } from './durable/feed-message.ts';
import type { FeedSource } from './feed-hub.ts';
import { documentLoopFeed, type RememberAnswer } from './status-feeds.ts';
import { statusAnswer } from './status-loader.ts';

/** Options of {@link fleetDocumentFeed}. */
export interface FleetDocumentFeedOptions {
  readonly scheduler: PollScheduler;
  /** The tenant's client: the document's own polls, and the request it follows, are this key's. */
  readonly client: NeurolinkerClient;
  readonly documentId: string;
  /** The document's fresh status in the cache (this tenant's), if any: its request is followed at once. */
  readonly kept: DocumentStatus | undefined;
  /** The fleet-wide feed of one of this tenant's requests, as status-object feed messages. */
  readonly followRequest: (requestId: string, signal: AbortSignal) => AsyncIterable<FeedMessage>;
  readonly remember: RememberAnswer;
}

/**
 * The document's own polls, through the scheduler's shared loop. A closed scheduler (the proxy is
 * closing) has none to give: the feed then ends, as the scheduler's own feeds do.
 */
async function* ownPolls(
  scheduler: PollScheduler,
  client: NeurolinkerClient,
  documentId: string,
  signal: AbortSignal,
): AsyncGenerator<DocumentStatus, void, undefined> {
  if (scheduler.closed) return;
  yield* scheduler.watch(client, documentId, { signal });
}

/**
 * A document's event feed in a fleet (issue 13 in a fleet: one request loop for the documents of
 * a request, whichever instances lead their streams). The instance that leads the document's feed
 * polls the document (through its scheduler) until an answer names its request, or starts from
 * the request its cached status names; it then follows that request's feed, which is fleet-wide
 * too (one instance polls the request for the whole fleet), and takes the document's entry from
 * each request status. It goes back to polls of its own when the request's list leaves the
 * document out or lists it invalidly, or when the request's feed ends or fails: the same loop as
 * a Workers document object that follows its request's object (`batchedDocumentStatuses`).
 *
 * @example
 * ```ts
 * hub.subscribe(key, fleetDocumentFeed({ scheduler, client, documentId, kept, followRequest, remember }), listener);
 * ```
 */
export function fleetDocumentFeed(options: FleetDocumentFeedOptions): FeedSource<string> {
  const { scheduler, client, documentId, kept } = options;
  return documentLoopFeed(
    batchedDocumentStatuses({
      documentId,
      requestId: kept === undefined ? undefined : requestIdOfStatus(kept),
      kept,
      poll: (signal) => ownPolls(scheduler, client, documentId, signal),
      follow: options.followRequest,
      // Each status is remembered as the feed sends it; one that cannot be served (nested too
      // deep) is left to the document's own polls, which say why.
      keep: async (status) => {
        try {
          statusAnswer('document', status);
          return true;
        } catch {
          return false;
        }
      },
      // The request's feed here has no heartbeats of its own to pass on.
      beat: () => {},
    }),
    options.remember,
  );
}
