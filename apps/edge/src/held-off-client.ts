import {
  errorForCode,
  isNeurolinkerError,
  type NeurolinkerClient,
  type RequestOptions,
} from '@neurostatus/core';
import { cacheKey, type StatusKind } from './cache-key.ts';
import type { HoldOff } from './hold-off.ts';

/**
 * `client` under the proxy's hold-off, for the calls the cache does not make itself (the event
 * streams' polls): while the hold-off holds the status's key or its whole scope (`scope`, the
 * tenant part of cache keys: one upstream key), a call fails at once, without asking upstream,
 * with a transient `ServerError` (503) whose `retryAfterMs` is the hold left, which the poller
 * waits out like any server hint; a 429 the upstream sends is
 * recorded in the hold-off (so status reads of the key, and after several keys of the scope every
 * call, hold off too) and rethrown with the hold applied as its `retryAfterMs`. The poller waits
 * that long, as after any 429. Status reads check and record the same hold-off in the cache.
 *
 * @example
 * ```ts
 * scheduler.subscribe(heldOffClient(tenant.client, holdOff, tenant.cacheTenant, clock.sleep), id, listener);
 * ```
 */
export function heldOffClient(
  client: NeurolinkerClient,
  holdOff: HoldOff,
  scope: string,
): NeurolinkerClient {
  const guarded =
    <T>(kind: StatusKind, call: (id: string, options?: RequestOptions) => Promise<T>) =>
    async (id: string, options?: RequestOptions): Promise<T> => {
      const key = cacheKey({ tenant: scope, kind, id });
      // Not a 429 of its own: the poller's shared rate limiter would slow every tenant's polls
      // for it. Nor a wait here: it would hold one of the scheduler's few concurrency slots.
      const heldMs = holdOff.remainingMs(key, scope);
      if (heldMs > 0) throw heldOff(heldMs);
      try {
        return await call(id, options);
      } catch (error) {
        if (!isNeurolinkerError(error) || error.code !== 'RATE_LIMITED') throw error;
        const hint = 'retryAfterMs' in error ? error.retryAfterMs : undefined;
        const appliedMs = holdOff.rateLimited(
          key,
          scope,
          typeof hint === 'number' ? hint : undefined,
        );
        throw rateLimited(appliedMs, error);
      }
    };
  return {
    getDocumentStatus: guarded('document', (id, o) => client.getDocumentStatus(id, o)),
    getRequestStatus: guarded('request', (id, o) => client.getRequestStatus(id, o)),
    getDocumentStatusWithMeta: guarded('document', (id, o) =>
      client.getDocumentStatusWithMeta(id, o),
    ),
    getRequestStatusWithMeta: guarded('request', (id, o) => client.getRequestStatusWithMeta(id, o)),
  };
}

/** The error a held-off call fails with: transient, saying how long the hold lasts. */
function heldOff(retryAfterMs: number): Error {
  return errorForCode('SERVER_ERROR', 'The proxy is holding off the upstream after 429s.', {
    status: 503,
    retryAfterMs,
  });
}

/** The error an upstream 429 becomes: the hold the proxy applies as its `retryAfterMs`. */
function rateLimited(retryAfterMs: number, cause?: unknown): Error {
  return errorForCode('RATE_LIMITED', 'The proxy is holding off the upstream after a 429.', {
    status: 429,
    retryAfterMs,
    ...(cause === undefined ? {} : { cause }),
  });
}
