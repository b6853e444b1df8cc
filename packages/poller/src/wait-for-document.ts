import { type DocumentStatus, isTerminalDocumentStatus } from '@neurostatus/core';
import type { DocumentStatusReader } from './document-source.ts';
import { ExtractionFailedError } from './errors.ts';
import { type WatchStatusOptions, watchStatus } from './watch-status.ts';

/**
 * Options of {@link waitForDocument}.
 *
 * @example
 * ```ts
 * await waitForDocument(client, id, { timeoutMs: 600_000, failOnFailed: true } satisfies WaitForDocumentOptions);
 * ```
 */
export interface WaitForDocumentOptions extends Omit<WatchStatusOptions, 'emit'> {
  /** Reject with `ExtractionFailedError` when the document ends `failed`. Default false. */
  failOnFailed?: boolean;
}

/**
 * Resolves with the document's terminal status (`completed` or `failed`).
 *
 * @throws {ExtractionFailedError} with `failOnFailed: true`, when the document failed.
 * @throws {DOMException} `AbortError` when the `scheduler` it waits through is closed first.
 * @throws the same errors as {@link watchStatus}.
 * @example
 * ```ts
 * const done = await waitForDocument(client, documentId, { timeoutMs: 15 * 60_000, failOnFailed: true });
 * console.log(done.results.storage_path);
 * ```
 */
export async function waitForDocument(
  client: DocumentStatusReader,
  documentId: string,
  options: WaitForDocumentOptions = {},
): Promise<DocumentStatus> {
  const { failOnFailed = false, ...watchOptions } = options;
  let last: DocumentStatus | undefined;
  for await (const status of watchStatus(client, documentId, watchOptions)) last = status;
  // A watch of its own only ends without throwing after a terminal status, but one through a
  // scheduler also ends, quietly, when the scheduler is closed: that is a cancellation.
  if (last === undefined || !isTerminalDocumentStatus(last)) {
    throw new DOMException(
      `Stopped waiting for document ${documentId}: the watch ended before a terminal status`,
      'AbortError',
    );
  }
  const terminal = last;
  if (failOnFailed && terminal.status === 'failed') throw new ExtractionFailedError(terminal);
  return terminal;
}
