import type { CreatedRequest, CreateRequestInput } from './create-request-input.ts';
import type { SimulatorAccount } from './default-accounts.ts';
import type { SeededRandom } from './seeded-random.ts';
import type { DocumentRecord, RequestRecord } from './simulation-records.ts';
import { sampleTimeline } from './timing-model.ts';

/**
 * The simulator's in-memory data: accounts, requests and documents, with tenancy built into the
 * lookups so no route can forget it.
 *
 * @example
 * ```ts
 * const account = store.accountOf(apiKey);
 * const record = account && store.findDocument(documentId, account.userUid, nowMs);
 * ```
 */
export interface SimulationStore {
  /** The account of `apiKey`, or `undefined` for a key the simulator does not know. */
  accountOf(apiKey: string): SimulatorAccount | undefined;
  /** Records a new request submitted at simulated time `nowMs`; throws `TypeError` on bad input. */
  createRequest(input: CreateRequestInput, nowMs: number): CreatedRequest;
  /** Inserts ready-made records (the documented example). */
  insert(request: RequestRecord, documents: readonly DocumentRecord[]): void;
  /**
   * The document `documentId` if `userUid` owns it and it is visible at simulated time `nowMs`:
   * another account's document, or one not visible yet, does not exist.
   */
  findDocument(documentId: string, userUid: string, nowMs: number): DocumentRecord | undefined;
  /** The request `requestId` and its documents if `userUid` owns it and it is visible at `nowMs`. */
  findRequest(
    requestId: string,
    userUid: string,
    nowMs: number,
  ): { request: RequestRecord; documents: DocumentRecord[] } | undefined;
}

const DEFAULT_FILE_TYPE = 'application/pdf';

function isVisible(request: RequestRecord | undefined, nowMs: number): boolean {
  return (request?.visibleAtMs ?? Number.NEGATIVE_INFINITY) <= nowMs;
}
/** Bytes per page of the documented example (421 050 bytes / 8 pages). */
const DEFAULT_BYTES_PER_PAGE = 52_631;
const DEFAULT_ERROR_MESSAGE = 'Extraction failed: the document could not be processed';

/**
 * Creates an empty {@link SimulationStore}. `ids` draws ids and timestamps' microseconds,
 * `durations` draws timelines, so adding a duration override does not shift later ids.
 *
 * @example
 * ```ts
 * const store = createSimulationStore(DEFAULT_ACCOUNTS, createSeededRandom(1), createSeededRandom(2));
 * ```
 */
export function createSimulationStore(
  accounts: readonly SimulatorAccount[],
  ids: SeededRandom,
  durations: SeededRandom,
): SimulationStore {
  const accountsByKey = new Map(accounts.map((account) => [account.apiKey, account]));
  const requests = new Map<string, RequestRecord>();
  const documents = new Map<string, DocumentRecord>();

  const insert = (request: RequestRecord, records: readonly DocumentRecord[]): void => {
    requests.set(request.requestId, request);
    for (const record of records) documents.set(record.documentId, record);
  };

  return {
    accountOf: (apiKey) => accountsByKey.get(apiKey),
    insert,
    createRequest(input, nowMs) {
      const account = accountsByKey.get(input.apiKey);
      // The key itself stays out of the message: messages end up in logs and test reports.
      if (account === undefined) throw new TypeError('createRequest: unknown apiKey');
      const requestId = input.requestId ?? ids.uuid();
      if (requests.has(requestId)) {
        throw new TypeError(`createRequest: request id ${requestId} already exists`);
      }
      const startedAtUs = Math.floor(nowMs) * 1000 + ids.int(0, 999);
      const seen = new Set<string>();
      const records = input.documents.map((document, index): DocumentRecord => {
        const documentId = document.documentId ?? ids.uuid();
        if (documents.has(documentId) || seen.has(documentId)) {
          throw new TypeError(`createRequest: document id ${documentId} already exists`);
        }
        seen.add(documentId);
        const totalPages = document.totalPages ?? 1;
        const fileSizeBytes = document.fileSizeBytes ?? totalPages * DEFAULT_BYTES_PER_PAGE;
        const outcome = document.outcome ?? 'completed';
        const drawn = sampleTimeline({ totalPages, fileSizeBytes }, outcome, durations);
        const processingAtMs = nowMs + (document.pendingMs ?? drawn.pendingMs);
        const finishedAtMs = processingAtMs + (document.processingMs ?? drawn.processingMs);
        // 8 pages gave 12 cropped images in the published example: about 1.5 per page.
        const imageCount = outcome === 'completed' ? Math.max(1, Math.round(totalPages * 1.5)) : 0;
        return {
          documentId,
          requestId,
          userUid: account.userUid,
          fileName: document.fileName ?? `Document_${index + 1}.pdf`,
          fileType: document.fileType ?? DEFAULT_FILE_TYPE,
          fileSizeBytes,
          totalPages,
          outcome,
          processingAtMs,
          finishedAtMs,
          startedAtUs,
          completedAtUs: Math.max(Math.floor(finishedAtMs) * 1000 + ids.int(0, 999), startedAtUs),
          croppedImages: Array.from({ length: imageCount }, () => `${ids.uuid()}.png`),
          errorMessage: document.errorMessage ?? DEFAULT_ERROR_MESSAGE,
          frozen: false,
        };
      });
      insert(
        {
          requestId,
          userUid: account.userUid,
          startedAtUs,
          documentIds: records.map((r) => r.documentId),
          visibleAtMs: nowMs + (input.visibleAfterMs ?? 0),
        },
        records,
      );
      return { requestId, documentIds: records.map((record) => record.documentId) };
    },
    findDocument(documentId, userUid, nowMs) {
      const record = documents.get(documentId);
      if (record?.userUid !== userUid) return undefined;
      return isVisible(requests.get(record.requestId), nowMs) ? record : undefined;
    },
    findRequest(requestId, userUid, nowMs) {
      const request = requests.get(requestId);
      if (request?.userUid !== userUid || !isVisible(request, nowMs)) return undefined;
      return {
        request,
        documents: request.documentIds.flatMap((id) => documents.get(id) ?? []),
      };
    },
  };
}
