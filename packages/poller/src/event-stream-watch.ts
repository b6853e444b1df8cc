import {
  ConnectionError,
  InvalidResponseError,
  isNeurolinkerError,
  type NeurolinkerError,
  parseHttpDate,
  redactedCause,
  retryDelay,
  secretRedactor,
  TimeoutError,
} from '@neurostatus/core';
import { WatchTimeoutError } from './errors.ts';
import {
  isErrorBody,
  streamErrorCode,
  streamEventError,
  streamResponseError,
} from './event-stream-error.ts';
import { EVENT_STREAM_DEFAULTS, type ResolvedEventStreamOptions } from './event-stream-options.ts';
import { readEventStream } from './event-stream-reader.ts';
import { requestEventStream } from './event-stream-request.ts';
import { classifyPollError } from './poll-error-kind.ts';
import { sameStatus } from './same-status.ts';
import { detectedTransport, rememberTransport } from './transport-detection.ts';
import type { ResolvedWatchOptions } from './watch-options.ts';

/** How long a connection must stay up, with events or heartbeats, to count as a success, ms. */
const HEALTHY_STREAM_MS = 10_000;

/**
 * A status and the clock skew measured with it (local minus server time, ms), so server
 * timestamps such as `started_at` can be compared with the local clock.
 *
 * @example
 * ```ts
 * const serverNow = clock.now() - timed.clockOffsetMs;
 * ```
 */
export interface TimedValue<T> {
  readonly value: T;
  readonly clockOffsetMs: number;
}

/**
 * What an event-stream watch watches: a document or a request.
 *
 * @example
 * ```ts
 * const target: StreamTarget<DocumentStatus> = { kind: 'document', id, subject: `document ${id}`, parse: parseDocumentStatus, isTerminal: isTerminalDocumentStatus, poll };
 * ```
 */
export interface StreamTarget<T> {
  readonly kind: 'document' | 'request';
  readonly id: string;
  /** E.g. `document 1d69...`, for messages. */
  readonly subject: string;
  /** Validates one event's JSON. @throws {InvalidResponseError} */
  parse(json: unknown): T;
  isTerminal(value: T): boolean;
  /** Polls instead, from now on, with these options (what is left of the deadline). */
  poll(options: ResolvedWatchOptions): AsyncIterable<TimedValue<T>>;
}

/** How one connection attempt went. */
type Connection =
  | { readonly kind: 'stream'; readonly response: Response }
  /** 204: the client has the last status already (WHATWG: stop reconnecting). */
  | { readonly kind: 'done' }
  /** The URL serves no event stream (404, 405, 501, or not `text/event-stream`). */
  | { readonly kind: 'no-stream' }
  /** 503: the proxy has no room for another stream now. */
  | { readonly kind: 'busy' }
  /** A 401 with a `getToken` to ask again: reconnect at once with a fresh token. */
  | { readonly kind: 'refresh' }
  | { readonly kind: 'failed'; readonly error: NeurolinkerError };

/** The proxy's names for "the feed failed" (data: the error body): `failure`, formerly `error`. */
const FAILURE_EVENTS: ReadonlySet<string> = new Set(['failure', 'error']);

function isJson(data: string): boolean {
  try {
    JSON.parse(data);
    return true;
  } catch {
    return false;
  }
}

/** How one open stream ended. */
type StreamEnd = 'finished' | 'dropped' | { readonly error: NeurolinkerError };

/**
 * Watches through the proxy's event streams: yields the first status and each change (never the
 * same status twice, across reconnections too), ends on a terminal status, `end` or 204, and
 * polls instead where no stream can be had. A dropped stream is reopened with `Last-Event-ID`
 * after the stream's `retry:` time plus jitter, backing off while attempts fail. `break` or the
 * signal abort the connection at once; the deadline throws a {@link WatchTimeoutError}.
 *
 * @example
 * ```ts
 * for await (const { value } of watchOverEvents(client, documentTarget, stream, options)) show(value);
 * ```
 */
export async function* watchOverEvents<T>(
  client: object,
  target: StreamTarget<T>,
  stream: ResolvedEventStreamOptions,
  options: ResolvedWatchOptions,
): AsyncGenerator<TimedValue<T>, void, undefined> {
  const watch = new EventStreamWatch(client, target, stream, options);
  try {
    yield* watch.run();
  } finally {
    watch.stop();
  }
}

class EventStreamWatch<T> {
  readonly #client: object;
  readonly #target: StreamTarget<T>;
  readonly #stream: ResolvedEventStreamOptions;
  readonly #options: ResolvedWatchOptions;
  readonly #startedAt: number;
  readonly #stop = new AbortController();
  readonly #signal: AbortSignal;
  #last: T | undefined;
  #lastEventId: string | undefined;
  #retryMs: number = EVENT_STREAM_DEFAULTS.reconnectMs;
  #failures = 0;
  #refreshed = false;
  #lastError: unknown;
  #clockOffsetMs = 0;
  /** Removes the credential of the current connection from what the proxy sends back. */
  #redact: (text: string) => string = (text) => text;

  constructor(
    client: object,
    target: StreamTarget<T>,
    stream: ResolvedEventStreamOptions,
    options: ResolvedWatchOptions,
  ) {
    this.#client = client;
    this.#target = target;
    this.#stream = stream;
    this.#options = options;
    this.#lastEventId = stream.lastEventId;
    this.#startedAt = options.clock.now();
    this.#signal = options.signal
      ? AbortSignal.any([options.signal, this.#stop.signal])
      : this.#stop.signal;
    if (Number.isFinite(options.timeoutMs)) {
      // The deadline aborts whatever is in flight (a connection, a read, a reconnection wait).
      options.clock.sleep(options.timeoutMs, this.#stop.signal).then(
        () => this.#stop.abort(this.#timeout()),
        () => {},
      );
    }
  }

  stop(): void {
    this.#stop.abort();
  }

  async *run(): AsyncGenerator<TimedValue<T>, void, undefined> {
    const { baseUrl, transport } = this.#stream;
    if (transport === 'auto' && detectedTransport(this.#client, baseUrl) === 'poll') {
      yield* this.#pollInstead();
      return;
    }
    for (;;) {
      const connection = await this.#connect();
      if (connection.kind === 'done') return;
      if (connection.kind === 'no-stream') {
        rememberTransport(this.#client, baseUrl, 'poll');
        yield* this.#pollInstead();
        return;
      }
      if (connection.kind === 'busy') {
        yield* this.#pollInstead();
        return;
      }
      if (connection.kind === 'refresh') continue;
      if (connection.kind === 'failed') {
        await this.#recover(connection.error);
        continue;
      }
      rememberTransport(this.#client, baseUrl, 'events');
      const end: StreamEnd = yield* this.#read(connection.response);
      if (end === 'finished') return;
      if (end === 'dropped') await this.#sleepBeforeReconnect(undefined);
      else await this.#recover(end.error);
    }
  }

  /** Opens one stream; sorts the answer. */
  async #connect(): Promise<Connection> {
    const { kind, id, subject } = this.#target;
    const token = this.#stream.getToken === undefined ? undefined : await this.#stream.getToken();
    this.#throwIfStopped();
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    if (token !== undefined && token !== '') {
      // Checked here, not by `fetch`: its error would quote the header, token and all.
      if (typeof token !== 'string' || !/^[\x21-\x7e]+$/.test(token)) {
        throw new TypeError('`events.getToken()` must return visible ASCII with no whitespace.');
      }
      headers.authorization = `Bearer ${token}`;
    }
    this.#redact = secretRedactor(token ?? '');
    if (this.#lastEventId !== undefined) headers['last-event-id'] = this.#lastEventId;
    const answer = await requestEventStream({
      url: `${this.#stream.baseUrl}/${kind}-status/${encodeURIComponent(id)}/events`,
      headers,
      fetch: this.#stream.fetch,
      clock: this.#options.clock,
      // The same timer as a silent stream's: a connection that sends nothing is one.
      timeoutMs: this.#stream.idleTimeoutMs,
      signal: this.#signal,
    });
    this.#throwIfStopped();
    if (answer.kind === 'unreachable') {
      // A redacted copy of the cause: undici's parser error keeps the bytes it could not parse,
      // and a server that echoes the request into a malformed answer puts the header there.
      const message = `Could not open the event stream of ${subject}`;
      const cause = redactedCause(answer.cause, this.#redact);
      const error = new ConnectionError(message, { attempts: 1, cause });
      return { kind: 'failed', error };
    }
    if (answer.kind === 'stalled') {
      const { idleTimeoutMs } = this.#stream;
      const message = `The event stream of ${subject} did not answer within ${idleTimeoutMs} ms`;
      return {
        kind: 'failed',
        error: new TimeoutError(message, { timeoutMs: idleTimeoutMs, attempts: 1 }),
      };
    }
    const serverDate = parseHttpDate(answer.response.headers.get('date'));
    if (serverDate !== undefined) this.#measureClock(serverDate);
    if (answer.kind === 'stream') {
      this.#refreshed = false;
      return { kind: 'stream', response: answer.response };
    }
    return this.#sortRefusal(answer.response, answer.text);
  }

  /** Any answer but a stream: what it means for the watch. */
  #sortRefusal(response: Response, text: string): Connection {
    const { status } = response;
    if (status === 204) return { kind: 'done' };
    // A 404 the proxy explains as an unknown id is about the id, not the route: the proxy answers
    // it on reconnection while it remembers the upstream's 404 (`ROUTE_NOT_FOUND` is the route).
    const unknownId = status === 404 && streamErrorCode(text) === 'NOT_FOUND';
    if (!unknownId && (status === 200 || [404, 405, 501].includes(status))) {
      return { kind: 'no-stream' };
    }
    if (status === 503) return { kind: 'busy' };
    if (status === 401 && this.#stream.getToken !== undefined && !this.#refreshed) {
      // One fresh token per refusal: a second 401 in a row is final.
      this.#refreshed = true;
      return { kind: 'refresh' };
    }
    const context = {
      subject: this.#target.subject,
      now: this.#options.clock.now(),
      redact: this.#redact,
    };
    return { kind: 'failed', error: streamResponseError(status, text, response.headers, context) };
  }

  /** Reads one open stream until it ends; yields each new status. */
  async *#read(response: Response): AsyncGenerator<TimedValue<T>, StreamEnd, undefined> {
    const { clock } = this.#options;
    const connection = new AbortController();
    const signal = AbortSignal.any([this.#signal, connection.signal]);
    const openedAt = clock.now();
    let lastActivity = openedAt;
    let active = false;
    this.#watchIdle(() => lastActivity, connection, signal);
    const hooks = {
      onRetry: (ms: number) => {
        if (Number.isFinite(ms) && ms >= 0) this.#retryMs = ms;
      },
      onActivity: () => {
        // Bytes alone are no success: a stream that breaks at once (a broken status) must not
        // reset the failures, or it would never end the watch. A valid status does (below), and
        // so does a connection that stayed up and active for HEALTHY_STREAM_MS: after it drops,
        // the reconnect is a first attempt again (a proxy that skips a status the client has
        // sends only heartbeats while the document does not change).
        lastActivity = clock.now();
        active = true;
        if (lastActivity - openedAt >= HEALTHY_STREAM_MS) this.#failures = 0;
      },
    };
    const body = response.body as ReadableStream<Uint8Array>;
    const maxChars = EVENT_STREAM_DEFAULTS.maxEventChars;
    try {
      for await (const message of readEventStream(body, hooks, signal, maxChars)) {
        if (message.event === 'status') {
          const value = this.#parse(message.data);
          if (value === undefined) return this.#broken('a status that is not valid');
          this.#failures = 0;
          // WHATWG: an empty `id:` resets the last event id.
          if (message.id !== undefined) this.#lastEventId = message.id || undefined;
          if (this.#last === undefined || !sameStatus(this.#last, value)) {
            this.#last = value;
            yield { value, clockOffsetMs: this.#clockOffsetMs };
          }
          if (this.#target.isTerminal(value)) return 'finished';
        } else if (message.event === 'end') {
          return 'finished';
        } else if (FAILURE_EVENTS.has(message.event) || isErrorBody(message.data)) {
          // The proxy's `failure` event (named `error` before: it collided with EventSource's own
          // `error`), or any later name: an event whose data is an error body is one.
          const context = { subject: this.#target.subject, redact: this.#redact };
          return { error: streamEventError(message.data, context) };
        } else if (message.event === 'message' && !isJson(message.data)) {
          // The proxy names every event it sends and its data is JSON: an unnamed event that is
          // not JSON is a stream gone wrong (other names are ignored, for later versions).
          return this.#broken('an event that is not JSON');
        }
      }
    } catch (error) {
      this.#throwIfStopped();
      if (isNeurolinkerError(error)) return { error };
      const text = `The event stream of ${this.#target.subject} broke`;
      const cause = redactedCause(error, this.#redact);
      return { error: new ConnectionError(text, { attempts: 1, cause }) };
    } finally {
      connection.abort();
    }
    this.#throwIfStopped();
    if (active) return 'dropped';
    const text = `The event stream of ${this.#target.subject} closed before sending anything`;
    return { error: new ConnectionError(text, { attempts: 1 }) };
  }

  /** A stream that broke the protocol: a transient failure, as a garbled poll answer is. */
  #broken(what: string): { readonly error: NeurolinkerError } {
    const text = `The event stream of ${this.#target.subject} sent ${what}`;
    return { error: new InvalidResponseError(text, { attempts: 1 }) };
  }

  #parse(data: string): T | undefined {
    try {
      return this.#target.parse(JSON.parse(data));
    } catch {
      return undefined;
    }
  }

  /** Drops the connection when nothing arrives for `idleTimeoutMs`; stops with the connection. */
  #watchIdle(lastActivity: () => number, connection: AbortController, signal: AbortSignal): void {
    const { idleTimeoutMs } = this.#stream;
    const { clock } = this.#options;
    if (!Number.isFinite(idleTimeoutMs)) return;
    void (async () => {
      while (!signal.aborted) {
        const wait = lastActivity() + idleTimeoutMs - clock.now();
        if (wait <= 0) {
          connection.abort();
          return;
        }
        await clock.sleep(wait, signal).catch(() => {});
      }
    })();
  }

  /** A failure: give up (permanent, too many in a row, a 404 past its grace) or wait and retry. */
  async #recover(error: NeurolinkerError): Promise<void> {
    this.#lastError = error;
    const kind = classifyPollError(error);
    if (kind === 'permanent') throw error;
    if (kind === 'not-found') {
      // Right after submission the API may not show the id yet (neurolinker-api.md).
      const elapsed = this.#options.clock.now() - this.#startedAt;
      if (elapsed >= this.#options.notFoundGraceMs) throw error;
    } else if (++this.#failures > this.#options.maxConsecutiveErrors) {
      throw error;
    }
    await this.#sleepBeforeReconnect((error as { retryAfterMs?: number }).retryAfterMs);
  }

  /**
   * The stream's reconnection time (`retry:`, WHATWG HTML 9.2), plus full jitter that doubles
   * with each failed attempt in a row, so a crowd dropped together (a proxy restart) comes back
   * spread out; never less than a `Retry-After`, never more than `maxIntervalMs` beyond it.
   */
  async #sleepBeforeReconnect(retryAfterMs: number | undefined): Promise<void> {
    const { clock, maxIntervalMs, random } = this.#options;
    const backoff = { baseDelayMs: this.#retryMs, maxDelayMs: maxIntervalMs };
    let wait = Math.min(maxIntervalMs, this.#retryMs + retryDelay(this.#failures, backoff, random));
    if (retryAfterMs !== undefined && Number.isFinite(retryAfterMs) && retryAfterMs >= 0) {
      wait = Math.max(wait, retryAfterMs);
    }
    try {
      await clock.sleep(wait, this.#signal);
    } catch {
      this.#throwIfStopped();
    }
  }

  /** Polls for the rest of the watch, yielding only what differs from the last status seen. */
  async *#pollInstead(): AsyncGenerator<TimedValue<T>, void, undefined> {
    const remaining = this.#startedAt + this.#options.timeoutMs - this.#options.clock.now();
    const options = { ...this.#options, signal: this.#signal, timeoutMs: Math.max(0, remaining) };
    try {
      for await (const timed of this.#target.poll(options)) {
        if (this.#last !== undefined && sameStatus(this.#last, timed.value)) continue;
        this.#last = timed.value;
        yield timed;
      }
    } catch (error) {
      this.#throwIfStopped();
      throw error;
    }
  }

  #measureClock(serverDateMs: number): void {
    // `Date` has 1 s resolution (truncated), hence the half second; below a second the clocks are
    // as close as the header can tell (the same reading as the polling transport's).
    const offset = this.#options.clock.now() - (serverDateMs + 500);
    this.#clockOffsetMs = Math.abs(offset) < 1_000 ? 0 : offset;
  }

  /** After an abort: the caller's reason, or the deadline's `WatchTimeoutError`. */
  #throwIfStopped(): void {
    if (this.#signal.aborted) throw this.#signal.reason ?? this.#timeout();
  }

  #timeout(): WatchTimeoutError<T> {
    return new WatchTimeoutError(
      this.#target.subject,
      this.#options.timeoutMs,
      this.#last,
      this.#lastError,
    );
  }
}
