import { createMetricsRegistry, type MetricsRegistry } from './metrics-registry.ts';

/** What the proxy counts; rendered at `GET /metrics`. */
export interface ProxyMetrics {
  /** A finished request: its route pattern (never the id), HTTP status and duration. */
  request(route: string, status: number, durationMs: number): void;
  /** How the cache answered. */
  cache(result: 'hit' | 'miss' | 'stale' | 'coalesced'): void;
  /**
   * One upstream call: `status` is the HTTP status, or `timeout` / `aborted` / `connection` without
   * one; `kind` is the route it called.
   */
  upstream(kind: 'document' | 'request' | 'other', status: string, durationMs: number): void;
  /** An upstream load abandoned at its deadline (its waiters got stale or 504). */
  abandoned(): void;
  /** Counts live values at render time (SSE connections, poll loops). */
  gauge(name: string, help: string, collect: () => number): void;
  /** Prometheus text exposition format 0.0.4. */
  render(): string;
}

/** The bound series of one route. */
interface RouteSeries {
  readonly seconds: { observe(value: number): void };
  readonly byStatus: Map<number, { inc(by?: number): void }>;
}

/** Most routes, and statuses per route, whose series stay bound. */
const MAX_BOUND = 100;

/**
 * The proxy's metrics, all prefixed `neurostatus_edge_`. Labels are route patterns, cache
 * results and status codes, never ids or tenants, so cardinality stays small; the registry caps
 * it anyway.
 *
 * @example
 * ```ts
 * const metrics = createProxyMetrics();
 * metrics.cache('hit');
 * new Response(metrics.render(), { headers: { 'content-type': PROMETHEUS_CONTENT_TYPE } });
 * ```
 */
export function createProxyMetrics(
  registry: MetricsRegistry = createMetricsRegistry(),
): ProxyMetrics {
  const requests = registry.counter(
    'neurostatus_edge_requests_total',
    'HTTP requests answered, by route and status.',
    ['route', 'status'],
  );
  const requestSeconds = registry.histogram(
    'neurostatus_edge_request_duration_seconds',
    'Time to answer a request (to the first byte of an event stream), by route.',
    ['route'],
  );
  const cacheResults = registry.counter(
    'neurostatus_edge_cache_results_total',
    "Status reads by how the cache answered: hit, miss, stale, or coalesced (waited for another request's upstream call).",
    ['result'],
  );
  const upstreamCalls = registry.counter(
    'neurostatus_edge_upstream_requests_total',
    'Calls to the Neurolinker API from any path (status reads and event-stream poll loops), by kind and outcome (HTTP status, timeout, aborted or connection).',
    ['kind', 'status'],
  );
  const upstreamSeconds = registry.histogram(
    'neurostatus_edge_upstream_duration_seconds',
    'Duration of calls to the Neurolinker API to the response headers, by kind.',
    ['kind'],
  );
  const abandonedLoads = registry.counter(
    'neurostatus_edge_upstream_abandoned_total',
    'Upstream loads abandoned at their deadline (EDGE_UPSTREAM_TIMEOUT_MS): their waiters got the stale status or 504, and the key was freed.',
    [],
  );
  // Each request counts under a route and a status, and nearly all under a few of them: their
  // series are bound once (a lookup per request, not a label check and a key string).
  const byRoute = new Map<string, RouteSeries>();
  const routeSeries = (route: string): RouteSeries => {
    let found = byRoute.get(route);
    if (found === undefined) {
      found = { seconds: requestSeconds.child({ route }), byStatus: new Map() };
      // Routes are patterns, so few; the registry caps its series anyway, and this map with it.
      if (byRoute.size < MAX_BOUND) byRoute.set(route, found);
    }
    return found;
  };
  const results = new Map<string, { inc(by?: number): void }>();
  return {
    abandoned() {
      abandonedLoads.inc({});
    },
    request(route, status, durationMs) {
      const series = routeSeries(route);
      let count = series.byStatus.get(status);
      if (count === undefined) {
        count = requests.child({ route, status: String(status) });
        if (series.byStatus.size < MAX_BOUND) series.byStatus.set(status, count);
      }
      count.inc();
      series.seconds.observe(durationMs / 1000);
    },
    cache(result) {
      let count = results.get(result);
      if (count === undefined) {
        count = cacheResults.child({ result });
        results.set(result, count);
      }
      count.inc();
    },
    upstream(kind, status, durationMs) {
      upstreamCalls.inc({ kind, status });
      upstreamSeconds.observe({ kind }, durationMs / 1000);
    },
    gauge(name, help, collect) {
      registry.gauge(name, help, collect);
    },
    render: () => registry.render(),
  };
}
