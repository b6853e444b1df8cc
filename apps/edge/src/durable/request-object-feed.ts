import type { FeedMessage } from './feed-message.ts';
import { readFeedMessages } from './read-feed-messages.ts';
import { type StatusObjects, statusObjectUrl } from './status-object-address.ts';

/**
 * How a document's status object follows the feed of its request's object: attached with the
 * document's own credential (`authorization`: the tenant's key in `passthrough` mode, passed on
 * as it arrived and never stored; none otherwise, where both objects use the proxy's key), so the
 * request's object is the one of the same tenant, found by the same naming rule. The messages
 * come as they arrive; a feed that cannot be reached, is refused or breaks off just ends.
 *
 * @example
 * ```ts
 * const follow = requestObjectFeed(objectsPromise, authorization);
 * for await (const message of follow(requestId, signal)) handle(message);
 * ```
 */
export function requestObjectFeed(
  objects: () => Promise<StatusObjects>,
  authorization: string | undefined,
): (requestId: string, signal: AbortSignal) => AsyncIterable<FeedMessage> {
  return async function* follow(requestId, signal) {
    const target = { kind: 'request', id: requestId } as const;
    let response: Response;
    try {
      const stub = await (await objects())(target, authorization);
      response = await stub.fetch(statusObjectUrl(target, 'events'), {
        headers: authorization === undefined ? {} : { authorization },
      });
    } catch {
      return;
    }
    if (!response.ok || response.body === null) {
      await response.body?.cancel();
      return;
    }
    try {
      yield* readFeedMessages(response.body, signal);
    } catch {
      // Broken off (the request's object restarted): the document's own polls take over.
    }
  };
}
