import {
  AuthenticationError,
  InsufficientCreditsError,
  type NeurolinkerError,
  type NeurolinkerErrorContext,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  ServerError,
  UnexpectedStatusError,
} from './errors.ts';

/**
 * The one rule for which error class an HTTP error status means: 401, 402, 403, 404 and 429 each
 * their own, any 5xx a `ServerError`, anything else an `UnexpectedStatusError`. The client uses it
 * for Neurolinker's answers, the poller for the proxy's answers to an event stream.
 *
 * @example
 * ```ts
 * const error = errorForStatus(429, 'Too many requests', { status: 429, attempts: 1, retryAfterMs: 5_000 });
 * ```
 */
export function errorForStatus(
  status: number,
  message: string,
  context: NeurolinkerErrorContext & { retryAfterMs?: number | undefined },
): NeurolinkerError {
  switch (status) {
    case 401:
      return new AuthenticationError(message, context);
    case 402:
      return new InsufficientCreditsError(message, context);
    case 403:
      return new PermissionDeniedError(message, context);
    case 404:
      return new NotFoundError(message, context);
    case 429:
      return new RateLimitError(message, context);
    default:
      return status >= 500
        ? new ServerError(message, context)
        : new UnexpectedStatusError(message, context);
  }
}
