import {
  createPollScheduler,
  type PollerClock,
  type PollScheduler,
  systemClock,
} from '@neurostatus/poller';
import { createSimulator, DEMO_API_KEY, type Simulator } from '@neurostatus/simulator';
import type { ClientAddress } from './admission.ts';
import type { EdgeConfig } from './config.ts';
import type { EventFeedRequest } from './event-routes.ts';
import type { FeedSource } from './feed-hub.ts';
import type { ConnectFleet, Fleet } from './fleet.ts';
import { createLineBuffer } from './line-buffer.ts';
import type { LogRecord } from './log-record.ts';
import { createMemoryStore } from './memory-store.ts';
import { createProxyMetrics, type ProxyMetrics } from './proxy-metrics.ts';
import type { ResponseHeaderForm } from './request-context.ts';
import type { StatusStore } from './status-store.ts';
import { budgetUpstream } from './upstream-budget.ts';

/**
 * What the proxy is built from beside its configuration; every outside effect is injected. The
 * runtime entries pass what their runtime has (a store, the client's address, a shutdown signal),
 * tests pass clocks and fakes; {@link resolveEdgeParts} fills in the rest.
 */
export interface EdgeParts {
  /** Default: the memory store, bounded by `EDGE_STORE_MAX_ENTRIES` / `EDGE_STORE_MAX_BYTES`. */
  readonly store?: StatusStore;
  /**
   * How to reach the upstream (a test's fake). Default: the global `fetch`, looked up per call;
   * with the `simulator` upstream, the embedded simulator's `app.fetch`.
   */
  readonly fetch?: typeof globalThis.fetch;
  /** The upstream base URL. Default: `config.upstream.baseUrl`, or the embedded simulator's. */
  readonly baseUrl?: string;
  /** The proxy's own key (`scoped-token` / `open`). Default: `config.upstream.apiKey`, or the demo key. */
  readonly apiKey?: string;
  /** Time and sleep, for the cache, SSE heartbeats and poll loops. Default: the system clock. */
  readonly clock?: PollerClock;
  /** Shares one poll loop per document between event streams. Default: one made on `clock`. */
  readonly scheduler?: PollScheduler;
  /**
   * Receives one record per request (and one per unhandled error). Default: unless `config.log` is
   * `off`, one JSON line per record, batched (see `logWriter`).
   */
  readonly log?: (record: LogRecord) => void;
  /**
   * Where the default log's JSON lines go, batched: called with one or more whole lines (each
   * ending in `\n`) at most every 50 ms or per 64 KiB, and on `flushLogs()`. The Node, Bun and
   * Deno entries pass a synchronous stdout write. Default: none, each line goes to `console.log`
   * at once (Workers, where a timer may not fire once the response is sent).
   */
  readonly logWriter?: (text: string) => void;
  /** The client's network address, for the per-client rate limit (runtime-specific). Default: none. */
  readonly clientAddress?: ClientAddress;
  /** What `/metrics` renders. Default: `createProxyMetrics()`. */
  readonly metrics?: ProxyMetrics;
  /**
   * Whether event streams share one poll loop per document (through `scheduler`). Default true.
   * Workers set it to false: there, I/O belongs to the request that started it, so a loop started
   * by one stream stops when that client leaves, and cannot feed another request's stream.
   */
  readonly shareEventLoops?: boolean;
  /**
   * Aborted by the runtime when it shuts down, before `close()`: request event loops stop, and
   * streams close *without* `end` (which means "finished"), so clients reconnect to another
   * instance. Default: none. Workers pass none (an AbortSignal there belongs to one request, and
   * isolates are not shut down by the code).
   */
  readonly shutdown?: AbortSignal;
  /**
   * Reaches the upstream's status routes in place of both the network and the embedded simulator
   * (Workers: the status objects, which call the upstream themselves). Default: none.
   */
  readonly statusFetch?: typeof globalThis.fetch;
  /**
   * Where event streams' statuses come from instead of a poll loop here (Workers: the status's
   * Durable Object). Shared between a key's streams as loops are (`shareEventLoops`). Default: none.
   */
  readonly eventFeed?: (request: EventFeedRequest) => FeedSource<string>;
  /**
   * Connects to Redis for fleet mode (`connectRedis` from `@neurostatus/edge/redis`), used by
   * `createEdge` when `EDGE_REDIS_URL` is set. The Node, Bun and Deno entries pass it; without it
   * `EDGE_REDIS_URL` is refused. Default: none.
   */
  readonly connectFleet?: ConnectFleet | undefined;
  /**
   * Fleet mode's parts (`createFleet`; `createEdge` builds them from `EDGE_REDIS_URL`): its store
   * (unless `store` is given), fleet-wide coalescing, shared hold-offs, event-stream loops led by
   * one instance (where loops are shared), and the Redis-wide upstream budget. Default: none, each
   * instance on its own.
   */
  readonly fleet?: Fleet | undefined;
  /**
   * Whether the app gzips JSON status answers itself (each cached body once, when stored).
   * Default true; false where the runtime's server compresses already (Workers, Deno).
   */
  readonly compress?: boolean;
  /**
   * How cache hits hand their headers to the runtime's server (`ResponseHeaderForm`): `'record'`
   * (a plain object; Node, Deno, Workers) or `'headers'` (a `Headers` object copied from one made
   * once; the Bun entry passes it). Default `'record'`.
   */
  readonly responseHeaders?: ResponseHeaderForm;
}

/** {@link EdgeParts} after defaults, with the configuration they were resolved for. */
export interface ResolvedEdgeParts {
  readonly config: EdgeConfig;
  readonly store: StatusStore;
  /** Undefined: the global `fetch`, looked up per call (by the upstream client). */
  readonly fetch: typeof globalThis.fetch | undefined;
  readonly baseUrl: string;
  readonly apiKey: string | undefined;
  readonly clock: PollerClock;
  readonly scheduler: PollScheduler;
  /** Undefined when request logs are off: nothing is built per request. */
  readonly log: ((record: LogRecord) => void) | undefined;
  /** Writes the log lines still batched (the runtime entries call it before they exit). */
  readonly flushLogs: () => void;
  readonly clientAddress: ClientAddress | undefined;
  readonly metrics: ProxyMetrics;
  readonly shareEventLoops: boolean;
  readonly shutdown: AbortSignal | undefined;
  readonly eventFeed: ((request: EventFeedRequest) => FeedSource<string>) | undefined;
  readonly connectFleet: ConnectFleet | undefined;
  readonly fleet: Fleet | undefined;
  readonly compress: boolean;
  readonly responseHeaders: ResponseHeaderForm;
  /** The embedded simulator, when the upstream is the simulator and no `baseUrl` was given. */
  readonly simulator: Simulator | undefined;
}

/** The base URL the embedded simulator answers on; requests to it never leave the process. */
export const EMBEDDED_SIMULATOR_BASE_URL = 'http://embedded-simulator.invalid/api/v1';

const nothingToFlush = (): void => {};

/** The default log: JSON lines, batched by a {@link createLineBuffer} when there is a writer. */
function jsonLines(write: ((text: string) => void) | undefined) {
  if (write === undefined) {
    return {
      log: (record: LogRecord) => console.log(JSON.stringify(record)),
      flushLogs: nothingToFlush,
    };
  }
  const lines = createLineBuffer({ write });
  return {
    log: (record: LogRecord) => lines.push(JSON.stringify(record)),
    flushLogs: lines.flush,
  };
}

/** The proxy's log, and how to write what it still holds; see {@link configuredLogging}. */
export interface EdgeLogging {
  /** Undefined when logs are off: nothing is built per request. */
  readonly log: ((record: LogRecord) => void) | undefined;
  readonly flushLogs: () => void;
}

/**
 * The log `parts.log` or `config.log` asks for: the caller's, JSON lines (batched through
 * `parts.logWriter` when there is one), or none (`off`). Resolved once per proxy: `createEdge`
 * gives the same log to the fleet's Redis connection and to the app.
 *
 * @example
 * ```ts
 * const { log, flushLogs } = configuredLogging(config, { logWriter: writeStdout });
 * ```
 */
export function configuredLogging(
  config: Pick<EdgeConfig, 'log'>,
  parts: Pick<EdgeParts, 'log' | 'logWriter'> = {},
): EdgeLogging {
  if (parts.log !== undefined) return { log: parts.log, flushLogs: nothingToFlush };
  if (config.log === 'off') return { log: undefined, flushLogs: nothingToFlush };
  return jsonLines(parts.logWriter);
}

/**
 * Fills in every part the caller left out, once, in one place: the one set of defaults shared by
 * the runtime entries (through `createEdge`) and the tests. With the `simulator` upstream and no
 * `baseUrl`, it embeds the simulator with its demo documents (called in-process, no port opened).
 *
 * @example
 * ```ts
 * const parts = resolveEdgeParts(loadEdgeConfig(env), { clock: createVirtualClock(0) });
 * const app = await createApp(parts);
 * ```
 */
export function resolveEdgeParts(
  config: EdgeConfig,
  parts: EdgeParts = {},
  logging: EdgeLogging = configuredLogging(config, parts),
): ResolvedEdgeParts {
  const clock = parts.clock ?? systemClock;
  const upstream = config.upstream;
  const simulator =
    upstream.kind === 'simulator' && parts.baseUrl === undefined
      ? createSimulator({ demo: true })
      : undefined;
  const baseUrl =
    parts.baseUrl ??
    (simulator === undefined ? undefined : EMBEDDED_SIMULATOR_BASE_URL) ??
    (upstream.kind === 'api' ? upstream.baseUrl : undefined);
  if (baseUrl === undefined) {
    throw new TypeError('resolveEdgeParts: `baseUrl` is required for this upstream.');
  }
  const responseHeaders = parts.responseHeaders ?? 'record';
  if (responseHeaders !== 'record' && responseHeaders !== 'headers') {
    throw new TypeError("resolveEdgeParts: `responseHeaders` must be 'record' or 'headers'.");
  }
  const fleet = parts.fleet;
  const upstreamFetch =
    parts.statusFetch ??
    (simulator === undefined
      ? parts.fetch
      : async (input: RequestInfo | URL, init?: RequestInit) =>
          simulator.app.fetch(new Request(input, init)));
  return {
    config,
    ...logging,
    store:
      parts.store ??
      fleet?.store ??
      createMemoryStore({
        maxEntries: config.store.maxEntries,
        maxBytes: config.store.maxBytes,
        now: () => clock.now(),
      }),
    fetch: budgetUpstream(config, { fleet, clock, fetch: upstreamFetch }),
    baseUrl,
    apiKey:
      parts.apiKey ??
      (simulator === undefined ? undefined : DEMO_API_KEY) ??
      (upstream.kind === 'api' ? upstream.apiKey : undefined),
    clock,
    scheduler: parts.scheduler ?? createPollScheduler({ clock }),
    clientAddress: parts.clientAddress,
    metrics: parts.metrics ?? createProxyMetrics(),
    shareEventLoops: parts.shareEventLoops ?? true,
    shutdown: parts.shutdown,
    eventFeed: parts.eventFeed,
    connectFleet: parts.connectFleet,
    fleet,
    compress: parts.compress ?? true,
    responseHeaders,
    simulator,
  };
}
