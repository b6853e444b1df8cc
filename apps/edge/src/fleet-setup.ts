import type { PollerClock } from '@neurostatus/poller';
import type { LogRecord } from './app.ts';
import { createTenantHasher } from './cache-key.ts';
import { ConfigError, type EdgeConfig } from './config.ts';
import { type ConnectFleet, createFleet, type Fleet } from './fleet.ts';
import { budgetedFetch } from './fleet-budgeted-fetch.ts';
import { createFleetRateBudget } from './fleet-rate-budget.ts';
import type { ProxyMetrics } from './proxy-metrics.ts';

/** What {@link setUpFleet} needs from the runtime entry and `createEdge`. */
export interface FleetSetupParts {
  /** `connectRedis`, from the entries that can open TCP connections (Node, Bun, Deno). */
  readonly connectFleet: ConnectFleet | undefined;
  readonly log: (record: LogRecord) => void;
  readonly clock: PollerClock;
  readonly metrics: ProxyMetrics;
  /** The upstream `fetch` so far (undefined: the global one). */
  readonly fetch: typeof globalThis.fetch | undefined;
  /** The runtime's shutdown signal (see `EdgeParts.shutdown`). */
  readonly shutdown?: AbortSignal | undefined;
}

/** The fleet (when `EDGE_REDIS_URL` is set) and the upstream `fetch` to use. */
export interface FleetSetup {
  readonly fleet: Fleet | undefined;
  readonly fetch: typeof globalThis.fetch | undefined;
}

/**
 * Fleet mode from the configuration: connects to `EDGE_REDIS_URL` (startup goes on without Redis,
 * see `connectRedis`) and builds the fleet's parts; with `EDGE_UPSTREAM_RATE_PER_SECOND`, puts the
 * upstream budget (in Redis when there is one) in front of every upstream call, scoped by a digest
 * of the upstream key.
 *
 * @throws {ConfigError} for `EDGE_REDIS_URL` on a runtime that cannot connect to Redis (Workers).
 * @example
 * ```ts
 * const { fleet, fetch } = await setUpFleet(config, { connectFleet: connectRedis, log, clock, metrics, fetch });
 * ```
 */
export async function setUpFleet(config: EdgeConfig, parts: FleetSetupParts): Promise<FleetSetup> {
  const { redisUrl, upstreamRatePerSecond } = config.fleet;
  let fleet: Fleet | undefined;
  if (redisUrl !== undefined) {
    if (parts.connectFleet === undefined) {
      throw new ConfigError(
        'EDGE_REDIS_URL',
        'is not supported on this runtime: fleet mode runs on Node, Bun and Deno',
      );
    }
    const connection = await parts.connectFleet({ url: redisUrl, log: parts.log });
    fleet = createFleet({
      connection,
      clock: parts.clock,
      metrics: parts.metrics,
      store: config.store,
      ...(parts.shutdown === undefined ? {} : { shutdown: parts.shutdown }),
    });
  }
  if (upstreamRatePerSecond === 0) return { fleet, fetch: parts.fetch };
  const tenantOf = await createTenantHasher(config.secret);
  const budget = createFleetRateBudget({
    ratePerSecond: upstreamRatePerSecond,
    now: () => parts.clock.now(),
    ...(fleet === undefined ? {} : { redis: fleet.connection }),
  });
  const fetch = budgetedFetch({
    budget,
    scopeOf: (authorization) => tenantOf(authorization ?? ''),
    clock: parts.clock,
    ...(parts.fetch === undefined ? {} : { fetch: parts.fetch }),
  });
  return { fleet, fetch };
}
