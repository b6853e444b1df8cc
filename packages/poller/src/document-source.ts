import type { DocumentStatus, NeurolinkerClient } from '@neurostatus/core';
import { isTerminalDocumentStatus } from '@neurostatus/core';
import type { CompletionEstimator } from './completion-estimator.ts';
import { callDeadline, type StatusSource } from './status-source.ts';

/**
 * The part of the core client that watching documents needs.
 *
 * @example
 * ```ts
 * const reader: DocumentStatusReader = createNeurolinkerClient({ apiKey });
 * ```
 */
export type DocumentStatusReader = Pick<NeurolinkerClient, 'getDocumentStatusWithMeta'>;

/**
 * How a watch reads one document: one HTTP request per poll (the watch retries on its own
 * schedule), bounded by the watch's deadline; the estimator learns from every finished document.
 *
 * @example
 * ```ts
 * const source = documentSource(client, id, createCompletionEstimator());
 * ```
 */
export function documentSource(
  client: DocumentStatusReader,
  documentId: string,
  estimator: CompletionEstimator,
): StatusSource<DocumentStatus> {
  return new DocumentSource(client, documentId, estimator);
}

// A class: one per watched document, with its methods on the prototype.
class DocumentSource implements StatusSource<DocumentStatus> {
  readonly #client: DocumentStatusReader;
  readonly #documentId: string;
  readonly #estimator: CompletionEstimator;

  constructor(client: DocumentStatusReader, documentId: string, estimator: CompletionEstimator) {
    this.#client = client;
    this.#documentId = documentId;
    this.#estimator = estimator;
  }

  get subject(): string {
    return `document ${this.#documentId}`;
  }

  fetch(signal: AbortSignal, deadlineMs: number | undefined) {
    return this.#client.getDocumentStatusWithMeta(this.#documentId, {
      signal,
      retryLimit: 0,
      ...callDeadline(deadlineMs),
    });
  }

  isTerminal(status: DocumentStatus): boolean {
    return isTerminalDocumentStatus(status);
  }

  describe(status: DocumentStatus | undefined) {
    return { status, expected: status === undefined ? undefined : this.#estimator.expect(status) };
  }

  observe(status: DocumentStatus): void {
    this.#estimator.observe(status);
  }
}
