import { systemClock } from '@neurostatus/poller';
import type { Simulator } from '@neurostatus/simulator';
import type { Hono } from 'hono';
import { createApp } from './app.ts';
import { type EdgeConfig, type EdgeEnv, loadEdgeConfig } from './config.ts';
import { configuredLogging, type EdgeParts, resolveEdgeParts } from './edge-parts.ts';
import type { Fleet } from './fleet.ts';
import { setUpFleet } from './fleet-setup.ts';
import { createProxyMetrics } from './proxy-metrics.ts';
import type { EdgeAppEnv } from './request-context.ts';

const discard = (): void => {};

/** A built proxy, ready for a runtime's server. */
export interface EdgeInstance {
  readonly app: Hono<EdgeAppEnv>;
  readonly config: EdgeConfig;
  /** The embedded simulator, when the upstream is the simulator. */
  readonly simulator: Simulator | undefined;
  /** Fleet mode's parts, when `EDGE_REDIS_URL` is set (or `parts.fleet` was given). */
  readonly fleet: Fleet | undefined;
  /**
   * Stops the scheduler's polls of documents and requests (their streams end), the embedded
   * simulator and the fleet's Redis connection, and writes the log lines still batched. Abort
   * `parts.shutdown` first to close streams without `end` (which tells clients to reconnect
   * elsewhere, and a fleet to take the loops over).
   */
  close(): void;
  /** Writes the log lines still batched; call it last before the process exits. */
  flushLogs(): void;
}

/**
 * Builds the proxy from environment variables (or Worker bindings): validates the configuration,
 * fills in the parts the runtime did not pass (`resolveEdgeParts`: the memory store, the
 * scheduler, the embedded simulator with its demo documents when no upstream is configured) and
 * builds the app. With `EDGE_REDIS_URL` it first joins the fleet (`parts.connectFleet`), whose
 * store the app then uses.
 *
 * @throws {ConfigError} naming the first bad variable, or `EDGE_REDIS_URL` without `connectFleet`.
 * @example
 * ```ts
 * const edge = await createEdge(process.env);
 * serve({ fetch: edge.app.fetch, port: edge.config.port, hostname: edge.config.host });
 * ```
 */
export async function createEdge(env: EdgeEnv, parts: EdgeParts = {}): Promise<EdgeInstance> {
  const config = loadEdgeConfig(env);
  // Built here once so that the fleet's gauges land on the metrics the app renders.
  const metrics = parts.metrics ?? createProxyMetrics();
  // One log for the fleet's connection and the app (and one batch of lines to flush).
  const logging = configuredLogging(config, parts);
  const fleet =
    parts.fleet ??
    (await setUpFleet(config, {
      connectFleet: parts.connectFleet,
      log: logging.log ?? discard,
      clock: parts.clock ?? systemClock,
      metrics,
      shutdown: parts.shutdown,
    }));
  const resolved = resolveEdgeParts(config, { ...parts, metrics, fleet }, logging);
  const app = await createApp(resolved);
  const { scheduler, simulator, flushLogs } = resolved;
  return {
    app,
    config,
    simulator,
    fleet,
    close() {
      scheduler.close();
      simulator?.close();
      void fleet?.close();
      flushLogs();
    },
    flushLogs,
  };
}
