import { createPollScheduler, type PollerClock, systemClock } from '@neurostatus/poller';
import { createSimulator, DEMO_API_KEY, type Simulator } from '@neurostatus/simulator';
import type { Context, Hono } from 'hono';
import { createApp, type LogRecord } from './app.ts';
import { type EdgeConfig, type EdgeEnv, loadEdgeConfig } from './config.ts';
import { createMemoryStore } from './memory-store.ts';
import type { StatusStore } from './status-store.ts';

/** What a runtime entry supplies beyond the environment. */
export interface EdgeParts {
  /** Default: the memory store, bounded by `EDGE_STORE_MAX_ENTRIES` / `EDGE_STORE_MAX_BYTES`. */
  readonly store?: StatusStore;
  readonly clientAddress?: (c: Context) => string | undefined;
  readonly log?: (record: LogRecord) => void;
  readonly clock?: PollerClock;
  /** How to reach a real upstream. Default: the global `fetch`. */
  readonly fetch?: typeof globalThis.fetch;
  /** See `EdgeDeps.shareEventLoops`: false on Workers. Default true. */
  readonly shareEventLoops?: boolean;
  /**
   * Aborted by the runtime when it shuts down, just before `close()`: event streams then close
   * without `end`, so their clients reconnect to another instance. Workers pass none (an
   * AbortSignal there belongs to one request, and isolates are not shut down by the code).
   */
  readonly shutdown?: AbortSignal;
  /** See `EdgeDeps.compress`: false on Workers and Deno, whose servers compress. Default true. */
  readonly compress?: boolean;
}

/** A built proxy, ready for a runtime's server. */
export interface EdgeInstance {
  // biome-ignore lint/suspicious/noExplicitAny: the app's variables are internal to createApp.
  readonly app: Hono<any>;
  readonly config: EdgeConfig;
  /** The embedded simulator, when the upstream is the simulator. */
  readonly simulator: Simulator | undefined;
  /**
   * Stops the document poll loops (their streams end) and the embedded simulator. Abort
   * `parts.shutdown` first to close streams without `end` and stop request loops too.
   */
  close(): void;
}

/** The base URL the embedded simulator answers on; requests to it never leave the process. */
export const EMBEDDED_SIMULATOR_BASE_URL = 'http://embedded-simulator.invalid/api/v1';

/**
 * Builds the proxy from environment variables (or Worker bindings): validates the configuration,
 * embeds the simulator with its demo documents when no upstream is configured (its `fetch` is
 * called in-process, no port is opened), and wires the store, scheduler and app.
 *
 * @throws {ConfigError} naming the first bad variable.
 * @example
 * ```ts
 * const edge = await createEdge(process.env);
 * serve({ fetch: edge.app.fetch, port: edge.config.port, hostname: edge.config.host });
 * ```
 */
export async function createEdge(env: EdgeEnv, parts: EdgeParts = {}): Promise<EdgeInstance> {
  const config = loadEdgeConfig(env);
  const clock = parts.clock ?? systemClock;
  const scheduler = createPollScheduler({ clock });
  const store =
    parts.store ??
    createMemoryStore({
      maxEntries: config.store.maxEntries,
      maxBytes: config.store.maxBytes,
      now: () => clock.now(),
    });
  const simulator =
    config.upstream.kind === 'simulator' ? createSimulator({ demo: true }) : undefined;
  const upstreamFetch: typeof globalThis.fetch | undefined =
    simulator === undefined
      ? parts.fetch
      : async (input, init) => simulator.app.fetch(new Request(input, init));
  const app = await createApp({
    config,
    store,
    clock,
    scheduler,
    ...(parts.shutdown === undefined ? {} : { shutdown: parts.shutdown }),
    ...(parts.shareEventLoops === undefined ? {} : { shareEventLoops: parts.shareEventLoops }),
    ...(parts.compress === undefined ? {} : { compress: parts.compress }),
    ...(simulator === undefined
      ? {}
      : { baseUrl: EMBEDDED_SIMULATOR_BASE_URL, apiKey: DEMO_API_KEY }),
    ...(upstreamFetch === undefined ? {} : { fetch: upstreamFetch }),
    ...(parts.clientAddress === undefined ? {} : { clientAddress: parts.clientAddress }),
    ...(parts.log === undefined ? {} : { log: parts.log }),
  });
  return {
    app,
    config,
    simulator,
    close() {
      scheduler.close();
      simulator?.close();
    },
  };
}
