import * as v from 'valibot';
import { ErrorBodySchema } from './error-body-schema.ts';
import { errorForStatus } from './error-for-status.ts';
import type { ErrorDetail, NeurolinkerError } from './errors.ts';

/**
 * What the client knows about a non-2xx answer when it builds the error for it.
 *
 * @example
 * ```ts
 * errorFromResponse({ status: 404, statusText: 'Not Found', text: '{"detail":"x"}', requestId: undefined, retryAfterMs: undefined, attempts: 1, subject: 'document d', redact: secretRedactor(apiKey) });
 * ```
 */
export interface FailedResponse {
  readonly status: number;
  readonly statusText: string;
  /** The body, as read. */
  readonly text: string;
  /** The `x-request-id` header, as read. */
  readonly requestId: string | undefined;
  readonly retryAfterMs: number | undefined;
  readonly attempts: number;
  /** E.g. `document 1d6986aa-...`, for the message. */
  readonly subject: string;
  /** Removes the key from text the upstream sent, see `secretRedactor()`. */
  readonly redact: (text: string) => string;
}

const MAX_DETAIL_IN_MESSAGE = 200;

function readDetail(text: string): ErrorDetail | undefined {
  try {
    const body = v.safeParse(ErrorBodySchema, JSON.parse(text));
    return body.success ? body.output.detail : undefined;
  } catch {
    return undefined; // an HTML page from a load balancer, or nothing at all
  }
}

/**
 * A one-line, bounded, control-character-free rendering of `detail` for a message, redacted
 * before it is cut (a cut could leave the start of the key) and after it is joined (`loc` parts
 * joined with dots could spell it).
 */
function describeDetail(detail: ErrorDetail | undefined, redact: (text: string) => string): string {
  if (detail === undefined) return '';
  const text =
    typeof detail === 'string'
      ? detail
      : detail
          .map((entry) => [entry.loc?.join('.'), entry.msg].filter(Boolean).join(': '))
          .join('; ');
  const clean = redact(text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').trim());
  if (clean === '') return '';
  return `: ${clean.length > MAX_DETAIL_IN_MESSAGE ? `${clean.slice(0, MAX_DETAIL_IN_MESSAGE)}…` : clean}`;
}

/**
 * Maps a non-2xx answer to the matching `NeurolinkerError` subclass, keeping the API's `detail`,
 * the status, the `x-request-id` and the attempt count. Everything taken from the answer is
 * redacted first: the body before it is parsed, since a key echoed JSON-escaped is plain once
 * parsed.
 *
 * @example
 * ```ts
 * errorFromResponse(failed) instanceof NotFoundError; // for a 404
 * ```
 */
export function errorFromResponse(failed: FailedResponse): NeurolinkerError {
  const { redact } = failed;
  const detail = readDetail(redact(failed.text));
  const statusText = redact(failed.statusText);
  const label = `${failed.status}${statusText ? ` ${statusText}` : ''}`;
  const message = `Neurolinker answered ${label} for ${failed.subject}${describeDetail(detail, redact)}`;
  const context = {
    status: failed.status,
    detail,
    requestId: failed.requestId === undefined ? undefined : redact(failed.requestId),
    attempts: failed.attempts,
    retryAfterMs: failed.retryAfterMs,
  };
  const text = failed.status === 401 ? `${message} (check the API key)` : message;
  return errorForStatus(failed.status, text, context);
}
