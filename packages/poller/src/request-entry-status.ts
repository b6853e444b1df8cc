import { type DocumentStatus, parseDocumentStatus, type RequestDocument } from '@neurostatus/core';

/**
 * A document's status as a request poll lists it (`documents[].result`), validated with core's
 * document-status schema; `undefined` when the entry cannot stand for a document poll: no result,
 * a result that fails validation, one for another document, or one that says the document now
 * belongs to another request. The caller then polls that document on its own.
 *
 * A request entry may carry fewer fields than a document poll (the API leaves some out of the
 * list, e.g. `document_page_url`). An omission says nothing about the document, so with `known`
 * (the document's latest status, e.g. from its own poll) each top-level field the entry leaves
 * out is kept from `known`, and everything it carries (`null` included) wins. Without it, the
 * omitted fields are absent (or the schema's defaults): compared with a document poll's answer,
 * that would look like a change where there is none.
 *
 * @example
 * ```ts
 * const { data: request } = await client.getRequestStatusWithMeta(requestId);
 * const statuses = request.documents.map((entry) => requestEntryStatus(entry, request.request_id));
 * // Through a cache of full statuses: what the list leaves out is kept from the cached one.
 * const cached = new Map<string, DocumentStatus>();
 * const merged = request.documents.map((entry) =>
 *   requestEntryStatus(entry, request.request_id, cached.get(entry.document_id)),
 * );
 * ```
 */
export function requestEntryStatus(
  entry: RequestDocument,
  requestId: string,
  known?: DocumentStatus,
): DocumentStatus | undefined {
  const sent = entry.result;
  if (sent === null || sent === undefined) return undefined;
  let status: DocumentStatus;
  try {
    status = parseDocumentStatus(sent);
  } catch {
    return undefined;
  }
  if (status.document_id !== entry.document_id || status.request_id !== requestId) return undefined;
  if (known === undefined || known.document_id !== status.document_id) return status;
  let merged: Record<string, unknown> | undefined;
  for (const [key, value] of Object.entries(known)) {
    if (Object.hasOwn(sent, key)) continue;
    merged ??= { ...status };
    merged[key] = value;
  }
  return (merged ?? status) as DocumentStatus;
}
