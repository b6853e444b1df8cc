import {
  type DocumentStatus,
  InvalidResponseError,
  isTerminalDocumentStatus,
  isTerminalRequestStatus,
  parseDocumentStatus,
  parseRequestStatus,
  type RequestStatus,
} from '@neurostatus/core';
import { boundedText } from '../bounded-text.ts';
import type { StatusKind } from '../cache-key.ts';

/** An HTTP answer of the upstream, as a status object keeps and relays it. */
export interface HttpReply {
  readonly type: 'http';
  readonly status: number;
  readonly body: string;
  /** The headers a client of the API reads (see `RELAYED_HEADERS`). */
  readonly headers: Readonly<Record<string, string>>;
  /** When it was received, epoch ms. */
  readonly receivedAt: number;
  /** A valid 200 with a terminal status. */
  readonly terminal: boolean;
  /** Worth keeping: a valid 200 status, or a 404. Errors and invalid bodies are relayed only. */
  readonly storable: boolean;
}

/**
 * What one upstream call came to: an HTTP answer, or none that can be relayed (a timeout, a
 * connection failure, a body over `EDGE_UPSTREAM_MAX_BYTES`).
 */
export type UpstreamReply =
  | HttpReply
  | { readonly type: 'timeout' | 'connection' | 'too-large'; readonly receivedAt: number };

/** The headers a Neurolinker client reads; nothing else is kept or relayed. */
const RELAYED_HEADERS = [
  'content-type',
  'date',
  'cache-control',
  'retry-after',
  'retry-after-ms',
  'x-request-id',
] as const;

/** Marks an object's answer that stands for no answer from the upstream (a timeout, a failure). */
export const UPSTREAM_FAILURE_HEADER = 'x-neurostatus-upstream-failure';

/**
 * Whether a body is a valid, terminal status of `kind`; `undefined` when it is not a valid status.
 *
 * @example
 * ```ts
 * terminalOf('document', body); // true for `completed` / `failed`
 * ```
 */
export function terminalOf(kind: StatusKind, body: string): boolean | undefined {
  try {
    const value: unknown = JSON.parse(body);
    return kind === 'document'
      ? isTerminalDocumentStatus(parseDocumentStatus(value) as DocumentStatus)
      : isTerminalRequestStatus(parseRequestStatus(value) as RequestStatus);
  } catch {
    return undefined;
  }
}

/**
 * Reads an upstream response into a reply (the body in full, up to `maxBytes`).
 *
 * @throws {BodyTooLargeError} for a body larger than `maxBytes`.
 *
 * @example
 * ```ts
 * const reply = await readUpstreamReply(await fetch(url), 'document', Date.now(), 16 * 1024 * 1024);
 * ```
 */
export async function readUpstreamReply(
  response: Response,
  kind: StatusKind,
  receivedAt: number,
  maxBytes: number,
): Promise<HttpReply> {
  const body = await boundedText(response, maxBytes);
  const headers: Record<string, string> = {};
  for (const name of RELAYED_HEADERS) {
    const value = response.headers.get(name);
    if (value !== null) headers[name] = value;
  }
  const terminal = response.status === 200 ? terminalOf(kind, body) : undefined;
  return {
    type: 'http',
    status: response.status,
    body,
    headers,
    receivedAt,
    terminal: terminal === true,
    storable: response.status === 404 || terminal !== undefined,
  };
}

/**
 * The reply as an HTTP response: the upstream's own status, body and headers, or (for no answer)
 * a 502 marked with {@link UPSTREAM_FAILURE_HEADER}. `age` says how old a kept answer is.
 *
 * @example
 * ```ts
 * return replyResponse(reply, Date.now());
 * ```
 */
export function replyResponse(reply: UpstreamReply, now: number): Response {
  if (reply.type !== 'http') {
    return new Response(null, { status: 502, headers: { [UPSTREAM_FAILURE_HEADER]: reply.type } });
  }
  return new Response(reply.body, {
    status: reply.status,
    headers: {
      ...reply.headers,
      age: String(Math.max(0, Math.floor((now - reply.receivedAt) / 1_000))),
    },
  });
}

/**
 * Turns an object's answer back into what `fetch` would have done against the upstream, so a
 * Neurolinker client reading through the object sees the same outcomes as one reading directly:
 * the response itself; a thrown `TypeError` for a connection failure (the client's
 * `ConnectionError`); the client's `InvalidResponseError` for a body over the size limit; and for a timeout, nothing until the caller's own deadline aborts `signal`
 * (the client's `TimeoutError`: the upstream call it shared had the same deadline).
 *
 * @example
 * ```ts
 * const fetchThroughObject: typeof fetch = async (input, init) =>
 *   replayAnswer(await stub.fetch(url), init?.signal ?? undefined);
 * ```
 */
export function replayAnswer(
  response: Response,
  signal: AbortSignal | undefined,
): Promise<Response> {
  const failure = response.headers.get(UPSTREAM_FAILURE_HEADER);
  if (failure === null) return Promise.resolve(response);
  void response.body?.cancel();
  if (failure === 'too-large') {
    // What the client's own size limit would have thrown reading the body itself.
    const message = 'The answer is larger than the proxy reads (EDGE_UPSTREAM_MAX_BYTES)';
    return Promise.reject(new InvalidResponseError(message, { attempts: 1 }));
  }
  if (failure !== 'timeout' || signal === undefined) {
    return Promise.reject(new TypeError('Neurolinker could not be reached.'));
  }
  return new Promise((_resolve, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}
