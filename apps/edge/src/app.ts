import { Hono } from 'hono';
import { admission, admissionCheck, admissionSteps } from './admission.ts';
import { createAuthenticator } from './authenticate.ts';
import type { StatusKind } from './cache-key.ts';
import { createClientRateLimiter } from './client-rate-limiter.ts';
import { createCompressedBodies } from './compressed-bodies.ts';
import { edgeCors } from './edge-cors.ts';
import type { ResolvedEdgeParts } from './edge-parts.ts';
import { createEventRoutes } from './event-routes.ts';
import { createHoldOff } from './hold-off.ts';
import { jsonError } from './json-error.ts';
import { createLivePage } from './live-page/create-live-page.ts';
import { meteredFetch } from './metered-fetch.ts';
import { PROMETHEUS_CONTENT_TYPE } from './metrics-registry.ts';
import { openApiHandler } from './openapi.ts';
import { rememberRequestDocuments } from './remember-request-documents.ts';
import { createRequestFraming, type EdgeAppEnv, requestContext } from './request-context.ts';
import { requestLearningClients } from './request-learning-clients.ts';
import { createStatusCache } from './status-cache.ts';
import { createStatusHits } from './status-hits.ts';
import { STATUS_PREFIXES } from './status-paths.ts';
import { createStatusRoutes } from './status-routes.ts';
import { createUpstreamClients } from './upstream-clients.ts';

/**
 * Builds the proxy: a Hono app serving the Neurolinker status routes from a cache, with request
 * coalescing, stale-while-revalidate, stale-if-error, 429 hold-off, tenancy, per-client rate
 * limits, event streams, metrics and an OpenAPI document. Web APIs only, so the same app runs on
 * Node, Bun, Deno and Workers; the entries in `src/runtimes/` build it through `createEdge`.
 *
 * @example
 * ```ts
 * const app = await createApp(resolveEdgeParts(loadEdgeConfig(env), { store: createMemoryStore() }));
 * export default { fetch: app.fetch };
 * ```
 */
export async function createApp(parts: ResolvedEdgeParts): Promise<Hono<EdgeAppEnv>> {
  const { config, clock, metrics, log } = parts;
  const now = () => clock.now();
  const { fleet } = parts;
  // In a fleet, a 429 met by one instance holds off all.
  const local = createHoldOff({ now });
  const holdOff = fleet === undefined ? local : fleet.holdOff(local);
  // Gzipped copies are bounded like the memory store (a copy is no larger than its body).
  const compressed = parts.compress ? createCompressedBodies(config.store) : undefined;
  const cache = createStatusCache({
    store: parts.store,
    ttl: config.ttl,
    // In a fleet, one call per key runs fleet-wide.
    holdOff,
    now,
    ...(fleet === undefined ? {} : { leases: fleet.leases }),
    deadlineMs: config.upstreamTimeoutMs,
    sleep: (ms, signal) => clock.sleep(ms, signal),
    onAbandon: () => metrics.abandoned(),
    ...(compressed === undefined
      ? {}
      : { onStore: (entry) => compressed.prepare(entry.etag, entry.body) }),
  });
  // Issue 13: every request status fetched (a read, a request stream, a scheduler's batch poll)
  // also stores each of its documents, under the tenant whose key made the call.
  const clients = requestLearningClients(
    createUpstreamClients({
      baseUrl: parts.baseUrl,
      timeoutMs: config.upstreamTimeoutMs,
      maxResponseBytes: config.upstreamMaxBytes,
      // Every upstream call is counted here, whichever path makes it (status read or poll loop).
      fetch: meteredFetch(metrics, now, parts.fetch),
      now,
    }),
    (tenant, request) => rememberRequestDocuments(cache, tenant, request),
  );
  const authenticate = await createAuthenticator({
    mode: config.mode,
    secret: config.secret,
    clients,
    apiKey: parts.apiKey,
    now,
  });
  const { perSecond, burst } = config.rateLimit;
  const rateLimiter =
    perSecond > 0 ? createClientRateLimiter({ ratePerSecond: perSecond, burst, now }) : undefined;
  const admissionOf = (kind: StatusKind) => ({
    kind,
    mode: config.mode,
    authenticate,
    rateLimiter,
    clientAddress: parts.clientAddress,
  });
  const admit = (kind: StatusKind) => admission(admissionOf(kind));
  const statusRoutes = createStatusRoutes({
    mode: config.mode,
    cache,
    compressed,
    metrics,
    now,
    admit: (kind) => admissionCheck(admissionOf(kind)),
  });
  const eventRoutes = createEventRoutes({ ...parts, cache, holdOff, admit });

  const app = new Hono<EdgeAppEnv>();
  const crossOrigin = config.corsOrigins.length > 0;
  const framing = createRequestFraming({
    now,
    metrics,
    log,
    crossOrigin,
    headerForm: parts.responseHeaders,
  });
  app.use(requestContext({ now, metrics, log, crossOrigin }));
  if (crossOrigin) app.use(edgeCors(config.corsOrigins));
  for (const prefix of STATUS_PREFIXES) app.route(prefix, statusRoutes).route(prefix, eventRoutes);
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
  // Issue 14: the live page and its assets (apps/edge/src/live-page), at `/` and `/live/*`.
  app.route('/', createLivePage({ mode: config.mode }));
  const openApi = openApiHandler(app, { mode: config.mode, compressed });
  app.get('/openapi.json', (c, next) => {
    c.set('route', '/openapi.json');
    return openApi(c, next);
  });

  app.notFound((c) => jsonError(c, 'ROUTE_NOT_FOUND', 'No such route.', 404));
  app.onError((error, c) => {
    log?.({
      time: new Date(now()).toISOString(),
      level: 'error',
      msg: 'unhandled error',
      requestId: c.get('requestId'),
      // The class name only: a message or stack could quote a header or a payload.
      error: error instanceof Error ? error.name : typeof error,
    });
    return jsonError(c, 'INTERNAL_ERROR', 'The proxy failed to answer.', 500);
  });
  // CORS adds headers per request in middleware: with it on, every request takes the full app.
  if (!cache.canPeek || crossOrigin) return app;
  // The fast path is the app's own `fetch`, so every entry and `app.request()` go through it.
  app.fetch = createStatusHits({
    mode: config.mode,
    cache,
    compressed,
    metrics,
    now,
    framing,
    steps: (kind) => admissionSteps(admissionOf(kind)),
    fallback: app.fetch,
  });
  return app;
}
