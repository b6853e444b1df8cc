import { assertValidId } from '@neurostatus/core';
import {
  createPollScheduler,
  type PollerClock,
  type PollScheduler,
  systemClock,
} from '@neurostatus/poller';
import { type Context, Hono } from 'hono';
import { cors } from 'hono/cors';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { type Authenticate, createAuthenticator, type Tenant } from './authenticate.ts';
import { cacheKey, type StatusKind } from './cache-key.ts';
import { createClientRateLimiter } from './client-rate-limiter.ts';
import { createCompressedBodies } from './compressed-bodies.ts';
import type { EdgeConfig } from './config.ts';
import { type EdgeErrorCode, errorBody } from './edge-error.ts';
import { eventStream, STREAM_FAILED } from './event-stream.ts';
import { createFeedHub, type FeedSource } from './feed-hub.ts';
import { createHoldOff } from './hold-off.ts';
import { meteredFetch } from './metered-fetch.ts';
import { PROMETHEUS_CONTENT_TYPE } from './metrics-registry.ts';
import { describeStatusRoutes, openApiHandler } from './openapi.ts';
import { createProxyMetrics, type ProxyMetrics } from './proxy-metrics.ts';
import { retryAfterSeconds } from './retry-after-seconds.ts';
import { createStatusCache } from './status-cache.ts';
import { encodeStatusReply } from './status-encoding.ts';
import {
  finishedFeed,
  ownDocumentFeed,
  type RememberAnswer,
  requestFeed,
  sharedDocumentFeed,
} from './status-feeds.ts';
import { statusLoader } from './status-loader.ts';
import { EXPOSED_HEADERS, statusReply } from './status-response.ts';
import type { StatusStore } from './status-store.ts';
import { streamPreflight } from './stream-preflight.ts';
import { createUpstreamClients } from './upstream-clients.ts';
import { upstreamFailure } from './upstream-failure.ts';

/** One structured log line: never a key, a token, a query string or an `Authorization` header. */
export interface LogRecord {
  readonly time: string;
  readonly level: 'info' | 'warn' | 'error';
  readonly msg: string;
  readonly [field: string]: unknown;
}

/** What the proxy is built from; every outside effect is injected. */
export interface EdgeDeps {
  readonly config: EdgeConfig;
  readonly store: StatusStore;
  /** The upstream base URL. Default: `config.upstream.baseUrl` (required for a `simulator` upstream). */
  readonly baseUrl?: string;
  /** How to reach the upstream (the embedded simulator's `fetch`, or a test's). Default: global `fetch`. */
  readonly fetch?: typeof globalThis.fetch;
  /** The proxy's own key (`scoped-token` / `open`). Default: `config.upstream.apiKey`. */
  readonly apiKey?: string;
  /** Time and sleep, for the cache, SSE heartbeats and poll loops. Default: the system clock. */
  readonly clock?: PollerClock;
  /** Shares one poll loop per document between event streams. Default: one made on `clock`. */
  readonly scheduler?: PollScheduler;
  /** Receives one record per request. Default: JSON to `console.log` unless `config.log` is `off`. */
  readonly log?: (record: LogRecord) => void;
  /** The client's network address, for the per-client rate limit (runtime-specific). */
  readonly clientAddress?: (c: Context) => string | undefined;
  readonly metrics?: ProxyMetrics;
  /**
   * Whether event streams share one poll loop per document (through `scheduler`). Default true.
   * Workers set it to false: there, I/O belongs to the request that started it, so a loop started
   * by one stream stops when that client leaves, and cannot feed another request's stream.
   */
  readonly shareEventLoops?: boolean;
  /**
   * Aborted when the server shuts down: request event loops stop, and streams close *without*
   * `end` (which means "finished"), so clients reconnect to another instance.
   */
  readonly shutdown?: AbortSignal;
  /**
   * Whether the app gzips JSON status answers itself (each cached body once, when stored).
   * Default true; false where the runtime's server compresses already (Workers, Deno).
   */
  readonly compress?: boolean;
}

type EdgeVariables = {
  requestId: string;
  route: string;
  cache: string | undefined;
  tenant: string | undefined;
};

/** The route patterns, under both prefixes the API answers on. */
const PREFIXES = ['/api/v1', '/v1'] as const;
const ROUTES = { document: 'document-status', request: 'request-status' } as const;

/**
 * Keeps `promise` alive after the response on Workers (`ctx.waitUntil`). Looked up only when
 * needed: outside Workers `c.executionCtx` throws, and a throw per request is costly.
 */
function waitUntilOf(c: Context): (promise: Promise<unknown>) => void {
  return (promise) => {
    try {
      c.executionCtx.waitUntil(promise);
    } catch {
      // Not Workers: a promise lives on by itself.
    }
  };
}

/** A JSON error answer, built in one go with every header (see `statusReply` for why). */
function jsonError(
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

/** An incoming request id is kept when it looks like one (what `hono/request-id` accepts). */
const REQUEST_ID = /^[\w\-=]{1,255}$/;

/**
 * Builds the proxy: a Hono app serving the Neurolinker status routes from a cache, with request
 * coalescing, stale-while-revalidate, stale-if-error, 429 hold-off, tenancy, per-client rate
 * limits, event streams, metrics and an OpenAPI document. Web APIs only, so the same app runs on
 * Node, Bun, Deno and Workers; the entries in `src/runtimes/` build it from their parts.
 *
 * @example
 * ```ts
 * const app = await createApp({ config: loadEdgeConfig(env), store: createMemoryStore() });
 * export default { fetch: app.fetch };
 * ```
 */
export async function createApp(deps: EdgeDeps): Promise<Hono<{ Variables: EdgeVariables }>> {
  const { config, store } = deps;
  const clock = deps.clock ?? systemClock;
  const now = () => clock.now();
  const metrics = deps.metrics ?? createProxyMetrics();
  const scheduler = deps.scheduler ?? createPollScheduler({ clock });
  const shareEventLoops = deps.shareEventLoops ?? true;
  const { shutdown } = deps;
  const log =
    deps.log ??
    (config.log === 'off' ? () => {} : (record: LogRecord) => console.log(JSON.stringify(record)));
  const baseUrl =
    deps.baseUrl ?? (config.upstream.kind === 'api' ? config.upstream.baseUrl : undefined);
  if (baseUrl === undefined)
    throw new TypeError('createApp: `baseUrl` is required for this upstream.');
  const clients = createUpstreamClients({
    baseUrl,
    timeoutMs: config.upstreamTimeoutMs,
    fetch: meteredFetch(metrics, now, deps.fetch),
  });
  const authenticate: Authenticate = await createAuthenticator({
    mode: config.mode,
    secret: config.secret,
    clients,
    apiKey: deps.apiKey ?? (config.upstream.kind === 'api' ? config.upstream.apiKey : undefined),
    now,
  });
  const compressed = (deps.compress ?? true) ? createCompressedBodies() : undefined;
  const cache = createStatusCache({
    store,
    ttl: config.ttl,
    holdOff: createHoldOff({ now }),
    now,
    deadlineMs: config.upstreamTimeoutMs,
    sleep: (ms, signal) => clock.sleep(ms, signal),
    onAbandon: () => metrics.abandoned(),
    ...(compressed === undefined
      ? {}
      : { onStore: (entry) => compressed.prepare(entry.etag, entry.body) }),
  });
  const rateLimiter =
    config.rateLimit.perSecond > 0
      ? createClientRateLimiter({
          ratePerSecond: config.rateLimit.perSecond,
          burst: config.rateLimit.burst,
          now,
        })
      : undefined;
  let openStreams = 0;
  const documentFeeds = createFeedHub<string>();
  const requestFeeds = createFeedHub<string>();
  metrics.gauge(
    'neurostatus_edge_event_streams',
    'Open event streams (SSE connections).',
    () => openStreams,
  );
  metrics.gauge(
    'neurostatus_edge_poll_loops',
    'Upstream poll loops feeding event streams (one per document or request).',
    () => documentFeeds.size + requestFeeds.size,
  );

  /** The checks every status route makes, in order, before anything reaches the upstream. */
  const admit = async (
    c: Context<{ Variables: EdgeVariables }>,
    kind: StatusKind,
    route: string,
  ): Promise<{ id: string; tenant: Tenant } | Response> => {
    c.set('route', route);
    let id: string;
    try {
      id = assertValidId(c.req.param('id'), kind);
    } catch (error) {
      return jsonError(c, 'INVALID_ID', (error as Error).message, 400);
    }
    const who = await authenticate(
      {
        authorization: c.req.header('authorization'),
        accessToken: c.req.query('access_token'),
      },
      kind,
      id,
    );
    if ('code' in who) {
      const headers: HeadersInit =
        who.status === 401 ? { 'www-authenticate': 'Bearer realm="neurostatus-edge"' } : {};
      return jsonError(c, who.code, who.message, who.status, headers);
    }
    c.set('tenant', who.label);
    if (rateLimiter !== undefined) {
      // Clients are told apart by address; without one (an unknown runtime, a test), only a
      // passthrough tenant is a client of its own: one shared bucket would limit everyone at once.
      const client =
        deps.clientAddress?.(c) ??
        (config.mode === 'passthrough' ? `tenant:${who.label}` : undefined);
      const decision = client === undefined ? { allowed: true as const } : rateLimiter.take(client);
      if (!decision.allowed) {
        return jsonError(c, 'RATE_LIMITED', 'Too many requests from this client.', 429, {
          'retry-after': retryAfterSeconds(decision.retryAfterMs),
        });
      }
    }
    return { id, tenant: who };
  };

  const failureResponse = (c: Context, error: unknown): Response => {
    const failure = upstreamFailure(error, config.mode);
    if (failure === undefined) throw error;
    const headers: Record<string, string> = {};
    if (failure.retryAfterMs !== undefined) {
      headers['retry-after'] = retryAfterSeconds(failure.retryAfterMs);
    }
    return jsonError(c, failure.code, failure.message, failure.status, headers);
  };

  const app = new Hono<{ Variables: EdgeVariables }>();

  const responseHeaders = Object.entries(secureHeaders(config.corsOrigins.length > 0));
  app.use(async (c, next) => {
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
      tenant: c.get('tenant'),
    });
  });
  if (config.corsOrigins.length > 0) {
    const allowed = new Set(config.corsOrigins);
    app.use(
      cors({
        origin: (origin) => (allowed.has(origin) ? origin : null),
        allowMethods: ['GET', 'HEAD', 'OPTIONS'],
        allowHeaders: ['Authorization', 'If-None-Match', 'Last-Event-ID'],
        exposeHeaders: [...EXPOSED_HEADERS],
        maxAge: 600,
      }),
    );
  }

  for (const kind of ['document', 'request'] as const) {
    for (const prefix of PREFIXES) {
      const statusRoute = `${prefix}/${ROUTES[kind]}/:id`;
      app.get(statusRoute, describeStatusRoutes(kind, 'status'), async (c) => {
        const admitted = await admit(c, kind, statusRoute);
        if (admitted instanceof Response) return admitted;
        const { id, tenant } = admitted;
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
          const plain = statusReply(read, now(), c.req.header('if-none-match'));
          // The answer depends on the credential (a key's tenant, or what a token names).
          if (config.mode !== 'open') plain.headers.vary = 'Authorization';
          const reply = await encodeStatusReply(
            plain,
            read.entry,
            c.req.header('accept-encoding'),
            compressed,
          );
          return reply.body === null
            ? c.body(null, 304, reply.headers)
            : c.body(reply.body, reply.status as ContentfulStatusCode, reply.headers);
        } catch (error) {
          return failureResponse(c, error);
        }
      });

      const eventsRoute = `${statusRoute}/events`;
      app.get(eventsRoute, describeStatusRoutes(kind, 'events'), async (c) => {
        const admitted = await admit(c, kind, eventsRoute);
        if (admitted instanceof Response) return admitted;
        const { id, tenant } = admitted;
        const key = cacheKey({ tenant: tenant.cacheTenant, kind, id });
        // GET and HEAD agree: the cache may answer 204 (the client has the final status) or 404.
        const cached = await cache.fresh(key);
        const early = streamPreflight(cached, c.req.header('last-event-id'));
        if (early?.status === 204) return c.body(null, 204, early.headers);
        if (early?.status === 404) return c.body(early.body, 404, early.headers);
        if (openStreams >= config.maxEventStreams) {
          return jsonError(
            c,
            'TOO_MANY_STREAMS',
            'The proxy has no room for another event stream.',
            503,
            { 'retry-after': retryAfterSeconds(5_000) },
          );
        }
        // HEAD: the headers of a stream, without starting one nobody will read.
        if (c.req.method === 'HEAD') {
          return c.body(null, 200, {
            'content-type': 'text/event-stream',
            'cache-control': 'no-cache',
          });
        }
        const waitUntil = waitUntilOf(c);
        const remember: RememberAnswer = (answer) =>
          // On Workers a write nobody waits for is cut short when the response ends.
          waitUntil(cache.remember(key, answer).catch(() => undefined));
        const source: FeedSource<string> =
          cached?.terminal === true
            ? finishedFeed(cached.body)
            : kind === 'request'
              ? requestFeed(tenant.client, id, clock, shutdown, remember)
              : shareEventLoops
                ? sharedDocumentFeed(scheduler, tenant.client, id, remember)
                : ownDocumentFeed(tenant.client, id, clock, remember);
        const hub = kind === 'document' ? documentFeeds : requestFeeds;
        // Unshared, each stream gets a feed key of its own, hence a loop of its own.
        const feedKey = shareEventLoops ? key : `${key}#${crypto.randomUUID()}`;
        openStreams++;
        return eventStream(c, {
          subscribe: (listener) => hub.subscribe(feedKey, source, listener),
          onClose: () => openStreams--,
          ...(shutdown === undefined ? {} : { shutdown }),
          ...(tenant.expiresAt === undefined ? {} : { closeAt: tenant.expiresAt }),
          describeError: (error) => {
            const failure = upstreamFailure(error, config.mode);
            return failure === undefined ? STREAM_FAILED : errorBody(failure.code, failure.message);
          },
          clock,
          heartbeatMs: config.heartbeatMs,
        });
      });
    }
  }

  app.get('/healthz', (c) => {
    c.set('route', '/healthz');
    c.header('cache-control', 'no-store');
    return c.json({ status: 'ok', mode: config.mode, upstream: config.upstream.kind });
  });
  app.get('/metrics', (c) => {
    c.set('route', '/metrics');
    return c.body(metrics.render(), 200, {
      'content-type': PROMETHEUS_CONTENT_TYPE,
      'cache-control': 'no-store',
    });
  });
  const openApi = openApiHandler(app, { mode: config.mode, compressed });
  app.get('/openapi.json', (c, next) => {
    c.set('route', '/openapi.json');
    return openApi(c, next);
  });

  app.notFound((c) => jsonError(c, 'ROUTE_NOT_FOUND', 'No such route.', 404));
  app.onError((error, c) => {
    log({
      time: new Date(now()).toISOString(),
      level: 'error',
      msg: 'unhandled error',
      requestId: c.get('requestId'),
      // The class name only: a message or stack could quote a header or a payload.
      error: error instanceof Error ? error.name : typeof error,
    });
    return jsonError(c, 'INTERNAL_ERROR', 'The proxy failed to answer.', 500);
  });
  return app;
}
