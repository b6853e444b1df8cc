import type { DocumentStatus, NeurolinkerClient } from '@neurostatus/core';
import { isTerminalDocumentStatus } from '@neurostatus/core';
import type { CompletionEstimator } from './completion-estimator.ts';
import type { StatusSource } from './status-poll.ts';

/** The part of the core client that watching documents needs. */
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
  return {
    subject: `document ${documentId}`,
    fetch: (signal, deadlineMs) =>
      client.getDocumentStatusWithMeta(documentId, {
        signal,
        retryLimit: 0,
        ...(deadlineMs === undefined
          ? {}
          : { deadlineMs: Math.max(1, Math.min(deadlineMs, 2_147_483_647)) }),
      }),
    isTerminal: isTerminalDocumentStatus,
    describe: (status) => ({
      status,
      expected: status === undefined ? undefined : estimator.expect(status),
    }),
    observe: (status) => estimator.observe(status),
  };
}
