import type { PollerClock } from '@neurostatus/poller';
import { createTenantHasher } from './cache-key.ts';
import type { EdgeConfig } from './config.ts';
import type { Fleet } from './fleet.ts';
import { budgetedFetch } from './fleet-budgeted-fetch.ts';
import { createFleetRateBudget } from './fleet-rate-budget.ts';

/** What {@link budgetUpstream} puts the budget around. */
export interface UpstreamBudgetParts {
  /** The fleet whose Redis counts the budget; without it, each instance counts its own. */
  readonly fleet: Pick<Fleet, 'connection'> | undefined;
  readonly clock: PollerClock;
  /** The upstream `fetch` so far (undefined: the global one, looked up per call). */
  readonly fetch: typeof globalThis.fetch | undefined;
}

/**
 * With `EDGE_UPSTREAM_RATE_PER_SECOND`, puts the upstream budget (in Redis when there is a fleet)
 * in front of every upstream call, scoped by a digest of the upstream key so that no key reaches
 * Redis; without it, returns `fetch` as it is.
 *
 * @example
 * ```ts
 * const fetch = budgetUpstream(config, { fleet, clock: systemClock, fetch: undefined });
 * ```
 */
export function budgetUpstream(
  config: Pick<EdgeConfig, 'fleet' | 'secret'>,
  parts: UpstreamBudgetParts,
): typeof globalThis.fetch | undefined {
  const { upstreamRatePerSecond } = config.fleet;
  if (upstreamRatePerSecond === 0) return parts.fetch;
  const { fleet, clock } = parts;
  // Importing the HMAC key is asynchronous (crypto.subtle); the first call waits for it.
  const tenantOf = createTenantHasher(config.secret);
  // A failure surfaces on the first call, not as an unhandled rejection before it.
  tenantOf.catch(() => undefined);
  const budget = createFleetRateBudget({
    ratePerSecond: upstreamRatePerSecond,
    now: () => clock.now(),
    ...(fleet === undefined ? {} : { redis: fleet.connection }),
  });
  return budgetedFetch({
    budget,
    scopeOf: async (authorization) => (await tenantOf)(authorization ?? ''),
    clock,
    ...(parts.fetch === undefined ? {} : { fetch: parts.fetch }),
  });
}
