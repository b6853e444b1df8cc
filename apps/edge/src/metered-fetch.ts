import type { ProxyMetrics } from './proxy-metrics.ts';

/** Which status route an upstream URL is, for the `kind` label. */
function kindOf(input: RequestInfo | URL): 'document' | 'request' | 'other' {
  const url = input instanceof Request ? input.url : String(input);
  if (url.includes('/document-status/')) return 'document';
  if (url.includes('/request-status/')) return 'request';
  return 'other';
}

/** The outcome label of a `fetch` that threw: no HTTP status came back. */
function failureOutcome(error: unknown): string {
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'TimeoutError') return 'timeout';
  if (name === 'AbortError') return 'aborted';
  return 'connection';
}

/**
 * Wraps the proxy's upstream `fetch` so that every upstream call is counted once, by kind and
 * outcome, whichever path made it (a status GET, a shared or own event-stream poll loop, a request
 * loop): counting at the one door every call goes through, not in each caller. The duration is
 * the time to the response headers (or to the failure). `inner` is looked up when called.
 *
 * @example
 * ```ts
 * const clients = createUpstreamClients({ baseUrl, timeoutMs, fetch: meteredFetch(metrics, now) });
 * ```
 */
export function meteredFetch(
  metrics: Pick<ProxyMetrics, 'upstream'>,
  now: () => number,
  inner?: typeof globalThis.fetch,
): typeof globalThis.fetch {
  return async (input, init) => {
    const kind = kindOf(input);
    const started = now();
    let response: Response;
    try {
      response = await (inner ?? globalThis.fetch)(input, init);
    } catch (error) {
      metrics.upstream(kind, failureOutcome(error), now() - started);
      throw error;
    }
    metrics.upstream(kind, String(response.status), now() - started);
    return response;
  };
}
