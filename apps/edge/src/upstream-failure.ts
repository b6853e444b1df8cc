import { isNeurolinkerError } from '@neurostatus/core';
import type { TenancyMode } from './config.ts';
import type { EdgeErrorCode } from './edge-error.ts';
import { HeldOffError } from './held-off-error.ts';

/** How the proxy answers an upstream failure it has no stale status for. */
export interface UpstreamFailure {
  readonly status: 401 | 402 | 403 | 404 | 429 | 502 | 504;
  readonly code: EdgeErrorCode;
  readonly message: string;
  /** For 429: when to ask again, ms. */
  readonly retryAfterMs?: number;
}

/**
 * Maps an upstream error to the client's answer. In `passthrough` mode the key is the client's, so
 * 401, 402 and 403 are theirs to see; in the other modes the key is the proxy's, and a refused key
 * is the proxy's fault (502), not the client's. Messages are fixed texts: nothing the upstream
 * sent, and never a key, reaches the client.
 *
 * @returns undefined for errors that are not the upstream's (a bug: the caller rethrows).
 * @example
 * ```ts
 * const failure = upstreamFailure(error, 'passthrough');
 * if (failure) return c.body(errorBody(failure.code, failure.message), failure.status);
 * ```
 */
export function upstreamFailure(error: unknown, mode: TenancyMode): UpstreamFailure | undefined {
  const clientsKey = mode === 'passthrough';
  const rateLimited = clientsKey
    ? 'Neurolinker is rate limiting this API key; try again later.'
    : 'Neurolinker is rate limiting this proxy; try again later.';
  if (error instanceof HeldOffError) {
    return {
      status: 429,
      code: 'UPSTREAM_RATE_LIMITED',
      message: rateLimited,
      retryAfterMs: error.retryAfterMs,
    };
  }
  if (!isNeurolinkerError(error)) return undefined;
  const proxyKeyRefused: UpstreamFailure = {
    status: 502,
    code: 'UPSTREAM_CREDENTIALS_REJECTED',
    message: "Neurolinker refused the proxy's API key.",
  };
  switch (error.code) {
    case 'AUTHENTICATION_FAILED':
      return clientsKey
        ? {
            status: 401,
            code: 'UPSTREAM_UNAUTHORIZED',
            message: 'Neurolinker refused the API key.',
          }
        : proxyKeyRefused;
    case 'PERMISSION_DENIED':
      return clientsKey
        ? {
            status: 403,
            code: 'UPSTREAM_FORBIDDEN',
            message: 'This API key may not read this status.',
          }
        : proxyKeyRefused;
    case 'INSUFFICIENT_CREDITS':
      return clientsKey
        ? {
            status: 402,
            code: 'UPSTREAM_PAYMENT_REQUIRED',
            message: 'The Neurolinker account has no credits left.',
          }
        : { ...proxyKeyRefused, message: "The proxy's Neurolinker account has no credits left." };
    case 'RATE_LIMITED':
      return {
        status: 429,
        code: 'UPSTREAM_RATE_LIMITED',
        message: rateLimited,
        retryAfterMs:
          'retryAfterMs' in error && typeof error.retryAfterMs === 'number'
            ? error.retryAfterMs
            : 1_000,
      };
    case 'TIMEOUT':
      return {
        status: 504,
        code: 'UPSTREAM_TIMEOUT',
        message: 'Neurolinker did not answer in time.',
      };
    case 'INVALID_RESPONSE':
      return {
        status: 502,
        code: 'UPSTREAM_INVALID_RESPONSE',
        message: 'Neurolinker sent a response the proxy could not validate.',
      };
    case 'NOT_FOUND':
      return {
        status: 404,
        code: 'NOT_FOUND',
        message: 'No status with this id (or not visible yet).',
      };
    case 'INVALID_ID':
      return undefined;
    default:
      return {
        status: 502,
        code: 'UPSTREAM_UNAVAILABLE',
        message: 'Neurolinker could not be reached or failed.',
      };
  }
}
