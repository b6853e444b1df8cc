import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { type EdgeErrorCode, errorBody } from './edge-error.ts';

/** The challenge of every 401 the proxy sends (`WWW-Authenticate`). */
export const BEARER_CHALLENGE = 'Bearer realm="neurostatus-edge"';

/** A JSON error answer before it becomes a Response: what {@link jsonError} sends. */
export interface JsonErrorReply {
  readonly body: string;
  readonly status: number;
  readonly headers: Record<string, string>;
}

/**
 * The body and headers of a JSON error answer (never stored by a cache), for a path that builds
 * its Response without a Hono context; {@link jsonError} sends the same.
 *
 * @example
 * ```ts
 * const { body, status, headers } = jsonErrorReply('RATE_LIMITED', 'Too many requests.', 429);
 * ```
 */
export function jsonErrorReply(
  code: EdgeErrorCode,
  message: string,
  status: number,
  headers: Record<string, string> = {},
): JsonErrorReply {
  return {
    body: errorBody(code, message),
    status,
    headers: {
      // Every 401 names the scheme to authenticate with (RFC 9110 section 15.5.2).
      ...(status === 401 ? { 'www-authenticate': BEARER_CHALLENGE } : {}),
      ...headers,
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
    },
  };
}

/** A JSON error answer, built in one go with every header (see `statusReply` for why). */
export function jsonError(
  c: Context,
  code: EdgeErrorCode,
  message: string,
  status: number,
  headers: Record<string, string> = {},
): Response {
  return sendJsonError(c, jsonErrorReply(code, message, status, headers));
}

/** A {@link jsonErrorReply} as a route's answer. */
export function sendJsonError(c: Context, reply: JsonErrorReply): Response {
  return c.body(reply.body, reply.status as ContentfulStatusCode, reply.headers);
}
