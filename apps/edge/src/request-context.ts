import type { MiddlewareHandler } from 'hono';
import type { Tenant } from './authenticate.ts';
import type { LogRecord } from './log-record.ts';
import type { ProxyMetrics } from './proxy-metrics.ts';
import type { CacheRead } from './status-cache.ts';

/** What every request carries on `c.var`; the routes fill in what they learn. */
export type EdgeVariables = {
  /** The caller's `X-Request-Id` when it looks like one, else a fresh UUID. */
  requestId: string;
  /** The route pattern (never the id), for metrics and logs; `unmatched` until a route sets it. */
  route: string;
  /** How the cache answered, on status routes. */
  cache: CacheRead['outcome'] | undefined;
  /** Who asked, once admitted. */
  tenant: Tenant | undefined;
};

/** The Hono environment of the proxy's app and its route groups. */
export type EdgeAppEnv = { Variables: EdgeVariables };

/** Options of {@link requestContext}. */
export interface RequestContextOptions {
  readonly now: () => number;
  readonly metrics: ProxyMetrics;
  readonly log: (record: LogRecord) => void;
  /** Whether browsers on other origins may read the answers (CORS is on). */
  readonly crossOrigin: boolean;
}

/** An incoming request id is kept when it looks like one (what `hono/request-id` accepts). */
const REQUEST_ID = /^[\w\-=]{1,255}$/;

/**
 * Security headers for a JSON API (`hono/secure-headers`' defaults, less those that only matter to
 * HTML documents: each header costs Node's server time on every response).
 */
function secureHeaders(crossOrigin: boolean): Record<string, string> {
  return {
    'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
    'cross-origin-resource-policy': crossOrigin ? 'cross-origin' : 'same-origin',
    'referrer-policy': 'no-referrer',
    'strict-transport-security': 'max-age=15552000; includeSubDomains',
    'x-content-type-options': 'nosniff',
  };
}

/**
 * The first middleware of the proxy: puts a request id on `c.var` and on the response, sets the
 * security headers, and when the response is done counts it and writes one access-log record.
 *
 * @example
 * ```ts
 * app.use(requestContext({ now: Date.now, metrics, log, crossOrigin: false }));
 * ```
 */
export function requestContext(options: RequestContextOptions): MiddlewareHandler<EdgeAppEnv> {
  const { now, metrics, log } = options;
  const responseHeaders = Object.entries(secureHeaders(options.crossOrigin));
  return async (c, next) => {
    const started = now();
    const incoming = c.req.header('x-request-id');
    const id = incoming !== undefined && REQUEST_ID.test(incoming) ? incoming : crypto.randomUUID();
    c.set('requestId', id);
    c.set('route', 'unmatched');
    // Set before the handler, so every response is built with them: headers changed on a
    // finished Response cost Node's server its fast path (about half its throughput).
    c.header('x-request-id', id);
    for (const [name, value] of responseHeaders) c.header(name, value);
    await next();
    // `c.get`, not `c.var`: each read of `c.var` copies every variable into a new object.
    const route = c.get('route');
    const durationMs = now() - started;
    metrics.request(route, c.res.status, durationMs);
    log({
      time: new Date(started).toISOString(),
      level: c.res.status >= 500 ? 'error' : c.res.status >= 400 ? 'warn' : 'info',
      msg: 'request',
      requestId: c.get('requestId'),
      method: c.req.method,
      route,
      // The path only: a query string may hold an access token.
      path: c.req.path,
      status: c.res.status,
      durationMs,
      cache: c.get('cache'),
      tenant: c.get('tenant')?.label,
    });
  };
}
