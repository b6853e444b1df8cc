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
 * call resolves once `learn` has settled, so whoever acts on the answer (a read that serves it, a
 * loop that stores or sends it) acts after its documents are stored: a GET of any of them that
 * follows is a hit, on every store, however late its writes settle. A `learn` that rejects is
 * ignored (storing is a bonus; it never fails the call). The same underlying client always
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
    // Awaited: the documents are stored before anyone sees the request's answer. The wait is the
    // store's write time (microseconds in memory; at most Redis's command timeout in a fleet), and
    // counts toward the read's upstream deadline; a failure to store them never fails the call.
    await learn(answer.data).catch(() => undefined);
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
