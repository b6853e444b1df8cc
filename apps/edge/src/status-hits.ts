import type { Hono } from 'hono';
import { type AdmissionSteps, isAdmitted } from './admission.ts';
import { cacheKey, type StatusKind } from './cache-key.ts';
import type { CompressedBodies } from './compressed-bodies.ts';
import type { TenancyMode } from './config.ts';
import type { JsonErrorReply } from './json-error.ts';
import type { ProxyMetrics } from './proxy-metrics.ts';
import {
  type AnsweredRequest,
  type EdgeAppEnv,
  type RequestFraming,
  requestIdOf,
} from './request-context.ts';
import { statusAnswerReply } from './status-answer.ts';
import type { StatusCache } from './status-cache.ts';
import type { EncodedStatusReply } from './status-encoding.ts';
import { STATUS_KINDS, STATUS_PATHS, STATUS_PREFIXES } from './status-paths.ts';

/** The `fetch` of a Hono app: what every runtime entry serves. */
export type EdgeFetch = Hono<EdgeAppEnv>['fetch'];

/** Options of {@link createStatusHits}. */
export interface StatusHitsOptions {
  readonly mode: TenancyMode;
  readonly cache: StatusCache;
  /** Each stored body's gzipped copy; undefined where the runtime compresses. */
  readonly compressed: CompressedBodies | undefined;
  readonly metrics: ProxyMetrics;
  readonly now: () => number;
  /** The request context's work (security headers, request metrics, access log). */
  readonly framing: RequestFraming;
  /** The admission rules of each kind, as plain functions. */
  readonly steps: (kind: StatusKind) => AdmissionSteps;
  /** The whole proxy's own `fetch`: it answers every request the fast path does not. */
  readonly fallback: EdgeFetch;
}

/** A status route as mounted (`/api/v1/document-status/:id`), and the literal part before `:id`. */
interface HitRoute {
  readonly kind: StatusKind;
  readonly route: string;
  readonly start: string;
  readonly steps: AdmissionSteps;
}

/** What a request's access-log record and metrics need; its status and cache filled in last. */
type Exchange = { -readonly [K in keyof AnsweredRequest]: AnsweredRequest[K] };

const ignore = (): void => {};

/**
 * A `fetch` in front of the proxy for its most frequent answer, a fresh cache hit for a known
 * credential, answered synchronously before Hono builds a router match, a context or a middleware
 * chain (a third of a hit's JavaScript time in a Bun profile). It recognises `GET`/`HEAD` of a
 * status route under each prefix, and runs the very rules of the full app, each from its owner: the
 * admission steps (id, credentials, then the rate limit once the hit is certain, so a request
 * passed on is never counted twice), the cache's `freshNow`, `statusAnswerReply` (ETag or 304,
 * Age, Cache-Control, Cache-Status, Vary, gzip), `requestIdOf`, the framing's security headers,
 * metrics and access log. Everything else goes to `fallback` untouched: other routes and methods,
 * a path with percent-encoding (Hono decodes it), an unknown credential (its HMAC is a promise), a
 * refusal, anything not fresh, and a failure here (the full app answers again, and its error
 * handler logs what failed). Installed only over a store that can `peek`, and without CORS.
 *
 * @example
 * ```ts
 * app.fetch = createStatusHits({ ...parts, fallback: app.fetch });
 * ```
 */
export function createStatusHits(options: StatusHitsOptions): EdgeFetch {
  const { mode, cache, compressed, metrics, now, framing, fallback } = options;
  const answerOptions = { mode, compressed };
  const routes: HitRoute[] = STATUS_PREFIXES.flatMap((prefix) =>
    STATUS_KINDS.map((kind) => {
      const route = `${prefix}${STATUS_PATHS[kind]}`;
      return { kind, route, start: route.slice(0, route.indexOf(':')), steps: options.steps(kind) };
    }),
  );
  // `basis`: the cached entry a hit answers from (its headers mostly stay from one hit to the next).
  const sent = (exchange: Exchange, read: 'hit' | undefined, reply: Reply, basis?: object) => {
    const response = framing.response(
      exchange.requestId,
      reply.body,
      reply.status,
      reply.headers,
      basis,
    );
    exchange.status = reply.status;
    exchange.cache = read;
    framing.record(exchange);
    return response;
  };
  // `url` and `method` as the wrapper read them: on Bun each read of a getter makes a new string.
  const answer = (
    request: Request,
    env: unknown,
    url: string,
    method: string,
    path: string,
    hit: HitRoute,
  ) => {
    const started = now();
    const { headers } = request;
    const outcome = hit.steps.identify(
      path.slice(hit.start.length),
      headers.get('authorization') ?? undefined,
      url,
    );
    if (outcome instanceof Promise) {
      // The full app asks again, and answers; this promise's outcome is not needed.
      outcome.catch(ignore);
      return undefined;
    }
    // A refusal is the full app's to answer (and count).
    if (!isAdmitted(outcome)) return undefined;
    const { id, tenant } = outcome;
    const entry = cache.freshNow(cacheKey({ tenant: tenant.cacheTenant, kind: hit.kind, id }));
    if (entry === undefined) return undefined;
    const exchange: Exchange = {
      started,
      requestId: requestIdOf(headers.get('x-request-id') ?? undefined),
      method,
      route: hit.route,
      path,
      status: 0,
      cache: undefined,
      tenant,
    };
    const refused = hit.steps.limit(tenant, request, env);
    if (refused !== undefined) return sent(exchange, undefined, refused);
    metrics.cache('hit');
    // The request started microseconds ago: that instant serves for Age and the TTLs too.
    const reply = statusAnswerReply(
      { outcome: 'hit', entry },
      started,
      requestHeaders(headers),
      answerOptions,
    );
    // A promise only while the entry's gzipped copy is being made (once per body).
    return reply instanceof Promise
      ? reply.then((encoded) => sent(exchange, 'hit', encoded, entry))
      : sent(exchange, 'hit', reply, entry);
  };
  return (request, env, executionCtx) => {
    const { method } = request;
    if (method !== 'GET' && method !== 'HEAD') return fallback(request, env, executionCtx);
    const { url } = request;
    const hit = hitOf(url, routes);
    if (hit === undefined) return fallback(request, env, executionCtx);
    let answered: Response | Promise<Response> | undefined;
    try {
      answered = answer(request, env, url, method, hit.path, hit.route);
    } catch {
      answered = undefined;
    }
    if (answered === undefined) return fallback(request, env, executionCtx);
    if (answered instanceof Promise) {
      answered = answered.catch(() => fallback(request, env, executionCtx));
    }
    // What Hono does for HEAD: the GET answer's status and headers, without its body.
    if (method !== 'HEAD') return answered;
    return answered instanceof Promise ? answered.then(withoutBody) : withoutBody(answered);
  };
}

/** A reply the fast path sends: a status answer, or the rate limit's refusal. */
type Reply = EncodedStatusReply | JsonErrorReply;

function requestHeaders(headers: Headers) {
  return {
    ifNoneMatch: headers.get('if-none-match') ?? undefined,
    acceptEncoding: headers.get('accept-encoding') ?? undefined,
  };
}

function withoutBody(response: Response): Response {
  return new Response(null, response);
}

/**
 * The status route a URL asks for, and its path, or `undefined`. The path is what Hono's
 * `getPath` reads (from the first `/` after the origin to the query), for the paths the fast path
 * takes: none with `%` (Hono decodes those) or `#`. The id is the rest of the path after a route's
 * literal start, without another `/` (what Hono's router gives `:id`).
 */
function hitOf(
  url: string,
  routes: readonly HitRoute[],
): { readonly path: string; readonly route: HitRoute } | undefined {
  const start = url.indexOf('/', url.indexOf(':') + 4);
  const query = url.indexOf('?', start);
  const path = query === -1 ? url.slice(start) : url.slice(start, query);
  for (const route of routes) {
    const idStart = route.start.length;
    if (!path.startsWith(route.start) || path.length === idStart) continue;
    if (path.indexOf('/', idStart) !== -1 || path.includes('%') || path.includes('#')) {
      return undefined;
    }
    return { path, route };
  }
  return undefined;
}
