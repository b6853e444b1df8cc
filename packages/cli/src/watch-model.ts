import type { DocumentStatus } from '@neurostatus/core';
import type { RequestProgress } from '@neurostatus/poller';
import type { ExitCode } from './exit-codes.ts';

/**
 * What the CLI knows about one watched document.
 *
 * @example
 * ```ts
 * const row: DocumentRow = { documentId: id, state: 'waiting', watchStartedAt: Date.now() };
 * ```
 */
export interface DocumentRow {
  readonly documentId: string;
  /** The API's status, `waiting` before the first answer, or `error` when its watch failed. */
  state: string;
  status?: DocumentStatus;
  /** Why the watch of this document ended without a terminal status. */
  error?: { readonly code: string; readonly message: string; readonly exitCode: ExitCode };
  readonly watchStartedAt: number;
  /** When the CLI saw it end (terminal status or error). */
  endedAt?: number;
  /** Estimated completion time (epoch ms), when the poller's model can tell. */
  expectedAt?: number;
}

/**
 * The request being watched: its latest progress.
 *
 * @example
 * ```ts
 * const view: RequestView = { requestId, watchStartedAt: Date.now(), progress: undefined };
 * ```
 */
export interface RequestView {
  readonly requestId: string;
  readonly watchStartedAt: number;
  progress: RequestProgress | undefined;
  endedAt?: number;
}

/**
 * How a watch ended, for the final summary and the exit code.
 *
 * @example
 * ```ts
 * const summary: WatchSummary = { exitCode: 0, elapsedMs: 12_000 };
 * ```
 */
export interface WatchSummary {
  readonly exitCode: ExitCode;
  readonly elapsedMs: number;
}

/**
 * Whether a document state is final.
 *
 * @example
 * ```ts
 * isFinished({ state: 'failed' }); // true
 * ```
 */
export function isFinished(row: Pick<DocumentRow, 'state'>): boolean {
  return row.state === 'completed' || row.state === 'failed' || row.state === 'error';
}
