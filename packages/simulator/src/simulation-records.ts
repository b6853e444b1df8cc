/**
 * Where a document is in its life: the four statuses the API reports.
 *
 * @example
 * ```ts
 * const terminal: DocumentState[] = ['completed', 'failed'];
 * ```
 */
export type DocumentState = 'pending' | 'processing' | 'completed' | 'failed';

/**
 * The overall status of a request. `partial` means some documents failed and the rest
 * completed; like `completed` and `failed` it is terminal.
 *
 * @example
 * ```ts
 * const done = (status: RequestState) => status !== 'processing';
 * ```
 */
export type RequestState = 'processing' | 'completed' | 'failed' | 'partial';

/**
 * How a document ends.
 *
 * @example
 * ```ts
 * simulator.createRequest({ apiKey, documents: [{ outcome: 'failed' satisfies DocumentOutcome }] });
 * ```
 */
export type DocumentOutcome = 'completed' | 'failed';

/**
 * What the simulator stores about one document. The phase is not stored: it is derived from the
 * clock when read, so a manual clock drives everything and no timers are needed.
 *
 * @example
 * ```ts
 * const record: DocumentRecord | undefined = store.findDocument(id, userUid, nowMs);
 * ```
 */
export interface DocumentRecord {
  readonly documentId: string;
  readonly requestId: string;
  readonly userUid: string;
  readonly fileName: string;
  readonly fileType: string;
  readonly fileSizeBytes: number;
  readonly totalPages: number;
  readonly outcome: DocumentOutcome;
  /** Simulated epoch ms at which the document moves from `pending` to `processing`. */
  readonly processingAtMs: number;
  /** Simulated epoch ms at which the document reaches its outcome. */
  readonly finishedAtMs: number;
  /** `started_at` as epoch microseconds: the API reports six fractional digits. */
  readonly startedAtUs: number;
  /** `completed_at` as epoch microseconds, reported once terminal. */
  readonly completedAtUs: number;
  readonly croppedImages: readonly string[];
  readonly errorMessage: string;
  /** Historical records (the documented example) are always reported in their final state. */
  readonly frozen: boolean;
}

/**
 * What the simulator stores about one request: its owner and its documents, in order.
 *
 * @example
 * ```ts
 * const found = store.findRequest(requestId, userUid, nowMs); // { request: RequestRecord, documents }
 * ```
 */
export interface RequestRecord {
  readonly requestId: string;
  readonly userUid: string;
  readonly startedAtUs: number;
  readonly documentIds: readonly string[];
  /** Simulated epoch ms before which the request and its documents answer 404. Default: always visible. */
  readonly visibleAtMs?: number;
}
