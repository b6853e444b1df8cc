import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import { EXPOSED_HEADERS } from './status-response.ts';

/**
 * CORS for the browser origins in `EDGE_CORS_ORIGINS`: reads only (`GET`, `HEAD`), with the
 * headers a status client sends and reads.
 *
 * @example
 * ```ts
 * if (config.corsOrigins.length > 0) app.use(edgeCors(config.corsOrigins));
 * ```
 */
export function edgeCors(origins: readonly string[]): MiddlewareHandler {
  const allowed = new Set(origins);
  return cors({
    origin: (origin) => (allowed.has(origin) ? origin : null),
    allowMethods: ['GET', 'HEAD', 'OPTIONS'],
    allowHeaders: ['Authorization', 'If-None-Match', 'Last-Event-ID'],
    exposeHeaders: [...EXPOSED_HEADERS],
    maxAge: 600,
  });
}
