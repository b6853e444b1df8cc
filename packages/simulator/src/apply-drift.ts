import type { DocumentStatusPayload } from './document-status-payload.ts';
import type { RequestStatusPayload } from './request-status-payload.ts';
import type { DriftKind } from './simulator-fault.ts';

/** A numeric stand-in for `user_uid`: the schema table types it as int. */
const NUMERIC_USER_UID = 48_213;

/**
 * Returns a copy of a real status payload altered the way `drift` describes (see
 * {@link DriftKind}). Request-status payloads are altered at the top and in each document's
 * `result`, because a client may read either.
 *
 * @example
 * ```ts
 * applyDrift(payload, 'unknown-status').status; // 'queued'
 * ```
 */
export function applyDrift(
  payload: DocumentStatusPayload | RequestStatusPayload,
  drift: DriftKind,
): Record<string, unknown> {
  if ('documents' in payload) {
    const top = driftRequest({ ...payload }, drift);
    top.documents = payload.documents.map((entry) => {
      const altered: Record<string, unknown> = {
        ...entry,
        result: driftDocument({ ...entry.result }, drift),
      };
      if (drift === 'unknown-status') altered.status = 'queued';
      return altered;
    });
    return top;
  }
  return driftDocument({ ...payload }, drift);
}

function driftDocument(body: Record<string, unknown>, drift: DriftKind): Record<string, unknown> {
  switch (drift) {
    case 'numeric-user-uid':
      body.user_uid = NUMERIC_USER_UID;
      break;
    case 'missing-fields':
      delete body.completed_at;
      delete body.results;
      delete body.document_page_url;
      break;
    case 'unknown-status':
      body.status = 'queued';
      break;
    case 'extra-fields':
      body.processing_stage = 'ocr';
      body.queue_position = 0;
      body.results = { ...(body.results as object), markdown_path: 'markdown/output.md' };
      break;
    case 'wrong-types':
      body.success = 'true';
      body.file_size_bytes = String(body.file_size_bytes);
      body.total_pages = String(body.total_pages);
      break;
  }
  return body;
}

function driftRequest(body: Record<string, unknown>, drift: DriftKind): Record<string, unknown> {
  switch (drift) {
    case 'numeric-user-uid':
      break;
    case 'missing-fields':
      delete body.completed_at;
      delete body.job_page_url;
      delete body.total_size_bytes;
      break;
    case 'unknown-status':
      body.status = 'queued';
      break;
    case 'extra-fields':
      body.priority = 'normal';
      body.alias = null;
      break;
    case 'wrong-types':
      body.success = 'true';
      body.total = String(body.total);
      body.completed = String(body.completed);
      body.total_size_bytes = String(body.total_size_bytes);
      break;
  }
  return body;
}
