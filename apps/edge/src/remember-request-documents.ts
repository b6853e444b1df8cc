import { parseRequestStatus, type RequestStatus } from '@neurostatus/core';
import { requestEntryStatus } from '@neurostatus/poller';
import { cacheKey } from './cache-key.ts';
import type { StatusCache } from './status-cache.ts';
import { statusAnswer } from './status-loader.ts';

/**
 * Stores each document status a request answer lists (`documents[].result`) in the cache, under
 * `tenant`'s key for that document, so a plain `GET /document-status/{id}` of any of them is then a
 * hit. An entry is stored only when it stands for a document poll (validated with core's
 * document-status schema, for that document and this request: the poller's `requestEntryStatus`,
 * the same rule its scheduler batches by); anything else is left for the document's own poll.
 * Stored like any answer (`cache.remember`): a terminal status is never replaced by older news.
 *
 * `tenant` must be the tenant whose credential made the request call: a status one key may read
 * is never stored where another key's reads would find it. Never throws; resolves to the number
 * of documents stored.
 *
 * @example
 * ```ts
 * const { data } = await client.getRequestStatusWithMeta(requestId);
 * await rememberRequestDocuments(cache, tenant.cacheTenant, data);
 * ```
 */
export async function rememberRequestDocuments(
  cache: Pick<StatusCache, 'remember'>,
  tenant: string,
  request: RequestStatus,
): Promise<number> {
  const writes = request.documents.map(async (entry) => {
    const status = requestEntryStatus(entry, request.request_id);
    if (status === undefined) return 0;
    try {
      const key = cacheKey({ tenant, kind: 'document', id: status.document_id });
      await cache.remember(key, statusAnswer('document', status));
      return 1;
    } catch {
      // A result the proxy cannot serve (nested too deep): the document's own poll will say so.
      return 0;
    }
  });
  let stored = 0;
  for (const written of await Promise.all(writes)) stored += written;
  return stored;
}

/**
 * {@link rememberRequestDocuments} for a request status the proxy holds as a served body (what an
 * outside event feed, such as a Durable Object, hands over). A body that is not a valid request
 * status stores nothing.
 *
 * @example
 * ```ts
 * await rememberRequestBody(cache, tenant.cacheTenant, body);
 * ```
 */
export async function rememberRequestBody(
  cache: Pick<StatusCache, 'remember'>,
  tenant: string,
  body: string,
): Promise<number> {
  let request: RequestStatus;
  try {
    request = parseRequestStatus(JSON.parse(body));
  } catch {
    return 0;
  }
  return rememberRequestDocuments(cache, tenant, request);
}
