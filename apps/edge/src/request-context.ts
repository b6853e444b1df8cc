import type { Context, MiddlewareHandler } from 'hono';
import type { Tenant } from './authenticate.ts';
import type { EdgeErrorCode } from './edge-error.ts';
import { jsonErrorReply } from './json-error.ts';
import type { LogRecord } from './log-record.ts';
import type { ProxyMetrics } from './proxy-metrics.ts';
import type { CacheRead } from './status-cache.ts';
import { createTemplatedResponses, type TemplatedResponses } from './templated-responses.ts';

/** What every request carries on `c.var`; the routes fill in what they learn. */
export type EdgeVariables = {
  /** The caller's `X-Request-Id` when it looks like one, else a fresh UUID. */
  requestId: string;
  /** The route pattern (never the id), for metrics and logs; unset (`unmatched`) until a route sets it. */
  route: string | undefined;
  /** How the cache answered, on status routes. */
  cache: CacheRead['outcome'] | undefined;
  /** Who asked, once admitted. */
  tenant: Tenant | undefined;
  /** The security headers every response carries (set once by `requestContext`). */
  securityHeaders: Readonly<Record<string, string>>;
  /** True once a route built its Response with `respond()`, security headers included. */
  framed: boolean | undefined;
};

/** The Hono environment of the proxy's app and its route groups. */
export type EdgeAppEnv = { Variables: EdgeVariables };

/** Options of {@link requestContext}. */
export interface RequestContextOptions {
  readonly now: () => number;
  readonly metrics: ProxyMetrics;
  /** One access-log record per request; `undefined` when request logs are off (nothing is built). */
  readonly log: ((record: LogRecord) => void) | undefined;
  /** Whether browsers on other origins may read the answers (CORS is on). */
  readonly crossOrigin: boolean;
  /** How the fast path hands response headers to the runtime's server. Default `'record'`. */
  readonly headerForm?: ResponseHeaderForm;
}

/**
 * How a response's headers reach the runtime's server most cheaply: as a plain `record` (Node's
 * `@hono/node-server` writes one as it is, but copies a `Headers` object into one), or as a
 * `Headers` object cloned from one made once (`headers`: Bun turns a record into its native
 * headers on every response, and copies a `Headers` object for about half the cost).
 */
export type ResponseHeaderForm = 'record' | 'headers';

/** An incoming request id is kept when it looks like one (what `hono/request-id` accepts). */
const REQUEST_ID = /^[\w\-=]{1,255}$/;

/**
 * Security headers for a JSON API (`hono/secure-headers`' defaults, less those that only matter to
 * HTML documents: each header costs the server time on every response).
 */
function secureHeaders(crossOrigin: boolean): Readonly<Record<string, string>> {
  return Object.freeze({
    'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
    'cross-origin-resource-policy': crossOrigin ? 'cross-origin' : 'same-origin',
    'referrer-policy': 'no-referrer',
    'strict-transport-security': 'max-age=15552000; includeSubDomains',
    'x-content-type-options': 'nosniff',
  });
}

/**
 * The request id a request answers with (the one owner of this rule): the caller's `X-Request-Id`
 * when it looks like one, else a fresh UUID.
 *
 * @example
 * ```ts
 * requestIdOf(request.headers.get('x-request-id') ?? undefined);
 * ```
 */
export function requestIdOf(incoming: string | undefined): string {
  return incoming !== undefined && REQUEST_ID.test(incoming) ? incoming : crypto.randomUUID();
}

/**
 * A Response built in one go from a plain header record, with the security headers and the
 * request id that every response of the proxy carries. Hono's `c.body()` turns more than one
 * header into a `Headers` object (and `@hono/node-server` turns that back into a record); a plain
 * record skips both, which is most of what a cache hit costs beyond the socket write.
 *
 * @example
 * ```ts
 * return framedResponse(framing.securityHeaders, requestId, entry.body, 200, { etag: entry.etag });
 * ```
 */
export function framedResponse(
  security: Readonly<Record<string, string>>,
  requestId: string,
  body: string | Uint8Array | null,
  status: number,
  headers: Readonly<Record<string, string>>,
): Response {
  const all: Record<string, string> = { ...security };
  all['x-request-id'] = requestId;
  for (const name in headers) all[name] = headers[name] as string;
  return new Response(body as BodyInit | null, { status, headers: all });
}

/**
 * A JSON error answered outside the app, framed like every answer of the proxy (the security
 * headers, a fresh request id): for a request the runtime's server could not turn into a
 * `Request` (Node: a `Host` with a space, a backslash in the path), which never reaches the app.
 *
 * @example
 * ```ts
 * errorHandler: () => unframedError('BAD_REQUEST', 'The request could not be read.', 400, false),
 * ```
 */
export function unframedError(
  code: EdgeErrorCode,
  message: string,
  status: number,
  crossOrigin: boolean,
): Response {
  const { body, headers } = jsonErrorReply(code, message, status);
  return framedResponse(secureHeaders(crossOrigin), crypto.randomUUID(), body, status, headers);
}

/**
 * {@link framedResponse} for a route's context, marking it framed. Headers another middleware set
 * before (CORS) are still merged in by Hono's `c.res` setter.
 *
 * @example
 * ```ts
 * return respond(c, entry.body, 200, { etag: entry.etag, 'content-type': 'application/json' });
 * ```
 */
export function respond<E extends EdgeAppEnv>(
  context: Context<E>,
  body: string | Uint8Array | null,
  status: number,
  headers: Readonly<Record<string, string>>,
): Response {
  // Every proxy env extends EdgeAppEnv; Hono's `Set<E>` is invariant, so the widening is by hand.
  const c = context as unknown as Context<EdgeAppEnv>;
  c.set('framed', true);
  return framedResponse(c.get('securityHeaders'), c.get('requestId'), body, status, headers);
}

/** An answered request, as the request metrics and the access log record it. */
export interface AnsweredRequest {
  /** When the request started, epoch ms (from the framing's clock). */
  readonly started: number;
  readonly requestId: string;
  readonly method: string;
  /** The route pattern, or `unmatched`. */
  readonly route: string;
  /** The path only: a query string may hold an access token. */
  readonly path: string;
  readonly status: number;
  readonly cache: CacheRead['outcome'] | undefined;
  readonly tenant: Tenant | undefined;
}

/** What {@link requestContext} does around a route, as two calls; see {@link createRequestFraming}. */
export interface RequestFraming {
  /** The security headers every response carries. */
  readonly securityHeaders: Readonly<Record<string, string>>;
  /**
   * A response with the security headers, the request id and `headers`, in the runtime's cheapest
   * form (`headerForm`): {@link framedResponse}, or `createTemplatedResponses`' (which reuses the
   * headers of the last answer built for the same `basis`, such as a cached entry).
   */
  readonly response: TemplatedResponses;
  /** Before the route: the request id and the security headers on `c.var`. Returns the start time. */
  begin(c: Context<EdgeAppEnv>): number;
  /**
   * After the route: `response` with the request id and the security headers (unless built by
   * {@link respond}), counted, and logged when request logs are on. Returns the response to send
   * (a copy when `response`'s headers were immutable).
   */
  end(c: Context<EdgeAppEnv>, started: number, response: Response): Response;
  /**
   * Counts an answered request and writes its access-log record (when request logs are on): what
   * `end` does once the response is framed, for a path that answers without a Hono context.
   */
  record(answered: AnsweredRequest): void;
}

/**
 * The request context's work as two calls, for the middleware and for a route that answers
 * without middleware (the status cache hit): one owner for the request id, the security headers,
 * the request metrics and the access log.
 *
 * @example
 * ```ts
 * const framing = createRequestFraming({ now: Date.now, metrics, log, crossOrigin: false });
 * const started = framing.begin(c);
 * return framing.end(c, started, respond(c, body, 200, headers));
 * ```
 */
export function createRequestFraming(options: RequestContextOptions): RequestFraming {
  const { now, metrics, log } = options;
  const security = secureHeaders(options.crossOrigin);
  const isoTime = createIsoTime();
  const record = (answered: AnsweredRequest) => {
    const { started, route, status } = answered;
    const durationMs = now() - started;
    metrics.request(route, status, durationMs);
    if (log === undefined) return;
    log({
      time: isoTime(started),
      level: status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info',
      msg: 'request',
      requestId: answered.requestId,
      method: answered.method,
      route,
      path: answered.path,
      status,
      durationMs,
      cache: answered.cache,
      tenant: answered.tenant?.label,
    });
  };
  return {
    securityHeaders: security,
    response:
      options.headerForm === 'headers'
        ? createTemplatedResponses(security)
        : (requestId, body, status, headers) =>
            framedResponse(security, requestId, body, status, headers),
    begin(c) {
      const started = now();
      c.set('requestId', requestIdOf(c.req.header('x-request-id')));
      c.set('securityHeaders', security);
      return started;
    },
    end(c, started, response) {
      const requestId = c.get('requestId');
      const res = c.get('framed') === true ? response : frame(response, requestId, security);
      // `c.get`, not `c.var`: each read of `c.var` copies every variable into a new object.
      record({
        started,
        requestId,
        method: c.req.method,
        route: c.get('route') ?? 'unmatched',
        path: c.req.path,
        status: res.status,
        cache: c.get('cache'),
        tenant: c.get('tenant'),
      });
      return res;
    },
    record,
  };
}

/**
 * The first middleware of the proxy: puts a request id on `c.var`, gives every response the
 * request id and the security headers (routes on the hot path build them in with
 * {@link respond}; others get them added once the handler is done), and when the response is done
 * counts it and, when request logs are on, writes one access-log record.
 *
 * @example
 * ```ts
 * app.use(requestContext({ now: Date.now, metrics, log, crossOrigin: false }));
 * ```
 */
export function requestContext(options: RequestContextOptions): MiddlewareHandler<EdgeAppEnv> {
  const framing = createRequestFraming(options);
  return async (c, next) => {
    const started = framing.begin(c);
    await next();
    const res = framing.end(c, started, c.res);
    if (res !== c.res) c.res = res;
  };
}

/**
 * Adds the request id and the security headers a response built without {@link respond} does not
 * carry already.
 */
function frame(res: Response, id: string, security: Readonly<Record<string, string>>): Response {
  let framed = res;
  try {
    framed.headers.set('x-request-id', id);
  } catch {
    // Immutable headers (a Response from `fetch`): answer with a mutable copy instead.
    framed = new Response(res.body, res);
    framed.headers.set('x-request-id', id);
  }
  // A route's own value wins (the live page's CSP), as with `respond()`.
  for (const name in security) {
    if (!framed.headers.has(name)) framed.headers.set(name, security[name] as string);
  }
  return framed;
}

/** `toISOString()` of epoch ms, remembering the last one: requests under load share milliseconds. */
function createIsoTime(): (ms: number) => string {
  let lastMs = Number.NaN;
  let lastText = '';
  return (ms) => {
    if (ms !== lastMs) {
      lastMs = ms;
      lastText = new Date(ms).toISOString();
    }
    return lastText;
  };
}
