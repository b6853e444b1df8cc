import {
  type DocumentStatus,
  isTerminalDocumentStatus,
  isTerminalRequestStatus,
  type RequestDocument,
  type RequestStatus,
} from '@neurostatus/core';
import type { CompletionEstimator } from './completion-estimator.ts';
import type { ExpectedCompletion } from './interval-policy.ts';
import { fetchRequestStatus, type RequestStatusReader } from './request-status-reader.ts';
import type { StatusSource } from './status-source.ts';

/**
 * A request entry's nested document result, when it is complete enough to reason about (to
 * estimate its completion, or learn from it).
 *
 * @example
 * ```ts
 * const request = await client.getRequestStatus(requestId);
 * const document = request.documents[0] && documentOf(request.documents[0]);
 * if (document) estimator.observe(document);
 * ```
 */
export function documentOf(entry: RequestDocument): DocumentStatus | undefined {
  const result = entry.result;
  if (result === null || result === undefined || result.document_id === undefined) return undefined;
  if (result.request_id === undefined || result.status === undefined) return undefined;
  return { started_at: null, completed_at: null, results: {}, ...result } as DocumentStatus;
}

/**
 * How every request watch reads a request (`watchRequest`'s loop, the scheduler's request
 * batches): it ends when the request is terminal, polls when the next of its unfinished documents
 * is due to finish (that is when progress can change), and teaches the estimator from each
 * document the list shows finished.
 *
 * @example
 * ```ts
 * const state = createWatchState(requestSource(client, requestId, estimator), options);
 * ```
 */
export function requestSource(
  client: RequestStatusReader,
  requestId: string,
  estimator: CompletionEstimator,
): StatusSource<RequestStatus> {
  const expectedOf = (request: RequestStatus): ExpectedCompletion[] =>
    request.documents.flatMap((entry) => {
      if (isTerminalDocumentStatus(entry.status)) return [];
      const document = documentOf(entry);
      const expected = document && estimator.expect(document);
      return expected ? [expected] : [];
    });
  return {
    subject: `request ${requestId}`,
    fetch: (signal, deadlineMs) => fetchRequestStatus(client, requestId, signal, deadlineMs),
    isTerminal: isTerminalRequestStatus,
    // Poll when the next document is due to finish: that is when progress can change.
    describe: (request, now) => {
      const expected = request === undefined ? [] : expectedOf(request);
      // The earliest window still open; overdue documents must not starve the ones about to
      // finish. When every window has ended, the one that ends last (the policy backs off).
      const open = expected
        .filter((e) => e.atMs + e.spreadMs > now)
        .sort((a, b) => a.atMs - b.atMs);
      const next =
        open[0] ?? expected.sort((a, b) => b.atMs + b.spreadMs - (a.atMs + a.spreadMs))[0];
      return { status: undefined, expected: next };
    },
    observe: (request) => {
      for (const entry of request.documents) {
        // Only a completed document teaches the estimator: skip the others without a copy of
        // each (a request poll lists every document, on every poll).
        if (entry.result?.status !== 'completed') continue;
        const document = documentOf(entry);
        if (document) estimator.observe(document);
      }
    },
  };
}
