import {
  ID_PATTERN,
  readObject,
  readOptionalChoice,
  readOptionalNumber,
  readOptionalString,
} from './field-readers.ts';
import type { DocumentOutcome } from './simulation-records.ts';

/**
 * One document of a simulated request. Every field is optional; leave durations out to draw them
 * from the timing model (see `expectedProcessingMs`).
 *
 * @example
 * ```ts
 * const slowScan: SimulatedDocumentInput = { fileName: 'scan.pdf', totalPages: 40 };
 * const quickFailure: SimulatedDocumentInput = { outcome: 'failed', pendingMs: 0, processingMs: 500 };
 * ```
 */
export interface SimulatedDocumentInput {
  /** Default: a seeded UUID. Must be unique in the simulator and URL-safe. */
  readonly documentId?: string;
  /** Default: `Document_<n>.pdf` (n counts from 1 within the request). */
  readonly fileName?: string;
  /** Default: `application/pdf`. */
  readonly fileType?: string;
  /** Integer 1–2000. Default: 1. */
  readonly totalPages?: number;
  /** Default: 52 631 bytes per page, the documented example's density. */
  readonly fileSizeBytes?: number;
  /** Default: `completed`. */
  readonly outcome?: DocumentOutcome;
  /** Time in `pending`, in ms. Default: drawn from the timing model. */
  readonly pendingMs?: number;
  /** Time in `processing` before the outcome, in ms. Default: drawn from the timing model. */
  readonly processingMs?: number;
  /** `results.error` of a failed document. Default: a generic extraction failure message. */
  readonly errorMessage?: string;
}

/**
 * What `createRequest` (and `POST /_sim/requests`) takes: the submitting account's key and the
 * documents, as if they had been sent to `POST /extract` just now.
 *
 * @example
 * ```ts
 * simulator.createRequest({ apiKey: DEMO_API_KEY, documents: [{ totalPages: 3 }, {}] });
 * ```
 */
export interface CreateRequestInput {
  readonly apiKey: string;
  /** Default: a seeded UUID. Must be unique in the simulator and URL-safe. */
  readonly requestId?: string;
  /** 1 to 1000 documents. */
  readonly documents: readonly SimulatedDocumentInput[];
  /**
   * For this long after submission (simulated ms) the request and its documents answer 404, like
   * an unknown id: the real API may not show a just-submitted id at once. Default: 0.
   */
  readonly visibleAfterMs?: number;
}

/**
 * What `createRequest` returns: the ids to poll.
 *
 * @example
 * ```ts
 * const { requestId, documentIds }: CreatedRequest = simulator.createRequest(input);
 * ```
 */
export interface CreatedRequest {
  readonly requestId: string;
  readonly documentIds: readonly string[];
}

const MAX_DURATION_MS = 366 * 24 * 60 * 60 * 1000;
const DOCUMENT_FIELDS = [
  'documentId',
  'fileName',
  'fileType',
  'totalPages',
  'fileSizeBytes',
  'outcome',
  'pendingMs',
  'processingMs',
  'errorMessage',
];

/**
 * Validates untrusted input for `createRequest`; throws a `TypeError` naming the bad field.
 *
 * @example
 * ```ts
 * const input = parseCreateRequestInput(await request.json());
 * ```
 */
export function parseCreateRequestInput(value: unknown): CreateRequestInput {
  const body = readObject(value, 'input', ['apiKey', 'requestId', 'documents', 'visibleAfterMs']);
  if (typeof body.apiKey !== 'string') throw new TypeError('input.apiKey must be a string');
  const requestId = readOptionalString(body, 'requestId', 'input', { pattern: ID_PATTERN });
  const visibleAfterMs = readOptionalNumber(body, 'visibleAfterMs', 'input', {
    min: 0,
    max: MAX_DURATION_MS,
  });
  const documents = body.documents;
  if (!Array.isArray(documents) || documents.length === 0 || documents.length > 1000) {
    throw new TypeError('input.documents must be an array of 1 to 1000 documents');
  }
  return {
    apiKey: body.apiKey,
    ...(requestId === undefined ? {} : { requestId }),
    ...(visibleAfterMs === undefined ? {} : { visibleAfterMs }),
    documents: documents.map((document: unknown, index) => parseDocument(document, index)),
  };
}

function parseDocument(value: unknown, index: number): SimulatedDocumentInput {
  const where = `input.documents[${index}]`;
  const body = readObject(value, where, DOCUMENT_FIELDS);
  const fields: Record<string, unknown> = {
    documentId: readOptionalString(body, 'documentId', where, { pattern: ID_PATTERN }),
    fileName: readOptionalString(body, 'fileName', where, { maxLength: 255 }),
    fileType: readOptionalString(body, 'fileType', where, { maxLength: 255 }),
    totalPages: readOptionalNumber(body, 'totalPages', where, { min: 1, max: 2000, integer: true }),
    fileSizeBytes: readOptionalNumber(body, 'fileSizeBytes', where, { min: 0, integer: true }),
    outcome: readOptionalChoice(body, 'outcome', where, ['completed', 'failed']),
    pendingMs: readOptionalNumber(body, 'pendingMs', where, { min: 0, max: MAX_DURATION_MS }),
    processingMs: readOptionalNumber(body, 'processingMs', where, { min: 0, max: MAX_DURATION_MS }),
    errorMessage: readOptionalString(body, 'errorMessage', where, { maxLength: 1000 }),
  };
  // exactOptionalPropertyTypes: leave absent fields absent rather than `undefined`.
  return Object.fromEntries(
    Object.entries(fields).filter(([, field]) => field !== undefined),
  ) as SimulatedDocumentInput;
}
