import type { PollerClock } from '@neurostatus/poller';
import { ConfigError, type EdgeConfig } from './config.ts';
import { type ConnectFleet, createFleet, type Fleet } from './fleet.ts';
import type { LogRecord } from './log-record.ts';
import type { ProxyMetrics } from './proxy-metrics.ts';

/** What {@link setUpFleet} needs from the runtime entry and `createEdge`. */
export interface FleetSetupParts {
  /** `connectRedis`, from the entries that can open TCP connections (Node, Bun, Deno). */
  readonly connectFleet: ConnectFleet | undefined;
  readonly log: (record: LogRecord) => void;
  readonly clock: PollerClock;
  /** The metrics the app renders; they get the fleet's gauges. */
  readonly metrics: ProxyMetrics;
  /** The runtime's shutdown signal (see `EdgeParts.shutdown`). */
  readonly shutdown: AbortSignal | undefined;
}

/**
 * Fleet mode from the configuration: connects to `EDGE_REDIS_URL` (startup goes on without Redis,
 * see `connectRedis`) and builds the fleet's parts; undefined without `EDGE_REDIS_URL`. The
 * upstream budget (`EDGE_UPSTREAM_RATE_PER_SECOND`) is put in front of the upstream by
 * `resolveEdgeParts`, counted in the fleet's Redis when there is one.
 *
 * @throws {ConfigError} for `EDGE_REDIS_URL` on a runtime that cannot connect to Redis (Workers).
 * @example
 * ```ts
 * const fleet = await setUpFleet(config, { connectFleet: connectRedis, log, clock, metrics, shutdown });
 * ```
 */
export async function setUpFleet(
  config: EdgeConfig,
  parts: FleetSetupParts,
): Promise<Fleet | undefined> {
  const { redisUrl } = config.fleet;
  if (redisUrl === undefined) return undefined;
  if (parts.connectFleet === undefined) {
    throw new ConfigError(
      'EDGE_REDIS_URL',
      'is not supported on this runtime: fleet mode runs on Node, Bun and Deno',
    );
  }
  const connection = await parts.connectFleet({ url: redisUrl, log: parts.log });
  return createFleet({
    connection,
    clock: parts.clock,
    metrics: parts.metrics,
    store: config.store,
    ...(parts.shutdown === undefined ? {} : { shutdown: parts.shutdown }),
  });
}
