import type { StoredStatus } from './status-store.ts';

/** An answer to an event-stream request that opens no stream. */
export type StreamPreflightReply =
  | { readonly status: 204; readonly body: null; readonly headers: Record<string, string> }
  | { readonly status: 404; readonly body: string; readonly headers: Record<string, string> };

/**
 * What the cache already says about a stream's id, before any stream or poll loop starts; GET
 * and HEAD both ask it, so they agree:
 * - a finished status whose id (its ETag) the client sent as `Last-Event-ID`: 204, which tells
 *   EventSource to stop reconnecting (WHATWG HTML, server-sent events);
 * - an id the upstream did not know when last asked (a stream ended with `failure` /
 *   `NOT_FOUND`, or a status read got 404), while that answer is fresh: 404 JSON, which also
 *   stops EventSource (any answer but 200 `text/event-stream` is final for it).
 * Otherwise undefined: open the stream (from `fresh` when it is finished).
 *
 * @example
 * ```ts
 * const reply = streamPreflight(await cache.fresh(key), c.req.header('last-event-id'));
 * if (reply?.status === 404) return c.body(reply.body, 404, reply.headers);
 * ```
 */
export function streamPreflight(
  fresh: StoredStatus | undefined,
  lastEventId: string | undefined,
): StreamPreflightReply | undefined {
  if (fresh === undefined) return undefined;
  if (fresh.status === 404) {
    return {
      status: 404,
      body: fresh.body,
      headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
    };
  }
  if (fresh.terminal && fresh.etag.slice(1, -1) === lastEventId?.trim()) {
    return { status: 204, body: null, headers: { 'cache-control': 'no-store' } };
  }
  return undefined;
}
