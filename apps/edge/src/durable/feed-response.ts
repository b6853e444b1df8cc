import type { StatusKind } from '../cache-key.ts';
import type { FeedListener } from '../feed-hub.ts';
import { encodeFeedMessage, type FeedMessage, toWireError } from './feed-message.ts';
import { terminalOf } from './upstream-reply.ts';

/** Options of {@link feedResponse}. */
export interface FeedResponseOptions {
  readonly kind: StatusKind;
  /** Listens to the object's feed; returns the function that stops listening. */
  readonly subscribe: (listener: FeedListener<string>) => () => void;
  /** Where the response's heartbeat is kept while it is open (the object beats them all). */
  readonly beats: Set<() => void>;
  /** Called when the feed has finished (end or error). */
  readonly onFinish: () => void;
}

/**
 * One attachment to a status object's feed, as a streaming response of newline-delimited JSON
 * (`FeedMessage`): each status, then `end` or `error`, and the stream closes. When the reader goes
 * away (the Worker's last client left), workerd cancels the stream at the next write (a status or
 * a heartbeat) and the listener is removed, so the loop stops with its last attachment. The latest
 * status a running feed hands a new attachment at once is marked `replay`.
 *
 * @example
 * ```ts
 * return feedResponse({ kind, subscribe: (listener) => hub.subscribe('feed', source, listener), beats, onFinish });
 * ```
 */
export function feedResponse(options: FeedResponseOptions): Response {
  const { kind, beats } = options;
  let detach: (() => void) | undefined;
  let closed = false;
  let beat: (() => void) | undefined;
  const stop = () => {
    closed = true;
    if (beat !== undefined) beats.delete(beat);
  };
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      const send = (message: FeedMessage, last = false) => {
        if (closed) return;
        controller.enqueue(encodeFeedMessage(message));
        if (!last) return;
        stop();
        controller.close();
        options.onFinish();
      };
      beat = () => send({ type: 'beat' });
      beats.add(beat);
      // A status given while subscribing is the feed's latest, replayed (see `FeedMessage`).
      let subscribing = true;
      detach = options.subscribe({
        status: (body) =>
          send({
            type: 'status',
            body,
            terminal: terminalOf(kind, body) === true,
            ...(subscribing ? { replay: true } : {}),
          }),
        end: () => send({ type: 'end' }, true),
        error: (error) => send({ type: 'error', error: toWireError(error) }, true),
      });
      subscribing = false;
    },
    cancel() {
      stop();
      detach?.();
    },
  });
  return new Response(stream, {
    headers: { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' },
  });
}
