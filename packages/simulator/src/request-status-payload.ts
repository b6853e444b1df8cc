import {
  type DocumentStatusPayload,
  documentPhase,
  documentStatusPayload,
} from './document-status-payload.ts';
import { formatTimestamp } from './format-timestamp.ts';
import type {
  DocumentRecord,
  DocumentState,
  RequestRecord,
  RequestState,
} from './simulation-records.ts';

/**
 * The body of `GET {prefix}/request-status/{request_id}`.
 *
 * @example
 * ```ts
 * const body = (await res.json()) as RequestStatusPayload;
 * console.log(`${body.completed}/${body.total} done`);
 * ```
 */
export interface RequestStatusPayload {
  success: true;
  request_id: string;
  /** `processing` while any document is pending or processing; then `completed`, `failed` or `partial`. */
  status: RequestState;
  documents: RequestDocumentEntry[];
  total: number;
  completed: number;
  failed: number;
  /** Documents still `pending` or `processing`. */
  processing: number;
  job_page_url: string;
  total_size_bytes: number;
  started_at: string;
  /** `null` until the request is terminal; then the latest `completed_at` of its documents. */
  completed_at: string | null;
}

/**
 * One document inside a request-status body.
 *
 * @example
 * ```ts
 * requestPayload.documents.map((entry: RequestDocumentEntry) => entry.result?.status);
 * ```
 */
export interface RequestDocumentEntry {
  document_id: string;
  filename: string;
  status: DocumentState;
  result: DocumentStatusPayload;
}

/**
 * The overall status of a request whose documents have the statuses `statuses`.
 *
 * @example
 * ```ts
 * aggregateRequestStatus(['completed', 'failed']); // 'partial'
 * aggregateRequestStatus(['completed', 'pending']); // 'processing'
 * ```
 */
export function aggregateRequestStatus(statuses: readonly DocumentState[]): RequestState {
  const failed = statuses.filter((status) => status === 'failed').length;
  const completed = statuses.filter((status) => status === 'completed').length;
  if (failed + completed < statuses.length) return 'processing';
  if (failed === 0) return 'completed';
  return completed === 0 ? 'failed' : 'partial';
}

/**
 * Builds the request-status body of `request` as seen at simulated time `nowMs`.
 *
 * @example
 * ```ts
 * requestStatusPayload(found.request, found.documents, clock.now(), 'https://neurolinker.ainexxo.com');
 * ```
 */
export function requestStatusPayload(
  request: RequestRecord,
  documents: readonly DocumentRecord[],
  nowMs: number,
  webBaseUrl: string,
): RequestStatusPayload {
  const statuses = documents.map((document) => documentPhase(document, nowMs));
  const status = aggregateRequestStatus(statuses);
  const count = (wanted: DocumentState): number => statuses.filter((s) => s === wanted).length;
  const completedAtUs = Math.max(...documents.map((document) => document.completedAtUs));
  return {
    success: true,
    request_id: request.requestId,
    status,
    documents: documents.map((document) => {
      const result = documentStatusPayload(document, nowMs, webBaseUrl);
      return {
        document_id: document.documentId,
        filename: document.fileName,
        status: result.status,
        result,
      };
    }),
    total: documents.length,
    completed: count('completed'),
    failed: count('failed'),
    processing: count('pending') + count('processing'),
    job_page_url: `${webBaseUrl}/job/${request.requestId}`,
    total_size_bytes: documents.reduce((sum, document) => sum + document.fileSizeBytes, 0),
    started_at: formatTimestamp(request.startedAtUs),
    completed_at: status === 'processing' ? null : formatTimestamp(completedAtUs),
  };
}
