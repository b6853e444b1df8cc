import {
  AuthenticationError,
  ConnectionError,
  InsufficientCreditsError,
  InvalidIdError,
  InvalidResponseError,
  type NeurolinkerError,
  type NeurolinkerErrorCode,
  type NeurolinkerErrorContext,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  ServerError,
  TimeoutError,
  UnexpectedStatusError,
} from './errors.ts';

/** What {@link errorForCode} carries over: the context every error has, and each class's own. */
export type ErrorForCodeContext = NeurolinkerErrorContext & {
  /** For `RATE_LIMITED` and `SERVER_ERROR`: the server's `Retry-After`. */
  readonly retryAfterMs?: number | undefined;
  /** For `TIMEOUT`: the limit that ran out (default 0: unknown). */
  readonly timeoutMs?: number | undefined;
  /** For `INVALID_ID`: why the id was refused (default `'invalid'`). */
  readonly reason?: string | undefined;
};

/**
 * The error class a `code` stands for, made again from the code alone: for an error that crossed
 * a process or an object boundary as data (a Durable Object's feed sends `{ code, status }` to the
 * Worker), so the receiver throws what the client would have thrown. The one code-to-class rule;
 * {@link errorForStatus} is the status-to-class one.
 *
 * @example
 * ```ts
 * const error = errorForCode('RATE_LIMITED', 'Slow down', { status: 429, retryAfterMs: 5_000 });
 * error instanceof RateLimitError; // true
 * ```
 */
export function errorForCode(
  code: NeurolinkerErrorCode,
  message: string,
  context: ErrorForCodeContext = {},
): NeurolinkerError {
  const { retryAfterMs, timeoutMs, reason, ...common } = context;
  switch (code) {
    case 'AUTHENTICATION_FAILED':
      return new AuthenticationError(message, common);
    case 'PERMISSION_DENIED':
      return new PermissionDeniedError(message, common);
    case 'INSUFFICIENT_CREDITS':
      return new InsufficientCreditsError(message, common);
    case 'NOT_FOUND':
      return new NotFoundError(message, common);
    case 'RATE_LIMITED':
      return new RateLimitError(message, { ...common, retryAfterMs });
    case 'SERVER_ERROR':
      return new ServerError(message, { ...common, retryAfterMs });
    case 'UNEXPECTED_STATUS':
      return new UnexpectedStatusError(message, common);
    case 'TIMEOUT':
      return new TimeoutError(message, { ...common, timeoutMs: timeoutMs ?? 0 });
    case 'CONNECTION_FAILED':
      return new ConnectionError(message, common);
    case 'INVALID_RESPONSE':
      return new InvalidResponseError(message, common);
    case 'INVALID_ID':
      return new InvalidIdError(message, { ...common, reason: reason ?? 'invalid' });
  }
}
