/**
 * How a watch learns of changes: `'poll'` asks the API again and again; `'events'` reads the
 * neurostatus proxy's event streams (`…/events`, Server-Sent Events) and polls only where a
 * stream cannot be had; `'auto'` reads streams when the base URL serves them, else polls,
 * decided by the first answer and remembered per client.
 *
 * @example
 * ```ts
 * const transport: WatchTransport = 'auto';
 * ```
 */
export type WatchTransport = 'poll' | 'events' | 'auto';

/**
 * Where and how to read event streams (for `transport: 'events'` or `'auto'`).
 *
 * @example
 * ```ts
 * const events: EventStreamOptions = {
 *   baseUrl: 'https://status.example.com/api/v1',
 *   getToken: async () => (await fetch('/status-token')).text(),
 * };
 * ```
 */
export interface EventStreamOptions {
  /**
   * The proxy's API root, e.g. `https://status.example.com/api/v1`: a document's stream is
   * `{baseUrl}/document-status/{id}/events`, a request's `{baseUrl}/request-status/{id}/events`.
   */
  baseUrl: string;
  /**
   * Returns the bearer credential: a status token (`scoped-token` proxies) or a Neurolinker key
   * (`passthrough`). Called before every connection: the first, and each reconnection, which
   * follows a dropped stream, a stream the proxy closed at the token's expiry, or a 401. Keep it
   * cheap (hand back a cached token until it nears expiry). Sent as `Authorization: Bearer`,
   * never in the URL. Default: none (no `Authorization` header: an `open` proxy).
   */
  getToken?: () => string | undefined | Promise<string | undefined>;
  /** The `fetch` to use. Default: the global one, looked up when called. */
  fetch?: typeof globalThis.fetch;
  /**
   * Resume after this event id (a status's ETag without quotes, as in the `ETag` header of the
   * status route): that status is not yielded again, and if it was the last one, the proxy answers
   * 204 and the watch ends with nothing. Default: none.
   */
  lastEventId?: string;
  /**
   * A stream that sends nothing, not even a heartbeat, for this long is dropped and reconnected,
   * in ms (`Infinity`: never). The same limit bounds the wait for a connection's response headers
   * (and a refusal's body): a connection that stalls is dropped and counts as a failed attempt
   * (`TimeoutError`) towards `maxConsecutiveErrors`. Default 30 000 (six of the proxy's default
   * 5 s heartbeats).
   */
  idleTimeoutMs?: number;
}

/**
 * The transport part of the options of `watchStatus` and `watchRequest`.
 *
 * @example
 * ```ts
 * const options: TransportOptions = { transport: 'auto', events: { baseUrl } };
 * ```
 */
export interface TransportOptions {
  /** `'poll'`, `'events'` or `'auto'`, see {@link WatchTransport}. Default `'poll'`. */
  transport?: WatchTransport;
  /** Required with `transport: 'events'` or `'auto'`. */
  events?: EventStreamOptions;
}

/**
 * {@link EventStreamOptions} after defaults and validation.
 *
 * @example
 * ```ts
 * const stream: ResolvedEventStreamOptions | undefined = resolveTransport({ transport: 'poll' });
 * ```
 */
export interface ResolvedEventStreamOptions {
  readonly transport: 'events' | 'auto';
  /** Without a trailing slash. */
  readonly baseUrl: string;
  /** Undefined: no credential is sent, and a 401 is final. */
  readonly getToken: (() => Promise<string | undefined>) | undefined;
  readonly fetch: typeof globalThis.fetch;
  readonly lastEventId: string | undefined;
  readonly idleTimeoutMs: number;
}

/**
 * The defaults of event-stream watches, in one place.
 *
 * @example
 * ```ts
 * console.log(`reconnects after ${EVENT_STREAM_DEFAULTS.reconnectMs} ms unless the stream says otherwise`);
 * ```
 */
export const EVENT_STREAM_DEFAULTS = {
  transport: 'poll',
  idleTimeoutMs: 30_000,
  /** The wait before a reconnection until the stream sets its own (`retry:`), ms. */
  reconnectMs: 2_000,
  /** The largest event accepted, in characters: a bigger one is a broken stream. */
  maxEventChars: 1024 * 1024,
} as const;

const TRANSPORTS: ReadonlySet<string> = new Set<WatchTransport>(['poll', 'events', 'auto']);

function checkBaseUrl(value: unknown): string {
  let url: URL | undefined;
  try {
    url = typeof value === 'string' ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  const ok =
    url !== undefined &&
    /^https?:$/.test(url.protocol) &&
    url.username === '' &&
    url.password === '' &&
    url.search === '' &&
    url.hash === '';
  if (!ok) {
    // The value is not quoted: a URL with credentials in it must not reach a message.
    throw new TypeError(
      '`events.baseUrl` must be an absolute http(s) URL without credentials, query or fragment.',
    );
  }
  return (value as string).replace(/\/+$/, '');
}

/**
 * Validates the transport options once, when the watch is created; `undefined` means polling.
 *
 * @throws {TypeError} naming the bad option.
 * @example
 * ```ts
 * resolveTransport({ transport: 'auto', events: { baseUrl: 'http://127.0.0.1:8787/api/v1' } });
 * ```
 */
export function resolveTransport(
  options: TransportOptions,
): ResolvedEventStreamOptions | undefined {
  const transport = options.transport ?? EVENT_STREAM_DEFAULTS.transport;
  if (!TRANSPORTS.has(transport)) {
    throw new TypeError("`transport` must be 'poll', 'events' or 'auto'.");
  }
  if (transport === 'poll') return undefined;
  const events = options.events;
  if (typeof events !== 'object' || events === null) {
    throw new TypeError(`\`transport: '${transport}'\` needs \`events: { baseUrl }\`.`);
  }
  for (const name of ['getToken', 'fetch'] as const) {
    if (events[name] !== undefined && typeof events[name] !== 'function') {
      throw new TypeError(`\`events.${name}\` must be a function.`);
    }
  }
  const idleTimeoutMs = events.idleTimeoutMs ?? EVENT_STREAM_DEFAULTS.idleTimeoutMs;
  if (typeof idleTimeoutMs !== 'number' || !(idleTimeoutMs > 0)) {
    throw new TypeError('`events.idleTimeoutMs` must be a positive number of milliseconds.');
  }
  const lastEventId = events.lastEventId;
  // An id goes into a header: one with a line break or a NUL could not be sent (WHATWG: ignored).
  if (lastEventId !== undefined && !/^[^\0\r\n]*$/.test(lastEventId)) {
    throw new TypeError('`events.lastEventId` must be a string without NUL or line breaks.');
  }
  const { getToken, fetch } = events;
  return {
    transport,
    baseUrl: checkBaseUrl(events.baseUrl),
    getToken: getToken === undefined ? undefined : async () => await getToken(),
    fetch: fetch ?? ((input, init) => globalThis.fetch(input, init)),
    lastEventId: lastEventId === '' ? undefined : lastEventId,
    idleTimeoutMs,
  };
}
