/** The stable `code` of every error body the proxy sends. */
export type EdgeErrorCode =
  | 'BAD_REQUEST'
  | 'INVALID_ID'
  | 'MISSING_CREDENTIALS'
  | 'INVALID_CREDENTIALS'
  | 'INVALID_TOKEN'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'ROUTE_NOT_FOUND'
  | 'RATE_LIMITED'
  | 'UPSTREAM_RATE_LIMITED'
  | 'UPSTREAM_UNAUTHORIZED'
  | 'UPSTREAM_FORBIDDEN'
  | 'UPSTREAM_PAYMENT_REQUIRED'
  | 'UPSTREAM_CREDENTIALS_REJECTED'
  | 'UPSTREAM_TIMEOUT'
  | 'UPSTREAM_UNAVAILABLE'
  | 'UPSTREAM_INVALID_RESPONSE'
  | 'TOO_MANY_STREAMS'
  | 'INVALID_CONFIG'
  | 'INTERNAL_ERROR';

/**
 * The JSON body of every error the proxy answers: `{ "error": { "code", "message" } }`. The
 * request id is in the `x-request-id` header, not the body, so cached error bodies (a 404) stay
 * byte-identical between requests.
 *
 * @example
 * ```ts
 * return c.body(errorBody('INVALID_ID', 'Invalid document id: contains "..".'), 400);
 * ```
 */
export function errorBody(code: EdgeErrorCode, message: string): string {
  return JSON.stringify({ error: { code, message } });
}
