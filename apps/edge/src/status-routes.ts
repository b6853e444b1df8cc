import { type Context, type Handler, Hono } from 'hono';
import type { AdmissionCheck, AdmittedEnv } from './admission.ts';
import { cacheKey, type StatusKind } from './cache-key.ts';
import type { CompressedBodies } from './compressed-bodies.ts';
import type { TenancyMode } from './config.ts';
import { jsonError } from './json-error.ts';
import { describeStatusRoutes } from './openapi.ts';
import type { ProxyMetrics } from './proxy-metrics.ts';
import type { EdgeAppEnv } from './request-context.ts';
import { retryAfterSeconds } from './retry-after-seconds.ts';
import { statusAnswer } from './status-answer.ts';
import type { StatusCache } from './status-cache.ts';
import { statusLoader } from './status-loader.ts';
import { STATUS_KINDS, STATUS_PATHS } from './status-paths.ts';
import { upstreamFailure } from './upstream-failure.ts';
import { waitUntilOf } from './wait-until.ts';

/** Options of {@link createStatusRoutes}. */
export interface StatusRoutesOptions {
  readonly mode: TenancyMode;
  readonly cache: StatusCache;
  /** Each stored body's gzipped copy; undefined where the runtime compresses (see `EdgeParts.compress`). */
  readonly compressed: CompressedBodies | undefined;
  readonly metrics: ProxyMetrics;
  readonly now: () => number;
  /** The checks before a route answers; see `admissionCheck`. */
  readonly admit: (kind: StatusKind) => AdmissionCheck;
}

/**
 * The answer to an upstream failure the cache had nothing stale for (502, 504, 429 with
 * `Retry-After`, ...). An error that is not an upstream failure is a bug: it is rethrown, for
 * `app.onError`.
 *
 * @example
 * ```ts
 * try { ... } catch (error) { return failureResponse(c, error, config.mode); }
 * ```
 */
function failureResponse(c: Context, error: unknown, mode: TenancyMode): Response {
  const failure = upstreamFailure(error, mode);
  if (failure === undefined) throw error;
  const headers: Record<string, string> = {};
  if (failure.retryAfterMs !== undefined) {
    headers['retry-after'] = retryAfterSeconds(failure.retryAfterMs);
  }
  return jsonError(c, failure.code, failure.message, failure.status, headers);
}

/**
 * `GET /document-status/:id` and `GET /request-status/:id`: the status from the cache (fresh,
 * stale or just loaded), with ETag, Age and Cache-Status, or 304 for a matching `If-None-Match`.
 * A sub-app, mounted under each prefix with `app.route()`.
 *
 * @example
 * ```ts
 * const statusRoutes = createStatusRoutes({ mode, cache, compressed, metrics, now, admit });
 * app.route('/api/v1', statusRoutes);
 * ```
 */
export function createStatusRoutes(options: StatusRoutesOptions): Hono<EdgeAppEnv> {
  const { mode, cache, compressed, metrics, now, admit } = options;
  const routes = new Hono<EdgeAppEnv>();
  for (const kind of STATUS_KINDS) {
    const check = admit(kind);
    const answer: Handler<AdmittedEnv> = async (c) => {
      // The checks run inside the handler, not as middleware steps before it: on the hot path,
      // each step of Hono's compose is a dispatch and an await of its own.
      const checked = check(c);
      const refused = checked instanceof Promise ? await checked : checked;
      if (refused !== undefined) return refused;
      // `c.get`, not `c.var` (which copies every variable into a new object): a hot path.
      const id = c.get('id');
      const tenant = c.get('tenant');
      const key = cacheKey({ tenant: tenant.cacheTenant, kind, id });
      try {
        const read = await cache.read(
          key,
          tenant.cacheTenant,
          statusLoader(tenant.client, kind, id),
          waitUntilOf(c),
        );
        metrics.cache(read.outcome);
        c.set('cache', read.outcome);
        return await statusAnswer(c, read, now(), { mode, compressed });
      } catch (error) {
        return failureResponse(c, error, mode);
      }
    };
    // The OpenAPI description rides on the handler (what `describeRoute` attaches to its
    // middleware), so it costs no middleware step per request.
    routes.get(STATUS_PATHS[kind], Object.assign(answer, describeStatusRoutes(kind, 'status')));
  }
  return routes;
}
