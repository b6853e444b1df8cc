import type { Simulator } from '@neurostatus/simulator';
import type { Hono } from 'hono';
import { createApp } from './app.ts';
import { type EdgeConfig, type EdgeEnv, loadEdgeConfig } from './config.ts';
import { type EdgeParts, resolveEdgeParts } from './edge-parts.ts';
import type { EdgeAppEnv } from './request-context.ts';

/** A built proxy, ready for a runtime's server. */
export interface EdgeInstance {
  readonly app: Hono<EdgeAppEnv>;
  readonly config: EdgeConfig;
  /** The embedded simulator, when the upstream is the simulator. */
  readonly simulator: Simulator | undefined;
  /**
   * Stops the document poll loops (their streams end) and the embedded simulator, and writes the
   * log lines still batched. Abort `parts.shutdown` first to close streams without `end` and stop
   * request loops too.
   */
  close(): void;
  /** Writes the log lines still batched; call it last before the process exits. */
  flushLogs(): void;
}

/**
 * Builds the proxy from environment variables (or Worker bindings): validates the configuration,
 * fills in the parts the runtime did not pass (`resolveEdgeParts`: the memory store, the
 * scheduler, the embedded simulator with its demo documents when no upstream is configured) and
 * builds the app.
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
  const resolved = resolveEdgeParts(config, parts);
  const app = await createApp(resolved);
  const { scheduler, simulator, flushLogs } = resolved;
  return {
    app,
    config,
    simulator,
    close() {
      scheduler.close();
      simulator?.close();
      flushLogs();
    },
    flushLogs,
  };
}
