/**
 * The error family of `@neurostatus/core`.
 *
 * Every error thrown by the client is a `NeurolinkerError` with a literal `code`, so callers can
 * `switch (error.code)` exhaustively, and `isNeurolinkerError()` recognises one from another realm
 * (an iframe, a worker, a second copy of the package) where `instanceof` fails.
 * No error ever holds the API key, the `Authorization` header or the request object that carried it.
 */
import type { ErrorBody } from './error-body-schema.ts';

/**
 * One problem found while validating a payload, with the path to the offending field.
 *
 * @example
 * ```ts
 * if (error instanceof InvalidResponseError) {
 *   for (const { path, message } of error.issues) console.log(`${path}: ${message}`);
 * }
 * ```
 */
export interface PayloadIssue {
  /** Dotted path to the field, e.g. `results.cropped_images.3`; empty for the root. */
  readonly path: string;
  /** What was wrong, in words. */
  readonly message: string;
}

/**
 * What the API said, in its FastAPI `detail` field: a message, or a list of validation entries.
 *
 * @example
 * ```ts
 * if (isNeurolinkerError(error) && typeof error.detail === 'string') console.log(error.detail);
 * ```
 */
export type ErrorDetail = ErrorBody['detail'];

/**
 * One FastAPI validation entry: `{ loc, msg, type }`.
 *
 * @example
 * ```ts
 * const entry: ValidationDetail = { loc: ['path', 'document_id'], msg: 'field required' };
 * ```
 */
export type ValidationDetail = Exclude<ErrorDetail, string>[number];

/**
 * Context that every `NeurolinkerError` may carry.
 *
 * @example
 * ```ts
 * new NotFoundError('gone', { status: 404, attempts: 1 } satisfies NeurolinkerErrorContext);
 * ```
 */
export interface NeurolinkerErrorContext {
  /** HTTP status of the last response, when there was one. */
  status?: number | undefined;
  /** The API's `detail`, when its error body had one. */
  detail?: ErrorDetail | undefined;
  /** The `x-request-id` response header, to quote to Neurolinker support. */
  requestId?: string | undefined;
  /** How many HTTP attempts were made (0 when the call never reached the network). */
  attempts?: number | undefined;
  /** The underlying error. */
  cause?: unknown;
}

const BRAND = Symbol.for('@neurostatus/core/NeurolinkerError');

/**
 * Every `code` a `NeurolinkerError` can have.
 *
 * @example
 * ```ts
 * const retryable: NeurolinkerErrorCode[] = ['RATE_LIMITED', 'SERVER_ERROR', 'TIMEOUT'];
 * ```
 */
export type NeurolinkerErrorCode =
  | 'AUTHENTICATION_FAILED'
  | 'PERMISSION_DENIED'
  | 'INSUFFICIENT_CREDITS'
  | 'NOT_FOUND'
  | 'RATE_LIMITED'
  | 'SERVER_ERROR'
  | 'UNEXPECTED_STATUS'
  | 'TIMEOUT'
  | 'CONNECTION_FAILED'
  | 'INVALID_RESPONSE'
  | 'INVALID_ID';

const CODES: ReadonlySet<string> = new Set<NeurolinkerErrorCode>([
  'AUTHENTICATION_FAILED',
  'PERMISSION_DENIED',
  'INSUFFICIENT_CREDITS',
  'NOT_FOUND',
  'RATE_LIMITED',
  'SERVER_ERROR',
  'UNEXPECTED_STATUS',
  'TIMEOUT',
  'CONNECTION_FAILED',
  'INVALID_RESPONSE',
  'INVALID_ID',
]);

/**
 * Base class of every error the client throws.
 *
 * @example
 * ```ts
 * try {
 *   await client.getDocumentStatus(id);
 * } catch (error) {
 *   if (isNeurolinkerError(error) && error.code === 'NOT_FOUND') console.log('not there yet');
 * }
 * ```
 */
export abstract class NeurolinkerError extends Error {
  abstract override readonly name: string;
  abstract readonly code: NeurolinkerErrorCode;
  readonly status: number | undefined;
  readonly detail: ErrorDetail | undefined;
  readonly requestId: string | undefined;
  readonly attempts: number;

  constructor(message: string, context: NeurolinkerErrorContext = {}) {
    super(message, context.cause === undefined ? undefined : { cause: context.cause });
    this.status = context.status;
    this.detail = context.detail;
    this.requestId = context.requestId;
    this.attempts = context.attempts ?? 0;
    Object.defineProperty(this, BRAND, { value: true });
  }

  /**
   * A plain, secret-free object for logs and JSON transport: `name`, `code`, `message` and every
   * context field of the subclass (`status`, `detail`, `retryAfterMs`, `issues`, ...), not `cause`.
   */
  toJSON(): Record<string, unknown> {
    const fields = Object.fromEntries(Object.entries(this));
    return { ...fields, name: this.name, code: this.code, message: this.message };
  }
}

/**
 * 401: the API key is missing, malformed or revoked. Not retried.
 *
 * @example
 * ```ts
 * if (error instanceof AuthenticationError) askForANewKey();
 * ```
 */
export class AuthenticationError extends NeurolinkerError {
  override readonly name = 'AuthenticationError';
  readonly code = 'AUTHENTICATION_FAILED';
}

/**
 * 403: the key is valid but may not read this resource. Not retried.
 *
 * @example
 * ```ts
 * if (isNeurolinkerError(error) && error.code === 'PERMISSION_DENIED') showForbidden();
 * ```
 */
export class PermissionDeniedError extends NeurolinkerError {
  override readonly name = 'PermissionDeniedError';
  readonly code = 'PERMISSION_DENIED';
}

/**
 * 402: the account has no credits left (documented by Neurolinker). Not retried.
 *
 * @example
 * ```ts
 * if (error instanceof InsufficientCreditsError) notifyBilling();
 * ```
 */
export class InsufficientCreditsError extends NeurolinkerError {
  override readonly name = 'InsufficientCreditsError';
  readonly code = 'INSUFFICIENT_CREDITS';
}

/**
 * 404: the id is unknown, belongs to another account, or was submitted moments ago and is not
 * visible yet. Not retried by the client; the poller decides how long to wait for it.
 *
 * @example
 * ```ts
 * if (error instanceof NotFoundError) return undefined;
 * ```
 */
export class NotFoundError extends NeurolinkerError {
  override readonly name = 'NotFoundError';
  readonly code = 'NOT_FOUND';
}

/**
 * 429 after the retries, or with a `Retry-After` longer than `maxRetryAfterMs`.
 *
 * @example
 * ```ts
 * if (error instanceof RateLimitError) await sleep(error.retryAfterMs ?? 60_000);
 * ```
 */
export class RateLimitError extends NeurolinkerError {
  override readonly name = 'RateLimitError';
  readonly code = 'RATE_LIMITED';
  /** How long the server asked us to wait, in milliseconds, when it said. */
  readonly retryAfterMs: number | undefined;

  constructor(
    message: string,
    context: NeurolinkerErrorContext & { retryAfterMs?: number | undefined },
  ) {
    super(message, context);
    this.retryAfterMs = context.retryAfterMs;
  }
}

/**
 * 5xx after the retries.
 *
 * @example
 * ```ts
 * if (error instanceof ServerError) console.error(error.status, error.requestId);
 * ```
 */
export class ServerError extends NeurolinkerError {
  override readonly name = 'ServerError';
  readonly code = 'SERVER_ERROR';
  /** How long the server asked us to wait (a 503 may send `Retry-After`), in milliseconds. */
  readonly retryAfterMs: number | undefined;

  constructor(
    message: string,
    context: NeurolinkerErrorContext & { retryAfterMs?: number | undefined },
  ) {
    super(message, context);
    this.retryAfterMs = context.retryAfterMs;
  }
}

/**
 * Any other non-2xx status (e.g. 400, 409, 422, or a 408/425 after the retries).
 *
 * @example
 * ```ts
 * if (error instanceof UnexpectedStatusError) console.error(error.status, error.detail);
 * ```
 */
export class UnexpectedStatusError extends NeurolinkerError {
  override readonly name = 'UnexpectedStatusError';
  readonly code = 'UNEXPECTED_STATUS';
}

/**
 * An attempt outlived `timeoutMs`, or the whole call outlived `deadlineMs`.
 *
 * @example
 * ```ts
 * if (error instanceof TimeoutError) console.error(`gave up after ${error.timeoutMs} ms`);
 * ```
 */
export class TimeoutError extends NeurolinkerError {
  override readonly name = 'TimeoutError';
  readonly code = 'TIMEOUT';
  /** The limit that was reached, in milliseconds. */
  readonly timeoutMs: number;

  constructor(message: string, context: NeurolinkerErrorContext & { timeoutMs: number }) {
    super(message, context);
    this.timeoutMs = context.timeoutMs;
  }
}

/**
 * The network failed: DNS, refused or reset connection, TLS, CORS.
 *
 * @example
 * ```ts
 * if (error instanceof ConnectionError) console.error('network down', error.cause);
 * ```
 */
export class ConnectionError extends NeurolinkerError {
  override readonly name = 'ConnectionError';
  readonly code = 'CONNECTION_FAILED';
}

/**
 * A 2xx answer that is not JSON or does not match the schema. A response that fails validation
 * is its own error, not a transport error: retrying the same bytes would not help.
 *
 * @example
 * ```ts
 * if (error instanceof InvalidResponseError) console.error(error.issues, error.bodyExcerpt);
 * ```
 */
export class InvalidResponseError extends NeurolinkerError {
  override readonly name = 'InvalidResponseError';
  readonly code = 'INVALID_RESPONSE';
  /** What failed validation; empty when the body was not JSON at all. */
  readonly issues: readonly PayloadIssue[];
  /** The first characters of the body, to see what came back. */
  readonly bodyExcerpt: string | undefined;

  constructor(
    message: string,
    context: NeurolinkerErrorContext & {
      issues?: readonly PayloadIssue[];
      bodyExcerpt?: string | undefined;
    },
  ) {
    super(message, context);
    this.issues = context.issues ?? [];
    this.bodyExcerpt = context.bodyExcerpt;
  }
}

/**
 * The id was rejected before any request was made; nothing was sent.
 *
 * @example
 * ```ts
 * if (error instanceof InvalidIdError) return badRequest(error.reason);
 * ```
 */
export class InvalidIdError extends NeurolinkerError {
  override readonly name = 'InvalidIdError';
  readonly code = 'INVALID_ID';
  /** Why the id was rejected. */
  readonly reason: string;

  constructor(message: string, context: NeurolinkerErrorContext & { reason: string }) {
    super(message, context);
    this.reason = context.reason;
  }
}

/**
 * Whether `value` is one of the codes of core's error classes (`NeurolinkerErrorCode`), say in an
 * error that crossed a boundary as data.
 *
 * @example
 * ```ts
 * const code: unknown = JSON.parse('{"code":"NOT_FOUND"}').code;
 * if (isNeurolinkerErrorCode(code)) throw errorForCode(code, 'failed');
 * ```
 */
export function isNeurolinkerErrorCode(value: unknown): value is NeurolinkerErrorCode {
  return typeof value === 'string' && CODES.has(value);
}

/**
 * True for any error thrown by `@neurostatus/core`, even one created in another realm or by
 * another copy of the package, where `instanceof` would say false.
 *
 * @example
 * ```ts
 * if (isNeurolinkerError(error)) console.error(error.code, error.status);
 * ```
 */
export function isNeurolinkerError(value: unknown): value is NeurolinkerError {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as { [BRAND]?: unknown; code?: unknown };
  return candidate[BRAND] === true && isNeurolinkerErrorCode(candidate.code);
}
