import { type DocumentStatus, parseDocumentStatus, type RequestDocument } from '@neurostatus/core';

/**
 * A document's status as a request poll lists it (`documents[].result`), validated with core's
 * document-status schema; `undefined` when the entry cannot stand for a document poll: no result,
 * a result that fails validation, one for another document, or one that says the document now
 * belongs to another request. The caller then polls that document on its own.
 *
 * @example
 * ```ts
 * const { data: request } = await client.getRequestStatusWithMeta(requestId);
 * const statuses = request.documents.map((entry) => requestEntryStatus(entry, request.request_id));
 * ```
 */
export function requestEntryStatus(
  entry: RequestDocument,
  requestId: string,
): DocumentStatus | undefined {
  if (entry.result === null || entry.result === undefined) return undefined;
  let status: DocumentStatus;
  try {
    status = parseDocumentStatus(entry.result);
  } catch {
    return undefined;
  }
  if (status.document_id !== entry.document_id || status.request_id !== requestId) return undefined;
  return status;
}
