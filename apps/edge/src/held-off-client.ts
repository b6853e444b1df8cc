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
 * tenant part of cache keys: one upstream key), a call waits (`sleep`, on the proxy's clock;
 * the call's signal ends the wait) until the hold ends, without asking upstream; a 429 the upstream sends is
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
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>,
): NeurolinkerClient {
  const guarded =
    <T>(kind: StatusKind, call: (id: string, options?: RequestOptions) => Promise<T>) =>
    async (id: string, options?: RequestOptions): Promise<T> => {
      const key = cacheKey({ tenant: scope, kind, id });
      // Waited out here, not thrown: a made-up 429 would make the poller's shared rate limiter
      // slow down every tenant's polls, and count against the stream's error limit.
      for (let heldMs = holdOff.remainingMs(key, scope); heldMs > 0; ) {
        await sleep(heldMs, options?.signal);
        heldMs = holdOff.remainingMs(key, scope);
      }
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

/** The error a held-off call fails with: a 429 that says how long the hold lasts. */
function rateLimited(retryAfterMs: number, cause?: unknown): Error {
  return errorForCode('RATE_LIMITED', 'The proxy is holding off the upstream after a 429.', {
    status: 429,
    retryAfterMs,
    ...(cause === undefined ? {} : { cause }),
  });
}
