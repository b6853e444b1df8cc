import type { DocumentRow, RequestView, WatchSummary } from './watch-model.ts';

/**
 * How a watch shows itself: live on a terminal, NDJSON for scripts, or only a final summary.
 * The watch calls `document` / `request` on each change, `finish` once at the end, and `close`
 * always (also on error and Ctrl-C), which must leave the terminal as it found it.
 *
 * @example
 * ```ts
 * const reporter: WatchReporter = new NdjsonReporter(io.stdout, () => Date.now(), false);
 * try { reporter.document(row, rows); reporter.finish(summary); } finally { reporter.close(); }
 * ```
 */
export interface WatchReporter {
  document(row: DocumentRow, rows: readonly DocumentRow[]): void;
  request(view: RequestView): void;
  finish(summary: WatchSummary): void;
  /** The watch ended with an error (it is also reported on stderr). */
  fail(
    subject: { requestId: string },
    error: { code: string; message: string; exitCode: number },
  ): void;
  close(): void;
}
