import type { CliOutput } from './cli-io.ts';
import {
  type DocumentRow,
  isFinished,
  type RequestView,
  type WatchSummary,
} from './watch-model.ts';
import type { WatchReporter } from './watch-reporter.ts';

/**
 * NDJSON for scripts: one JSON object per line, flushed as each change happens. Event types:
 * `document`, `request`, `error` and, last, `summary` (see the README for every field).
 * With `finalOnly` (`wait --json`), only each document's final event and the summary.
 *
 * @example
 * ```ts
 * const reporter = new NdjsonReporter(io.stdout, () => Date.now(), false);
 * ```
 */
export class NdjsonReporter implements WatchReporter {
  readonly #output: CliOutput;
  readonly #now: () => number;
  readonly #finalOnly: boolean;
  #rows: readonly DocumentRow[] = [];
  #view: RequestView | undefined;

  constructor(output: CliOutput, now: () => number, finalOnly: boolean) {
    this.#output = output;
    this.#now = now;
    this.#finalOnly = finalOnly;
  }

  #emit(event: Record<string, unknown>): void {
    this.#output.write(`${JSON.stringify(event)}\n`);
  }

  document(row: DocumentRow, rows: readonly DocumentRow[]): void {
    this.#rows = rows;
    if (this.#finalOnly && !isFinished(row)) return;
    const elapsed_ms = (row.endedAt ?? this.#now()) - row.watchStartedAt;
    if (row.error !== undefined) {
      this.#emit({
        type: 'error',
        document_id: row.documentId,
        code: row.error.code,
        exit_code: row.error.exitCode,
        message: row.error.message,
        elapsed_ms,
      });
      return;
    }
    this.#emit({
      type: 'document',
      document_id: row.documentId,
      status: row.state,
      elapsed_ms,
      eta_ms:
        row.expectedAt === undefined || row.endedAt !== undefined
          ? null
          : Math.max(Math.round(row.expectedAt - this.#now()), 0),
      payload: row.status,
    });
  }

  request(view: RequestView): void {
    this.#view = view;
    const progress = view.progress;
    if (progress === undefined || (this.#finalOnly && !progress.terminal)) return;
    this.#emit({
      type: 'request',
      request_id: view.requestId,
      status: progress.request.status,
      total: progress.total,
      completed: progress.completed,
      failed: progress.failed,
      processing: progress.processing,
      fraction: progress.fraction,
      eta_ms: progress.etaMs === undefined ? null : Math.round(progress.etaMs),
      newly_completed: progress.newlyCompleted,
      newly_failed: progress.newlyFailed,
      terminal: progress.terminal,
      elapsed_ms: (view.endedAt ?? this.#now()) - view.watchStartedAt,
    });
  }

  finish(summary: WatchSummary): void {
    const progress = this.#view?.progress;
    if (this.#view !== undefined) {
      this.#emit({
        type: 'summary',
        request_id: this.#view.requestId,
        status: progress?.request.status ?? null,
        total: progress?.total ?? 0,
        completed: progress?.completed ?? 0,
        failed: progress?.failed ?? 0,
        elapsed_ms: summary.elapsedMs,
        exit_code: summary.exitCode,
      });
      return;
    }
    const count = (state: string) => this.#rows.filter((row) => row.state === state).length;
    this.#emit({
      type: 'summary',
      total: this.#rows.length,
      completed: count('completed'),
      failed: count('failed'),
      errors: count('error'),
      elapsed_ms: summary.elapsedMs,
      exit_code: summary.exitCode,
    });
  }

  fail(
    subject: { requestId: string },
    error: { code: string; message: string; exitCode: number },
  ): void {
    this.#emit({
      type: 'error',
      request_id: subject.requestId,
      code: error.code,
      exit_code: error.exitCode,
      message: error.message,
    });
  }

  close(): void {}
}
