import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { type EdgeErrorCode, errorBody } from './edge-error.ts';

/** A JSON error answer, built in one go with every header (see `statusReply` for why). */
export function jsonError(
  c: Context,
  code: EdgeErrorCode,
  message: string,
  status: number,
  headers: Record<string, string> = {},
): Response {
  return c.body(errorBody(code, message), status as ContentfulStatusCode, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
  });
}
