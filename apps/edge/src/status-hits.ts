import type { Context } from 'hono';
import { Hono } from 'hono';
import type { AdmissionSteps, AdmittedEnv } from './admission.ts';
import { cacheKey, type StatusKind } from './cache-key.ts';
import type { CompressedBodies } from './compressed-bodies.ts';
import type { TenancyMode } from './config.ts';
import type { ProxyMetrics } from './proxy-metrics.ts';
import type { EdgeAppEnv, RequestFraming } from './request-context.ts';
import { statusAnswer } from './status-answer.ts';
import type { StatusCache } from './status-cache.ts';
import { STATUS_KINDS, STATUS_PATHS, STATUS_PREFIXES } from './status-paths.ts';

/** Options of {@link createStatusHits}. */
export interface StatusHitsOptions {
  readonly mode: TenancyMode;
  readonly cache: StatusCache;
  /** Each stored body's gzipped copy; undefined where the runtime compresses. */
  readonly compressed: CompressedBodies | undefined;
  readonly metrics: ProxyMetrics;
  /** The request context's work (request id, security headers, metrics, log). */
  readonly framing: RequestFraming;
  /** The admission checks of each kind, in their two steps. */
  readonly steps: (kind: StatusKind) => AdmissionSteps;
  /** The whole proxy: it answers every request the shortcut does not. */
  readonly app: Hono<EdgeAppEnv>;
}

/**
 * A shortcut in front of the proxy for its most frequent answer: a fresh cache hit for a known
 * credential, answered synchronously. Hono answers a route with a single handler without its
 * middleware compose (each step of which is a promise), and Bun and `@hono/node-server` send a
 * Response returned synchronously on their fast paths; the full app, with `requestContext` as
 * middleware, can do neither. Each route here runs the same pieces as the full app (the request
 * framing, the admission steps, the cache, `statusAnswer`), and hands every other request
 * to the full app untouched: an unknown credential (its HMAC is a promise), a refusal, anything
 * not fresh, other routes. Only the rate limit is taken here, once the hit is certain, so a request
 * passed on is never counted twice. Installed only over a store that can `peek`.
 *
 * @example
 * ```ts
 * const edgeApp = cache.canPeek ? createStatusHits({ ...parts, app }) : app;
 * ```
 */
export function createStatusHits(options: StatusHitsOptions): Hono<EdgeAppEnv> {
  const { mode, cache, compressed, metrics, framing, steps, app } = options;
  const passOn = (c: Context) => app.fetch(c.req.raw, c.env, executionContextOf(c));
  const hits = new Hono<EdgeAppEnv>();
  for (const kind of STATUS_KINDS) {
    const { identify, limit } = steps(kind);
    const answer = (c: Context<AdmittedEnv>) => {
      // Hono's `Set<E>` is invariant: the same context, seen with fewer variables.
      const plain = c as unknown as Context<EdgeAppEnv>;
      const started = framing.begin(plain);
      const identified = identify(c);
      if (identified !== undefined) {
        // The full app asks again, and answers; this promise's outcome is not needed.
        if (identified instanceof Promise) identified.catch(() => undefined);
        return passOn(c);
      }
      const tenant = c.get('tenant');
      const id = c.get('id');
      const entry = cache.freshNow(cacheKey({ tenant: tenant.cacheTenant, kind, id }));
      if (entry === undefined) return passOn(c);
      const limited = limit(c);
      if (limited !== undefined) return framing.end(plain, started, limited);
      metrics.cache('hit');
      c.set('cache', 'hit');
      // The request started microseconds ago: that instant serves for Age and the TTLs too.
      const answered = statusAnswer(c, { outcome: 'hit', entry }, started, { mode, compressed });
      // A promise only while the entry's gzipped copy is being made (once per body).
      return answered instanceof Promise
        ? answered.then((response) => framing.end(plain, started, response))
        : framing.end(plain, started, answered);
    };
    for (const prefix of STATUS_PREFIXES) {
      // `identify` puts `id` and `tenant` on `c.var` before `answer` reads them.
      hits.get(`${prefix}${STATUS_PATHS[kind]}`, (c) =>
        answer(c as unknown as Context<AdmittedEnv>),
      );
    }
  }
  hits.notFound(passOn);
  // A failure here is retried by the full app, whose error handler logs and answers it.
  hits.onError((_error, c) => passOn(c));
  return hits;
}

/** Workers' execution context, when there is one (`c.executionCtx` throws elsewhere). */
function executionContextOf(c: Context) {
  try {
    return c.executionCtx;
  } catch {
    return undefined;
  }
}
