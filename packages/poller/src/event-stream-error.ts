import {
  AuthenticationError,
  errorForStatus,
  InsufficientCreditsError,
  InvalidResponseError,
  type NeurolinkerError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  retryAfterMs,
  ServerError,
} from '@neurostatus/core';

// The errors of event-stream watches are the core client's own classes, so a caller handles a
// 401 or a 404 the same way whichever transport saw it, and `classifyPollError` sorts them.

const MAX_MESSAGE = 200;

/**
 * What an error of an event stream needs besides what the proxy sent.
 *
 * @example
 * ```ts
 * const context: StreamErrorContext = { subject: `document ${id}`, redact: secretRedactor(apiKey) };
 * ```
 */
export interface StreamErrorContext {
  /** E.g. `document 1d69...`, for messages. */
  readonly subject: string;
  /**
   * Removes the bearer credential (a status token, or the key in `passthrough`) from what the
   * proxy sent: core's `secretRedactor()`, since a proxy or its upstream may echo it back.
   */
  readonly redact: (text: string) => string;
}

interface Described {
  readonly code: string | undefined;
  readonly message: string | undefined;
}

/** What the proxy's error bodies hold: `{ "error": { "code", "message" } }`; or a FastAPI `detail`. */
function describe(text: string): Described {
  try {
    const body = JSON.parse(text) as {
      error?: { code?: unknown; message?: unknown };
      detail?: unknown;
    };
    const code = typeof body?.error?.code === 'string' ? body.error.code : undefined;
    const raw = typeof body?.error?.message === 'string' ? body.error.message : body?.detail;
    return { code, message: typeof raw === 'string' ? raw : undefined };
  } catch {
    return { code: undefined, message: undefined };
  }
}

/**
 * The code and message of an error body as a message may show them: one line each, redacted
 * (before the cut, which could leave the start of the credential), at most 200 characters.
 */
function shown(text: string, redact: (text: string) => string): Described {
  const { code, message } = describe(text);
  const clean = (value: string | undefined) => {
    if (value === undefined) return undefined;
    const line = redact(value.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').trim());
    return line.slice(0, MAX_MESSAGE) || undefined;
  };
  return { code: clean(code), message: clean(message) };
}

/**
 * True when an event's data is an error body (`{ "error": { "code": ... } }`): how an error is
 * recognised under any event name (the proxy's `failure`, formerly `error`, or any later name).
 *
 * @example
 * ```ts
 * const data = '{"error":{"code":"NOT_FOUND","message":"No such document."}}';
 * if (isErrorBody(data)) throw streamEventError(data, { subject: `document ${id}`, redact: (text) => text });
 * ```
 */
export function isErrorBody(data: string): boolean {
  return describe(data).code !== undefined;
}

/**
 * The `code` of a proxy error body (`{ "error": { "code" } }`), if the text is one.
 *
 * @example
 * ```ts
 * streamErrorCode('{"error":{"code":"ROUTE_NOT_FOUND","message":"No such route."}}'); // 'ROUTE_NOT_FOUND'
 * ```
 */
export function streamErrorCode(text: string): string | undefined {
  return describe(text).code;
}

/**
 * The error an event stream reported before it ended (an upstream failure the proxy gave up on),
 * as the core client's class for it.
 *
 * @example
 * ```ts
 * const context = { subject: 'document d', redact: secretRedactor(apiKey) };
 * streamEventError('{"error":{"code":"NOT_FOUND","message":"No document"}}', context); // NotFoundError
 * ```
 */
export function streamEventError(data: string, context: StreamErrorContext): NeurolinkerError {
  const { code, message } = shown(data, context.redact);
  const why = `${code ?? 'unknown error'}${message ? ` (${message})` : ''}`;
  const text = `The event stream of ${context.subject} failed: ${why}`;
  switch (describe(data).code) {
    case 'NOT_FOUND':
      return new NotFoundError(text, { status: 404, attempts: 1 });
    case 'INVALID_TOKEN':
    case 'INVALID_CREDENTIALS':
    case 'MISSING_CREDENTIALS':
    case 'UPSTREAM_UNAUTHORIZED':
    case 'UPSTREAM_CREDENTIALS_REJECTED':
      return new AuthenticationError(text, { status: 401, attempts: 1 });
    case 'FORBIDDEN':
    case 'UPSTREAM_FORBIDDEN':
      return new PermissionDeniedError(text, { status: 403, attempts: 1 });
    case 'UPSTREAM_PAYMENT_REQUIRED':
      return new InsufficientCreditsError(text, { status: 402, attempts: 1 });
    case 'RATE_LIMITED':
    case 'UPSTREAM_RATE_LIMITED':
      return new RateLimitError(text, { status: 429, attempts: 1 });
    case 'UPSTREAM_INVALID_RESPONSE':
      return new InvalidResponseError(text, { status: 502, attempts: 1 });
    default:
      // UPSTREAM_UNAVAILABLE, UPSTREAM_TIMEOUT, INTERNAL_ERROR, and codes added later.
      return new ServerError(text, { status: 502, attempts: 1 });
  }
}

/**
 * The error for an event-stream request the proxy refused (any status but 200 and 204).
 *
 * @example
 * ```ts
 * const context = { subject: 'request r', redact: secretRedactor(apiKey), now: Date.now() };
 * throw streamResponseError(401, '{"error":{"code":"INVALID_TOKEN"}}', new Headers(), context);
 * ```
 */
export function streamResponseError(
  status: number,
  text: string,
  headers: Headers,
  context: StreamErrorContext & { readonly now: number },
): NeurolinkerError {
  const { subject, now } = context;
  const { code, message } = shown(text, context.redact);
  const why = [code, message].filter(Boolean).join(': ');
  const label = `The proxy answered ${status} for the event stream of ${subject}${why ? ` (${why})` : ''}`;
  // RFC 9110 10.2.3: on 429 and 503, when to come back.
  const wait = status === 429 || status >= 500 ? retryAfterMs(headers, now) : undefined;
  return errorForStatus(status, label, { status, attempts: 1, retryAfterMs: wait });
}
