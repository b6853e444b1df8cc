import { InvalidResponseError } from '@neurostatus/core';
import { createParser, type EventSourceMessage } from 'eventsource-parser';

/**
 * One event of a stream, with the default name (`message`) filled in.
 *
 * @example
 * ```ts
 * const message: StreamMessage = { event: 'status', id: 'abc', data: '{}' };
 * ```
 */
export interface StreamMessage {
  readonly event: string;
  readonly id: string | undefined;
  readonly data: string;
}

/** What the reader tells its owner besides events. */
export interface StreamReaderHooks {
  /** The stream set its reconnection time (`retry:`), ms. */
  onRetry(ms: number): void;
  /** Bytes arrived (an event, a comment such as a heartbeat, anything). */
  onActivity(): void;
}

/**
 * Reads a `text/event-stream` body into events, parsed by `eventsource-parser` (WHATWG HTML,
 * server-sent events), until the server closes it or `signal` aborts (then it just ends: the
 * caller knows why). The body is cancelled however the reading ends, so no socket outlives it.
 *
 * @throws {InvalidResponseError} for a stream that breaks the format (an event over `maxEventChars`).
 * @example
 * ```ts
 * for await (const message of readEventStream(response.body, hooks, signal, 1 << 20)) handle(message);
 * ```
 */
export async function* readEventStream(
  body: ReadableStream<Uint8Array>,
  hooks: StreamReaderHooks,
  signal: AbortSignal,
  maxEventChars: number,
): AsyncGenerator<StreamMessage, void, undefined> {
  const queue: StreamMessage[] = [];
  let failure: Error | undefined;
  const parser = createParser({
    maxBufferSize: maxEventChars,
    onEvent: (message: EventSourceMessage) =>
      queue.push({ event: message.event ?? 'message', id: message.id, data: message.data }),
    onRetry: (ms) => hooks.onRetry(ms),
    // An unknown field or a bad `retry:` is ignored, as the standard says; only an event too
    // large to hold is a broken stream.
    onError: (error) => {
      if (error.type !== 'max-buffer-size-exceeded') return;
      failure ??= new InvalidResponseError(
        `The event stream sent an event over ${maxEventChars} characters`,
        { attempts: 1 },
      );
    },
  });
  const decoder = new TextDecoder();
  const reader = body.getReader();
  // Cancelling the reader ends a pending `read()` at once: an abort alone can be lost on a body
  // read in some runtimes (Node 20's undici, after a garbage collection).
  const cancel = () => void reader.cancel().catch(() => {});
  signal.addEventListener('abort', cancel, { once: true });
  try {
    while (!signal.aborted) {
      const { value, done } = await reader.read();
      if (done) return;
      hooks.onActivity();
      parser.feed(decoder.decode(value, { stream: true }));
      if (failure !== undefined) throw failure;
      while (queue.length > 0) {
        const message = queue.shift() as StreamMessage;
        yield message;
      }
    }
  } finally {
    signal.removeEventListener('abort', cancel);
    cancel();
  }
}
