import type { DocumentState, DocumentStatus } from './document-status-schema.ts';
import type { RequestStatus } from './request-status-schema.ts';

/**
 * True when a document will not change any more: `completed` or `failed`. Unknown states are
 * not terminal, so a poller keeps asking rather than stopping on a value it does not understand.
 *
 * @example
 * ```ts
 * if (isTerminalDocumentStatus(status)) return status;
 * isTerminalDocumentStatus('processing'); // false
 * ```
 */
export function isTerminalDocumentStatus(status: DocumentStatus | DocumentState): boolean {
  const state = typeof status === 'string' ? status : status.status;
  return state === 'completed' || state === 'failed';
}

/**
 * Whether nothing of a request is still running, by every measure the payload offers: the
 * `processing` count (whether it includes pending documents is undocumented), the listed
 * documents, and `completed + failed === total` when those counts are sent.
 */
function nothingInProgress(request: RequestStatus): boolean {
  if (request.processing !== undefined && request.processing > 0) return false;
  if (request.documents.some((document) => !isTerminalDocumentStatus(document.status)))
    return false;
  const { total, completed, failed } = request;
  if (total !== undefined && completed !== undefined && failed !== undefined)
    return completed + failed >= total;
  return true;
}

/**
 * True when a request will not change any more: `completed`, `failed`, or `partial` once nothing
 * is still processing (the API may report `partial` while the last documents are running): no
 * `processing` count above 0, no listed document still pending or processing, and, when the
 * counts are sent, `completed + failed` reaching `total`.
 *
 * @example
 * ```ts
 * isTerminalRequestStatus(request); // true for { status: 'partial', processing: 0, ... }
 * ```
 */
export function isTerminalRequestStatus(request: RequestStatus): boolean {
  switch (request.status) {
    case 'completed':
    case 'failed':
      return true;
    case 'partial':
      return nothingInProgress(request);
    default:
      return false;
  }
}
