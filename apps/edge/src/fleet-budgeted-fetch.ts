import type { PollerClock } from '@neurostatus/poller';
import type { UpstreamRateBudget } from './fleet-rate-budget.ts';

/** Options of {@link budgetedFetch}. */
export interface BudgetedFetchOptions {
  readonly budget: UpstreamRateBudget;
  /**
   * The budget scope of a request, from its `Authorization` header (null without one): a digest
   * such as `createTenantHasher(secret)`, so that no key reaches Redis.
   */
  readonly scopeOf: (authorization: string | null) => Promise<string>;
  /** Sleep while over budget; the request's signal cuts it short. */
  readonly clock: Pick<PollerClock, 'sleep'>;
  /** The fetch that makes the call, looked up when called. Default: the global `fetch`. */
  readonly fetch?: typeof globalThis.fetch;
}

/** Waits at most this many budget windows without a signal (with one, the caller's timeout decides). */
const MAX_WAITS_WITHOUT_SIGNAL = 60;

/**
 * A `fetch` that takes each upstream request from a rate budget first, waiting for the next
 * window when the budget is spent: both the cache misses and the event-stream poll loops go
 * through the upstream client's `fetch`, so one wrapper covers them all. The request's abort
 * signal (the client's timeout) ends the wait, and the call then fails as a timeout would,
 * which the cache answers with a stale status where it has one.
 *
 * @example
 * ```ts
 * const fetch = budgetedFetch({ budget, scopeOf: tenantOf, clock: systemClock });
 * createApp(resolveEdgeParts(config, { fetch }));
 * ```
 */
export function budgetedFetch(options: BudgetedFetchOptions): typeof globalThis.fetch {
  const { budget, scopeOf, clock } = options;
  return async (input, init) => {
    const request = input instanceof Request ? input : undefined;
    const headers = init?.headers === undefined ? request?.headers : new Headers(init.headers);
    const signal = init?.signal ?? request?.signal ?? undefined;
    const scope = await scopeOf(headers?.get('authorization') ?? null);
    for (let waits = 0; ; waits++) {
      signal?.throwIfAborted();
      const waitMs = await budget.take(scope);
      if (waitMs <= 0 || (signal === undefined && waits >= MAX_WAITS_WITHOUT_SIGNAL)) break;
      await clock.sleep(waitMs, signal);
    }
    return (options.fetch ?? globalThis.fetch)(input, init);
  };
}
