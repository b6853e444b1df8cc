import type { JsonErrorReply } from './json-error.ts';
import type { StoredStatus } from './status-store.ts';

/** An answer to an event-stream request that opens no stream. */
export type StreamPreflightReply =
  | { readonly status: 204; readonly body: null; readonly headers: Record<string, string> }
  | JsonErrorReply;

/**
 * What the proxy already knows about a stream's id, before any stream or poll loop starts; GET
 * and HEAD both ask it, so they agree:
 * - a finished status whose id (its ETag) the client sent as `Last-Event-ID`: 204, which tells
 *   EventSource to stop reconnecting (WHATWG HTML, server-sent events);
 * - a stream of this key the upstream refused a moment ago (`refusal`, see `StreamRefusals`):
 *   that answer (401, 402, 403 or 502 JSON), which also stops EventSource (any answer but 200
 *   `text/event-stream` is final for it);
 * - an id a stream waited for in vain (it ended with `failure` / `NOT_FOUND` after the poller's
 *   grace period) in the last 30 s (`ended`, kept apart by `rememberFeedAnswer`): 404 JSON. A
 *   status read's brief 404 (right after a submission, perhaps) does not count: the stream opens
 *   and waits for the id itself.
 * Otherwise undefined: open the stream (from `fresh` when it is finished).
 *
 * @example
 * ```ts
 * const reply = streamPreflight({ fresh, ended, lastEventId, refusal: refusals.find(key) });
 * if (reply !== undefined) return c.body(reply.body, reply.status, reply.headers);
 * ```
 */
export function streamPreflight(known: {
  /** The status's fresh cache entry, if any. */
  readonly fresh: StoredStatus | undefined;
  /** The fresh entry under `streamEndKey`: a stream's final "not found", if any. */
  readonly ended: StoredStatus | undefined;
  readonly lastEventId: string | undefined;
  /** A refusal of this stream's key, if any (`StreamRefusals`). */
  readonly refusal: JsonErrorReply | undefined;
}): StreamPreflightReply | undefined {
  const { fresh, ended, lastEventId, refusal } = known;
  if (refusal !== undefined) return refusal;
  if (ended?.status === 404) {
    return {
      status: 404,
      body: ended.body,
      headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
    };
  }
  if (fresh?.status === 200 && fresh.terminal && fresh.etag.slice(1, -1) === lastEventId?.trim()) {
    return { status: 204, body: null, headers: { 'cache-control': 'no-store' } };
  }
  return undefined;
}
