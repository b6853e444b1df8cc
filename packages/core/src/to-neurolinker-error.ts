import { HTTPError, isTimeoutError } from 'ky';
import type { CallState } from './call-state.ts';
import { errorFromResponse } from './error-from-response.ts';
import {
  ConnectionError,
  isNeurolinkerError,
  type NeurolinkerError,
  TimeoutError,
} from './errors.ts';
import { redactedCause } from './redacted-cause.ts';
import { retryAfterMs } from './retry-after.ts';

/** What {@link toNeurolinkerError} needs besides the error. */
export interface ErrorContext {
  readonly state: CallState;
  /** E.g. `document 1d6986aa-...`, for messages. */
  readonly subject: string;
  readonly timeoutMs: number;
  readonly deadlineMs: number;
  readonly now: () => number;
  readonly redact: (text: string) => string;
}

/** The cause of a network failure in words, e.g. `fetch failed (ECONNREFUSED)`. */
function describeCause(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause as { code?: unknown; message?: unknown } | undefined;
  const why = typeof cause?.code === 'string' ? cause.code : cause?.message;
  return typeof why === 'string' && why !== '' ? `${error.message} (${why})` : error.message;
}

/**
 * Maps what a ky call threw to our error classes: ky's `HTTPError` by status (with the body,
 * `x-request-id` and `Retry-After`), ky's `TimeoutError` to our `TimeoutError` (saying whether the
 * attempt timeout or the overall deadline ran out), our own errors as they are, and anything else
 * (a refused or dropped connection) to `ConnectionError`.
 */
export async function toNeurolinkerError(
  error: unknown,
  context: ErrorContext,
): Promise<NeurolinkerError> {
  const { state, subject } = context;
  const attempts = state.attempts;
  if (isNeurolinkerError(error)) return error;
  if (error instanceof HTTPError) {
    const { response } = error;
    const header = response.headers.get('x-request-id');
    return errorFromResponse({
      status: response.status,
      statusText: response.statusText,
      // The body was buffered by `attemptFetch`; a clone leaves it readable.
      text: await response.clone().text(),
      requestId: header ?? undefined,
      retryAfterMs: retryAfterMs(response.headers, context.now()),
      attempts,
      subject,
      redact: context.redact,
    });
  }
  if (isTimeoutError(error)) {
    return state.limitedByDeadline
      ? new TimeoutError(`No answer for ${subject} within the ${context.deadlineMs} ms deadline`, {
          timeoutMs: context.deadlineMs,
          attempts,
        })
      : new TimeoutError(`No answer for ${subject} within ${context.timeoutMs} ms`, {
          timeoutMs: context.timeoutMs,
          attempts,
        });
  }
  return new ConnectionError(
    `Could not reach Neurolinker for ${subject}: ${context.redact(describeCause(error))}`,
    { cause: redactedCause(error, context.redact), attempts },
  );
}
