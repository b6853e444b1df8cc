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

/** How many of a request's documents are still in progress: the count if sent, else derived. */
function documentsInProgress(request: RequestStatus): number {
  if (request.processing !== undefined) return request.processing;
  return request.documents.filter((document) => !isTerminalDocumentStatus(document.status)).length;
}

/**
 * True when a request will not change any more: `completed`, `failed`, or `partial` once nothing
 * is still processing (the API may report `partial` while the last documents are running).
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
      return documentsInProgress(request) === 0;
    default:
      return false;
  }
}
