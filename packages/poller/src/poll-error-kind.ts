import { isNeurolinkerError } from '@neurostatus/core';

/**
 * How a watch treats a failed poll.
 *
 * @example
 * ```ts
 * if (classifyPollError(error) satisfies PollErrorKind === 'permanent') throw error;
 * ```
 */
export type PollErrorKind = 'transient' | 'permanent' | 'not-found';

/**
 * Sorts a poll's failure: `transient` ones (network, timeouts, 408/425/429/5xx, a garbled answer)
 * are retried up to `maxConsecutiveErrors`; `permanent` ones (bad key, no credits, forbidden,
 * invalid id, any other 4xx, and anything that is not a `NeurolinkerError`) end the watch at once;
 * `not-found` is retried during `notFoundGraceMs`, then permanent.
 *
 * @example
 * ```ts
 * classifyPollError(new ServerError('502', { status: 502 })); // 'transient'
 * ```
 */
export function classifyPollError(error: unknown): PollErrorKind {
  if (!isNeurolinkerError(error)) return 'permanent';
  switch (error.code) {
    case 'NOT_FOUND':
      return 'not-found';
    case 'RATE_LIMITED':
    case 'SERVER_ERROR':
    case 'TIMEOUT':
    case 'CONNECTION_FAILED':
    case 'INVALID_RESPONSE':
      return 'transient';
    case 'UNEXPECTED_STATUS':
      return error.status === 408 || error.status === 425 ? 'transient' : 'permanent';
    default:
      return 'permanent';
  }
}
