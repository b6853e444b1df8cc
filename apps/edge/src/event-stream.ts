import { type PollerClock, systemClock } from '@neurostatus/poller';
import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import { errorBody } from './edge-error.ts';
import { etagOf } from './etag.ts';
import type { FeedListener } from './feed-hub.ts';
import { onAbort } from './on-abort.ts';

/** One thing to tell an event-stream client. */
type StreamEvent =
  | { readonly type: 'status'; readonly body: string }
  | { readonly type: 'end' }
  | { readonly type: 'error'; readonly body: string };

/** Options of {@link eventStream}. */
export interface EventStreamOptions {
  /** Subscribes to the feed (bodies as JSON text); returns the function that unsubscribes. */
  readonly subscribe: (listener: FeedListener<string>) => () => void;
  /** The JSON error body for a failed feed. */
  readonly describeError: (error: unknown) => string;
  readonly clock: PollerClock;
  /**
   * The clock of the time limit on each write (`STREAM_WRITE_TIMEOUT_MS`). Default: real time,
   * whatever `clock` is: it guards the socket, not the watch.
   */
  readonly writeClock?: PollerClock;
  readonly heartbeatMs: number;
  /** Called once when the stream is over, however it ended. */
  readonly onClose?: () => void;
  /** The server is shutting down: the stream closes without `end`, so the client reconnects. */
  readonly shutdown?: AbortSignal;
  /** When the client's credential expires (epoch ms): the stream closes then, without `end`. */
  readonly closeAt?: number;
}

/**
 * The event that ends a stream whose feed failed (data: the JSON error body). Not `error`:
 * EventSource fires its own `error` event on every disconnect, and browsers hand a server event
 * named `error` to the same `onerror` handler, so the two could not be told apart.
 */
export const FAILURE_EVENT = 'failure';

/** How long a client waits before reconnecting after a drop (the SSE `retry` field), ms. */
const RECONNECT_MS = 2_000;

/**
 * How long one write may wait for a client that takes nothing (its socket's buffers full) before
 * the stream is dropped, ms: its slot among `EDGE_MAX_EVENT_STREAMS` and its poll loop are freed.
 */
export const STREAM_WRITE_TIMEOUT_MS = 30_000;

/**
 * A Server-Sent Events response that pushes each status of a feed and ends after the terminal
 * one (an `end` event, then the stream closes). Each `status` event's `id` is the ETag of its body
 * (without quotes), so a client reconnecting with `Last-Event-ID` is not sent again what it has,
 * on this instance or another. A comment line every `heartbeatMs` keeps idle connections (and
 * Bun, which closes them after 10 s) open.
 *
 * @example
 * ```ts
 * return eventStream(c, { subscribe, describeError, clock, heartbeatMs: 5_000 });
 * ```
 */
export function eventStream(c: Context, options: EventStreamOptions): Response {
  const { clock, heartbeatMs, writeClock = systemClock } = options;
  let lastId = c.req.header('last-event-id')?.trim();
  const response = streamSSE(c, async (stream) => {
    const pending = new PendingEvents();
    let wake: (() => void) | undefined;
    const push = (event: StreamEvent) => {
      pending.push(event);
      wake?.();
    };
    const closed = new AbortController();
    const close = () => {
      closed.abort();
      wake?.();
    };
    stream.onAbort(close);
    const stopWaiting =
      options.shutdown === undefined ? () => {} : onAbort(options.shutdown, close);
    /** Whether the client took `write`'s bytes in time; if not, the stream is dropped. */
    const sent = async (write: Promise<unknown>) => {
      if (await takesLonger(writeClock, write, STREAM_WRITE_TIMEOUT_MS)) {
        stream.abort();
        return false;
      }
      return true;
    };
    const unsubscribe = options.subscribe({
      status: (body) => push({ type: 'status', body }),
      end: () => push({ type: 'end' }),
      error: (error) => push({ type: 'error', body: options.describeError(error) }),
    });
    try {
      if (!(await sent(stream.write(`retry: ${RECONNECT_MS}\n\n`)))) return;
      while (!closed.signal.aborted) {
        const event = pending.shift();
        if (event === undefined) {
          const untilClose = (options.closeAt ?? Number.POSITIVE_INFINITY) - clock.now();
          // The credential has expired: close without `end`; the client comes back with a new one.
          if (untilClose <= 0) break;
          const waitMs = Math.min(heartbeatMs, untilClose);
          if (await idle(clock, waitMs, closed.signal, (resolve) => (wake = resolve))) {
            if (waitMs === heartbeatMs && !(await sent(stream.write(': heartbeat\n\n')))) break;
          }
          wake = undefined;
          continue;
        }
        if (event.type === 'status') {
          const id = (await etagOf(event.body)).slice(1, -1);
          if (id === lastId) continue;
          lastId = id;
          if (!(await sent(stream.writeSSE({ event: 'status', id, data: event.body })))) break;
        } else if (event.type === 'end') {
          // `end` means "finished"; a shutdown is not that, and the client should reconnect.
          if (options.shutdown?.aborted !== true)
            await sent(stream.writeSSE({ event: 'end', data: '{}' }));
          break;
        } else {
          await sent(stream.writeSSE({ event: FAILURE_EVENT, data: event.body }));
          break;
        }
      }
    } finally {
      stopWaiting();
      unsubscribe();
      options.onClose?.();
    }
  });
  // `streamSSE` sets `Transfer-Encoding: chunked` and `Connection: keep-alive`. Both are the
  // server's to choose (hop-by-hop), and wrong for an HTTP/1.0 client, which must not get chunked
  // encoding (RFC 9112 section 6.1): the server frames the stream for the connection it has.
  response.headers.delete('transfer-encoding');
  response.headers.delete('connection');
  return response;
}

/** Whether `work` is still pending after `ms` (it is not cancelled; the caller decides). */
async function takesLonger(clock: PollerClock, work: Promise<unknown>, ms: number) {
  const done = new AbortController();
  const late = clock.sleep(ms, done.signal).then(
    () => true,
    () => false,
  );
  const longer = await Promise.race([work.then(() => false), late]);
  done.abort();
  return longer;
}

/**
 * What a stream has yet to send: the newest status only (each is the whole status, so one that a
 * newer one replaced need not be sent: a client that reads slowly, or not at all, holds one
 * status, not every status of a long watch), then the end or failure, after which nothing.
 */
class PendingEvents {
  #status: StreamEvent | undefined;
  #last: StreamEvent | undefined;
  #ended = false;

  push(event: StreamEvent): void {
    if (this.#ended) return;
    if (event.type === 'status') this.#status = event;
    else {
      this.#last = event;
      this.#ended = true;
    }
  }

  shift(): StreamEvent | undefined {
    const next = this.#status ?? this.#last;
    if (next === this.#status) this.#status = undefined;
    else this.#last = undefined;
    return next;
  }
}

/**
 * Waits until woken (an event or an abort) or `ms` pass; true when the time ran out (time for a
 * heartbeat). The sleep is cancelled on wake so no timer outlives the wait.
 */
async function idle(
  clock: PollerClock,
  ms: number,
  closed: AbortSignal,
  onWake: (resolve: () => void) => void,
): Promise<boolean> {
  if (closed.aborted) return false;
  const sleeping = new AbortController();
  const woken = new Promise<false>((resolve) =>
    onWake(() => {
      sleeping.abort();
      resolve(false);
    }),
  );
  const slept = clock.sleep(ms, sleeping.signal).then(
    () => true,
    () => false,
  );
  return Promise.race([woken, slept]);
}

/** The error body of an event stream that failed for a reason the proxy does not know. */
export const STREAM_FAILED = errorBody('UPSTREAM_UNAVAILABLE', 'The status feed failed.');
