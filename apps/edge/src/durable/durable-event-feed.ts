import { ConnectionError, delay } from '@neurostatus/core';
import type { EventFeedRequest } from '../event-routes.ts';
import type { FeedListener, FeedSource } from '../feed-hub.ts';
import { fromWireError } from './feed-message.ts';
import { readFeedMessages } from './read-feed-messages.ts';
import { type StatusObjects, statusObjectUrl } from './status-object-address.ts';

/** Attachments tried in a row after the object's feed broke off (a restarted object). */
const MAX_REATTACH = 3;
/** Wait before the first reattachment, ms; doubled each time. */
const REATTACH_DELAY_MS = 250;

/** How one attachment ended: the feed finished (end or error), or it broke off. */
type Attachment = 'finished' | 'broken';

/**
 * Event feeds from status objects: each feed is an attachment to the Durable Object of that
 * (tenant, kind, id), whose one poll loop serves every stream of every isolate. In the Worker each
 * stream has an attachment of its own (`shareEventLoops: false`: I/O belongs to the request that
 * started it), the object's loop and calls are what is shared, and the streams (ids,
 * `Last-Event-ID`, heartbeats, token expiry) work as on every runtime. A feed that breaks off (the
 * object restarted) attaches again, up to three times in a row; the object sends the latest status
 * again, which a stream that already sent it skips (same body, same id).
 *
 * @example
 * ```ts
 * const edge = await createEdge(env, { eventFeed: durableEventFeed(objectFor) });
 * ```
 */
export function durableEventFeed(
  objectFor: StatusObjects,
): (request: EventFeedRequest) => FeedSource<string> {
  return (request) => (sink) => {
    const stop = new AbortController();
    (async () => {
      for (let attempt = 0; !stop.signal.aborted; attempt++) {
        if ((await attach(objectFor, request, sink, stop.signal)) === 'finished') return;
        if (stop.signal.aborted) return;
        if (attempt >= MAX_REATTACH) {
          sink.error(new ConnectionError('The status object could not be reached.'));
          return;
        }
        await delay(REATTACH_DELAY_MS * 2 ** attempt, stop.signal);
      }
    })().catch((error: unknown) => {
      if (!stop.signal.aborted) sink.error(error);
    });
    return () => stop.abort();
  };
}

/** Follows one attachment until it finishes, breaks off, or `signal` aborts. */
async function attach(
  objectFor: StatusObjects,
  request: EventFeedRequest,
  sink: FeedListener<string>,
  signal: AbortSignal,
): Promise<Attachment> {
  const target = { kind: request.kind, id: request.id };
  const stub = await objectFor(target, request.authorization);
  let response: Response;
  try {
    response = await stub.fetch(statusObjectUrl(target, 'events'), {
      headers: request.authorization === undefined ? {} : { authorization: request.authorization },
    });
  } catch {
    return 'broken';
  }
  if (!response.ok || response.body === null) {
    await response.body?.cancel();
    return 'broken';
  }
  try {
    for await (const message of readFeedMessages(response.body, signal)) {
      if (message.type === 'beat') continue;
      if (message.type === 'status') {
        request.remember(message.body, message.terminal);
        sink.status(message.body);
      } else if (message.type === 'end') {
        sink.end();
        return 'finished';
      } else {
        sink.error(fromWireError(message.error));
        return 'finished';
      }
    }
    return 'broken';
  } catch {
    return 'broken';
  }
}
