import { formatTimestamp } from './format-timestamp.ts';
import type { DocumentRecord, DocumentState } from './simulation-records.ts';

/**
 * The body of `GET {prefix}/document-status/{document_id}`, field for field and in the order of
 * the published example. `user_uid` is a string as in both published examples (the schema table
 * says int; the `numeric-user-uid` drift fault serves that variant).
 *
 * @example
 * ```ts
 * const body = (await res.json()) as DocumentStatusPayload;
 * if (body.status === 'completed') console.log(body.results.cropped_images);
 * ```
 */
export interface DocumentStatusPayload {
  success: true;
  document_id: string;
  request_id: string;
  status: DocumentState;
  file_name: string;
  file_type: string;
  file_size_bytes: number;
  total_pages: number;
  user_uid: string;
  started_at: string;
  /** `null` until the document is `completed` or `failed`. */
  completed_at: string | null;
  /** `{}` until terminal; `{ storage_path, cropped_images }` on completion; `{ error }` on failure. */
  results: DocumentResults;
  document_page_url: string;
}

/**
 * The `results` object of a document: empty while in progress.
 *
 * @example
 * ```ts
 * const images: string[] = results.cropped_images ?? [];
 * ```
 */
export interface DocumentResults {
  storage_path?: string;
  cropped_images?: string[];
  error?: string;
}

/**
 * The status of a document at simulated time `nowMs`.
 *
 * @example
 * ```ts
 * documentPhase(record, clock.now()); // 'processing'
 * ```
 */
export function documentPhase(record: DocumentRecord, nowMs: number): DocumentState {
  if (record.frozen || nowMs >= record.finishedAtMs) return record.outcome;
  return nowMs >= record.processingAtMs ? 'processing' : 'pending';
}

/**
 * Builds the document-status body of `record` as seen at simulated time `nowMs`.
 *
 * @example
 * ```ts
 * const body = documentStatusPayload(record, clock.now(), 'https://neurolinker.ainexxo.com');
 * ```
 */
export function documentStatusPayload(
  record: DocumentRecord,
  nowMs: number,
  webBaseUrl: string,
): DocumentStatusPayload {
  const status = documentPhase(record, nowMs);
  const terminal = status === 'completed' || status === 'failed';
  return {
    success: true,
    document_id: record.documentId,
    request_id: record.requestId,
    status,
    file_name: record.fileName,
    file_type: record.fileType,
    file_size_bytes: record.fileSizeBytes,
    total_pages: record.totalPages,
    user_uid: record.userUid,
    started_at: formatTimestamp(record.startedAtUs),
    completed_at: terminal ? formatTimestamp(record.completedAtUs) : null,
    results: resultsOf(record, status),
    document_page_url: `${webBaseUrl}/job/${record.requestId}/extractions/${record.documentId}`,
  };
}

function resultsOf(record: DocumentRecord, status: DocumentState): DocumentResults {
  if (status === 'completed') {
    return {
      // The API fact: storage_path embeds uid, request id and document id, and ends with `/`.
      storage_path: `uploads/${record.userUid}/${record.requestId}/${record.documentId}/`,
      cropped_images: [...record.croppedImages],
    };
  }
  if (status === 'failed') return { error: record.errorMessage };
  return {};
}
