import {
  isNeurolinkerError,
  isTerminalDocumentStatus,
  isTerminalRequestStatus,
  type NeurolinkerClient,
} from '@neurostatus/core';
import type { StatusKind } from './cache-key.ts';
import { errorBody } from './edge-error.ts';
import type { ProxyMetrics } from './proxy-metrics.ts';
import type { UpstreamAnswer } from './status-cache.ts';
import { upstreamOutcome } from './upstream-failure.ts';

/** Makes the cache's `load` for one status: one upstream call, counted, as an {@link UpstreamAnswer}. */
export type UpstreamLoader = (
  client: NeurolinkerClient,
  kind: StatusKind,
  id: string,
) => () => Promise<UpstreamAnswer>;

/**
 * The adapter between the cache and the upstream client: asks for a document's or a request's
 * status, times and counts the call, and turns a 404 into an answer the cache keeps (briefly);
 * other failures are thrown for the cache to serve stale or to refuse.
 *
 * @example
 * ```ts
 * const load = createUpstreamLoader({ metrics, now: () => clock.now() });
 * const read = await cache.read(key, tenant.cacheTenant, load(tenant.client, 'document', id));
 * ```
 */
export function createUpstreamLoader(options: {
  readonly metrics: ProxyMetrics;
  readonly now: () => number;
}): UpstreamLoader {
  const { metrics, now } = options;
  return (client, kind, id) => async () => {
    const started = now();
    try {
      const answer: UpstreamAnswer =
        kind === 'document'
          ? await client.getDocumentStatusWithMeta(id).then(({ data }) => ({
              status: 200,
              body: JSON.stringify(data),
              terminal: isTerminalDocumentStatus(data),
            }))
          : await client.getRequestStatusWithMeta(id).then(({ data }) => ({
              status: 200,
              body: JSON.stringify(data),
              terminal: isTerminalRequestStatus(data),
            }));
      metrics.upstream(kind, '200', now() - started);
      return answer;
    } catch (error) {
      metrics.upstream(kind, upstreamOutcome(error), now() - started);
      if (isNeurolinkerError(error) && error.code === 'NOT_FOUND') {
        return {
          status: 404,
          body: errorBody('NOT_FOUND', `No ${kind} with this id (or not visible yet).`),
          terminal: false,
        };
      }
      throw error;
    }
  };
}
