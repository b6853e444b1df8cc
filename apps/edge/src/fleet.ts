import type { PollerClock } from '@neurostatus/poller';
import type { FeedHubOptions } from './feed-hub.ts';
import type { CallLeases } from './fleet-call-leases.ts';
import { createFleetFeeds, type FleetFeeds } from './fleet-feeds.ts';
import { createFleetHoldOff } from './fleet-hold-off.ts';
import { createFleetStore, type FleetStore } from './fleet-store.ts';
import type { HoldOff } from './hold-off.ts';
import type { ProxyMetrics } from './proxy-metrics.ts';
import { createRedisCallLeases } from './redis-call-leases.ts';
import type { FleetConnection, RedisConnectionOptions } from './redis-connection.ts';

/** Connects to the fleet's Redis: `connectRedis`, passed by the Node, Bun and Deno entries. */
export type ConnectFleet = (options: RedisConnectionOptions) => Promise<FleetConnection>;

/** Options of {@link createFleet}. */
export interface FleetOptions {
  readonly connection: FleetConnection;
  readonly clock: PollerClock;
  /** Gets the `neurostatus_edge_fleet_degraded` gauge. */
  readonly metrics?: ProxyMetrics;
  /** Bounds of the in-process tier. */
  readonly store?: { readonly maxEntries: number; readonly maxBytes: number };
  /** Redis key and channel prefix. Default `neurostatus:edge:`. */
  readonly prefix?: string;
  /** Lease of fleet-wide calls and event-stream leaders, ms. Default 3 000. */
  readonly leaseMs?: number;
  /** This instance's name in the fleet. Default: a random UUID. */
  readonly origin?: string;
  /** Aborted when the instance shuts down: its event-stream loops hand over instead of ending. */
  readonly shutdown?: AbortSignal;
}

/** The fleet's parts, each plugging into the mechanism it extends. */
export interface Fleet {
  readonly connection: FleetConnection;
  /** The in-process tier over Redis: the default `store` of `resolveEdgeParts({ fleet })`. */
  readonly store: FleetStore;
  /** For `createStatusCache({ leases })`: one upstream call per key across the fleet. */
  readonly leases: CallLeases;
  /** Wraps an instance's hold-off so that a 429 met by one holds off all. */
  holdOff(local: HoldOff): HoldOff;
  /** For `createFeedHub({ share })`: one event-stream poll loop per key across the fleet. */
  readonly share: NonNullable<FeedHubOptions<string>['share']>;
  readonly feeds: FleetFeeds;
  /** True while Redis is away and the instance runs on its own. */
  readonly degraded: boolean;
  /** Hands the loops this instance leads over to the others, then closes the connection. */
  close(): Promise<void>;
}

/**
 * Builds the parts of fleet mode on one Redis connection: the two-tier store, fleet-wide call
 * leases, shared hold-offs and event-stream leaders, all on one prefix and one instance name, and
 * the `neurostatus_edge_fleet_degraded` gauge (1 while Redis is away). Each part falls back to
 * per-instance behaviour by itself while the connection is down.
 *
 * @example
 * ```ts
 * const fleet = createFleet({ connection: await connectRedis({ url, log }), clock: systemClock });
 * const cache = createStatusCache({ store: fleet.store, leases: fleet.leases, ... });
 * ```
 */
export function createFleet(options: FleetOptions): Fleet {
  const { connection, clock } = options;
  const origin = options.origin ?? crypto.randomUUID();
  const prefix = options.prefix ?? 'neurostatus:edge:';
  const leaseMs = options.leaseMs ?? 3_000;
  const store = createFleetStore({
    redis: connection,
    origin,
    prefix,
    now: () => clock.now(),
    ...options.store,
  });
  const leases = createRedisCallLeases({ redis: connection, clock, origin, prefix, leaseMs });
  const feeds = createFleetFeeds({
    redis: connection,
    clock,
    origin,
    prefix,
    leaseMs,
    ...(options.shutdown === undefined ? {} : { shutdown: options.shutdown }),
  });
  options.metrics?.gauge(
    'neurostatus_edge_fleet_degraded',
    'Whether this instance runs on its own because Redis is away (1) or as part of its fleet (0).',
    () => (connection.ready ? 0 : 1),
  );
  options.metrics?.gauge(
    'neurostatus_edge_fleet_leading_loops',
    'Event-stream poll loops this instance runs for the whole fleet (it holds their leader lease).',
    () => feeds.leading,
  );
  return {
    connection,
    store,
    leases,
    feeds,
    share: feeds.share,
    holdOff: (local) => createFleetHoldOff({ local, redis: connection, origin, prefix }),
    get degraded() {
      return !connection.ready;
    },
    async close() {
      // Hand the led loops over first, while Redis still takes commands: the others take over at
      // once, not after a lease expires.
      await feeds.handOver();
      await connection.close();
    },
  };
}
