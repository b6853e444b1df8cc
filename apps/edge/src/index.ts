export type { ClientAddress } from './admission.ts';
export { createApp } from './app.ts';
export { type Authenticate, createAuthenticator, type Tenant } from './authenticate.ts';
export { fromBase64Url, toBase64Url } from './base64url.ts';
export {
  type CacheApiStoreOptions,
  type CacheLike,
  createCacheApiStore,
} from './cache-api-store.ts';
export { cacheKey, createTenantHasher, type StatusKind } from './cache-key.ts';
export {
  type ClientRateLimiter,
  type ClientRateLimiterOptions,
  createClientRateLimiter,
  type RateDecision,
} from './client-rate-limiter.ts';
export { type Coalescer, type CoalescerOptions, createCoalescer } from './coalescer.ts';
export {
  type CompressedBodies,
  type CompressedBodiesOptions,
  createCompressedBodies,
} from './compressed-bodies.ts';
export {
  ConfigError,
  EDGE_DEFAULTS,
  type EdgeConfig,
  type EdgeEnv,
  loadEdgeConfig,
  type TenancyMode,
  type UpstreamConfig,
} from './config.ts';
export { createEdge, type EdgeInstance } from './create-edge.ts';
export { type EdgeErrorCode, errorBody } from './edge-error.ts';
export {
  type EdgeParts,
  EMBEDDED_SIMULATOR_BASE_URL,
  type ResolvedEdgeParts,
  resolveEdgeParts,
} from './edge-parts.ts';
export { etagOf, ifNoneMatchMatches } from './etag.ts';
export { FAILURE_EVENT } from './event-stream.ts';
export type { FeedHubOptions } from './feed-hub.ts';
export { type ConnectFleet, createFleet, type Fleet, type FleetOptions } from './fleet.ts';
export { type BudgetedFetchOptions, budgetedFetch } from './fleet-budgeted-fetch.ts';
export { type CallLeases, type LeadOutcome, localCallLeases } from './fleet-call-leases.ts';
export { createFleetFeeds, type FleetFeeds, type FleetFeedsOptions } from './fleet-feeds.ts';
export { createFleetHoldOff, type FleetHoldOffOptions } from './fleet-hold-off.ts';
export {
  createFleetRateBudget,
  type FleetRateBudgetOptions,
  type UpstreamRateBudget,
} from './fleet-rate-budget.ts';
export { createFleetStore, type FleetStore, type FleetStoreOptions } from './fleet-store.ts';
export { HeldOffError } from './held-off-error.ts';
export { importHmacKey, MIN_SECRET_LENGTH } from './hmac-key.ts';
export { createHoldOff, type HoldOff, type HoldOffOptions } from './hold-off.ts';
export type { LogRecord } from './log-record.ts';
export { createMemoryStore, type MemoryStoreOptions } from './memory-store.ts';
export {
  createMetricsRegistry,
  type MetricsRegistry,
  PROMETHEUS_CONTENT_TYPE,
} from './metrics-registry.ts';
export { createProxyMetrics, type ProxyMetrics } from './proxy-metrics.ts';
export { createRedisCallLeases, type RedisCallLeasesOptions } from './redis-call-leases.ts';
// `connectRedis` (the `redis` client, Node/Bun/Deno only) is at `@neurostatus/edge/redis`, so
// that importing this entry never pulls a TCP client into a Workers bundle.
export type {
  ChannelListener,
  FleetConnection,
  RedisCommands,
  RedisConnectionOptions,
} from './redis-connection.ts';
export {
  createRedisStore,
  parseStoreChange,
  type RedisStoreOptions,
  type StoreChange,
} from './redis-store.ts';
export { assertRedisUrl, RedisUrlError, redactRedisUrl } from './redis-url.ts';
export type { EdgeAppEnv, EdgeVariables, ResponseHeaderForm } from './request-context.ts';
export { retryAfterSeconds } from './retry-after-seconds.ts';
export {
  type CacheRead,
  createStatusCache,
  type StatusCache,
  type StatusCacheOptions,
  type UpstreamAnswer,
} from './status-cache.ts';
export type { StatusStore, StoredStatus } from './status-store.ts';
export {
  type MintStatusTokenOptions,
  mintStatusToken,
  type StatusTokenClaims,
  StatusTokenError,
  type StatusTokenProblem,
  verifyStatusToken,
} from './status-token.ts';
