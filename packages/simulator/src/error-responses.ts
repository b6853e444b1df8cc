/**
 * The small family of canned error responses: FastAPI-style JSON details, as the real service
 * sends, and the HTML pages a load balancer in front of it sends instead.
 */

const REASONS: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  402: 'Payment Required',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  409: 'Conflict',
  413: 'Content Too Large',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/**
 * The reason phrase of `status` (RFC 9110 section 15), or a generic one.
 *
 * @example
 * ```ts
 * reasonPhrase(429); // 'Too Many Requests'
 * ```
 */
export function reasonPhrase(status: number): string {
  return REASONS[status] ?? (status >= 500 ? 'Server Error' : 'Client Error');
}

/**
 * A JSON error response with a FastAPI `{"detail": ...}` body.
 *
 * @example
 * ```ts
 * return detailResponse(404, 'Document not found');
 * ```
 */
export function detailResponse(
  status: number,
  detail: string,
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify({ detail }), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

/**
 * An HTML error page like the ones nginx-based load balancers send, which clients must not try to
 * parse as JSON.
 *
 * @example
 * ```ts
 * return htmlErrorResponse(502);
 * ```
 */
export function htmlErrorResponse(status: number, headers: Record<string, string> = {}): Response {
  const title = `${status} ${reasonPhrase(status)}`;
  const page = `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;
  return new Response(page, {
    status,
    headers: { 'content-type': 'text/html', ...headers },
  });
}
