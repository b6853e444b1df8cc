import type { DocumentStatus } from '@neurostatus/core';
import type { DocumentStatusReader } from './document-source.ts';
import { ExtractionFailedError } from './errors.ts';
import { type WatchStatusOptions, watchStatus } from './watch-status.ts';

/** Options of {@link waitForDocument}. */
export interface WaitForDocumentOptions extends Omit<WatchStatusOptions, 'emit'> {
  /** Reject with `ExtractionFailedError` when the document ends `failed`. Default false. */
  failOnFailed?: boolean;
}

/**
 * Resolves with the document's terminal status (`completed` or `failed`).
 *
 * @throws {ExtractionFailedError} with `failOnFailed: true`, when the document failed.
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
  // The watch only ends without throwing after yielding a terminal status.
  const terminal = last as DocumentStatus;
  if (failOnFailed && terminal.status === 'failed') throw new ExtractionFailedError(terminal);
  return terminal;
}
