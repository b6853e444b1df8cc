import { createNeurolinkerClient, type NeurolinkerClient } from '@neurostatus/core';
import { setNewest } from './set-newest.ts';

/** Options of {@link createUpstreamClients}. */
export interface UpstreamClientsOptions {
  /** The Neurolinker API base URL (or the embedded simulator's). */
  readonly baseUrl: string;
  /** Per-call deadline, ms: one upstream call never takes longer. */
  readonly timeoutMs: number;
  /** Largest response body accepted, bytes (larger: `InvalidResponseError`). Default core's 1 MiB. */
  readonly maxResponseBytes?: number;
  /**
   * The proxy's clock, epoch ms: the call's deadline is measured on it, like the cache's. Default
   * `Date.now`. (A deadline on another clock than the timer's is shortened by whatever time the
   * other clock saw pass before the attempt started.)
   */
  readonly now?: () => number;
  /** How to reach the upstream. Default: the global `fetch`, looked up when called. */
  readonly fetch?: typeof globalThis.fetch;
  /** Clients kept at most (one per tenant key in passthrough mode). Default 1 000. */
  readonly maxClients?: number;
}

/** Hands out one client per upstream key; see {@link createUpstreamClients}. */
export interface UpstreamClients {
  /**
   * The client that calls the upstream with `apiKey`. `id` names the key without revealing it (its
   * tenant digest): the same `id` returns the same client, so the poll scheduler's one loop per
   * (client, document) is also one loop per (tenant, document).
   */
  clientFor(id: string, apiKey: string): NeurolinkerClient;
}

/**
 * Clients for the upstream, made with the proxy's rules: no retries (the cache serves stale and
 * the next poll asks again, which beats holding a client's request through backoff), and one
 * deadline for the whole call. Kept in a small LRU so passthrough tenants reuse theirs.
 *
 * @example
 * ```ts
 * const clients = createUpstreamClients({ baseUrl, timeoutMs: 10_000 });
 * const client = clients.clientFor(tenant, apiKey);
 * ```
 */
export function createUpstreamClients(options: UpstreamClientsOptions): UpstreamClients {
  const maxClients = options.maxClients ?? 1_000;
  const clients = new Map<string, NeurolinkerClient>();
  /** The id last moved to the end: asking for it again (every hit of one tenant) needs no move. */
  let newest: string | undefined;
  return {
    clientFor(id, apiKey) {
      let client = clients.get(id);
      if (client !== undefined) {
        if (id === newest) return client;
      } else {
        client = createNeurolinkerClient({
          apiKey,
          baseUrl: options.baseUrl,
          timeoutMs: options.timeoutMs,
          deadlineMs: options.timeoutMs,
          retry: false,
          userAgent: 'neurostatus-edge',
          ...(options.maxResponseBytes === undefined
            ? {}
            : { maxResponseBytes: options.maxResponseBytes }),
          ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
          ...(options.now === undefined ? {} : { now: options.now }),
        });
      }
      setNewest(clients, id, client, maxClients);
      newest = id;
      return client;
    },
  };
}
