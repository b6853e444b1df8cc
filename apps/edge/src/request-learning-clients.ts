import type { NeurolinkerClient, RequestStatus } from '@neurostatus/core';
import type { UpstreamClients } from './upstream-clients.ts';

/** Handed each request status an upstream call brought, with the tenant whose key made the call. */
export type LearnFromRequest = (tenant: string, request: RequestStatus) => Promise<unknown>;

/**
 * Upstream clients that hand every request status they fetch to `learn` before returning it,
 * whichever path made the call: a `GET /request-status/{id}` load, a request event stream's loop,
 * or the poll scheduler's request poll for a batch of document streams. The proxy stores each of
 * the request's documents from it (see `rememberRequestDocuments`), so what one request poll
 * learns answers later document reads.
 *
 * `learn` is told the `id` the client was asked for under, which is the tenant part of cache keys
 * (`UpstreamClients.clientFor`): documents learnt with one key are kept for that key only. The
 * call does not wait for `learn` (like an event stream's own writes to the cache: a poll never
 * waits for the store), and a `learn` that rejects is ignored. The same underlying client always
 * gets the same wrapper, so the scheduler's one loop (and one batch) per client stays one per
 * tenant.
 *
 * @example
 * ```ts
 * const clients = requestLearningClients(createUpstreamClients({ baseUrl, timeoutMs }), (tenant, request) =>
 *   rememberRequestDocuments(cache, tenant, request),
 * );
 * ```
 */
export function requestLearningClients(
  clients: UpstreamClients,
  learn: LearnFromRequest,
): UpstreamClients {
  const wrappers = new WeakMap<NeurolinkerClient, NeurolinkerClient>();
  return {
    clientFor(id, apiKey) {
      const client = clients.clientFor(id, apiKey);
      let wrapper = wrappers.get(client);
      if (wrapper === undefined) {
        wrapper = learningClient(client, (request) => learn(id, request));
        wrappers.set(client, wrapper);
      }
      return wrapper;
    },
  };
}

/** `client`, with each request status it fetches handed to `learn` first. */
function learningClient(
  client: NeurolinkerClient,
  learn: (request: RequestStatus) => Promise<unknown>,
): NeurolinkerClient {
  const getRequestStatusWithMeta: NeurolinkerClient['getRequestStatusWithMeta'] = async (
    requestId,
    options,
  ) => {
    const answer = await client.getRequestStatusWithMeta(requestId, options);
    // Started before the answer goes back (so before the caller stores the request itself);
    // storing is a bonus: a store's failure or slowness never fails or delays the poll.
    void learn(answer.data).catch(() => undefined);
    return answer;
  };
  return {
    getDocumentStatus: (documentId, options) => client.getDocumentStatus(documentId, options),
    getDocumentStatusWithMeta: (documentId, options) =>
      client.getDocumentStatusWithMeta(documentId, options),
    getRequestStatus: async (requestId, options) =>
      (await getRequestStatusWithMeta(requestId, options)).data,
    getRequestStatusWithMeta,
  };
}
