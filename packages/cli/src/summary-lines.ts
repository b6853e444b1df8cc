import { colourState } from './colour-state.ts';
import { formatDuration } from './format-duration.ts';
import { plainText } from './plain-text.ts';
import { progressBar } from './progress-bar.ts';
import type { TerminalStyle } from './terminal-style.ts';
import type { DocumentRow, RequestView, WatchSummary } from './watch-model.ts';

/**
 * Cells of the request progress bar.
 *
 * @example
 * ```ts
 * progressBar(progress.fraction, BAR_WIDTH);
 * ```
 */
export const BAR_WIDTH = 24;

/**
 * One line for a document: id, state, time since the watch began (frozen when it ended), and an
 * ETA while one is known. `prefix` is the spinner or the end mark.
 *
 * @example
 * ```ts
 * documentLine(row, Date.now(), style, '  ', 36);
 * ```
 */
export function documentLine(
  row: DocumentRow,
  now: number,
  style: TerminalStyle,
  prefix: string,
  idWidth: number,
): string {
  const elapsed = formatDuration((row.endedAt ?? now) - row.watchStartedAt);
  const stateText = plainText(row.state, 40);
  const state = stateText.padEnd(10);
  let tail = '';
  if (row.error !== undefined) tail = `  ${style.red(row.error.code)}`;
  else if (row.state === 'failed') {
    const reason = row.status?.results.error;
    if (typeof reason === 'string') tail = `  ${style.dim(plainText(reason))}`;
  } else if (row.expectedAt !== undefined && row.endedAt === undefined) {
    const left = row.expectedAt - now;
    tail = `  ${style.dim(left > 0 ? `ETA ~${formatDuration(left)}` : 'ETA any moment')}`;
  }
  return `${prefix}${row.documentId.padEnd(idWidth)}  ${state.replace(stateText, colourState(stateText, style))}  ${elapsed.padStart(7)}${tail}`;
}

/**
 * The totals line for documents: `3 completed, 1 failed, 1 error in 12s`.
 *
 * @example
 * ```ts
 * documentTotals(rows, Date.now() - startedAt, style);
 * ```
 */
export function documentTotals(
  rows: readonly DocumentRow[],
  elapsedMs: number,
  style: TerminalStyle,
): string {
  const count = (state: string) => rows.filter((row) => row.state === state).length;
  const parts = [style.green(`${count('completed')} completed`)];
  if (count('failed') > 0) parts.push(style.red(`${count('failed')} failed`));
  if (count('error') > 0)
    parts.push(style.red(`${count('error')} error${count('error') > 1 ? 's' : ''}`));
  const open = rows.length - count('completed') - count('failed') - count('error');
  if (open > 0) parts.push(`${open} unfinished`);
  return `${parts.join(', ')} of ${rows.length} in ${formatDuration(elapsedMs)}`;
}

/**
 * The final summary of a document watch: every document, then the totals.
 *
 * @example
 * ```ts
 * io.stdout.write(documentSummary(rows, summary, style, false, Date.now()).join('\n') + '\n');
 * ```
 */
export function documentSummary(
  rows: readonly DocumentRow[],
  summary: WatchSummary,
  style: TerminalStyle,
  marks: boolean,
  now: number,
): string[] {
  const idWidth = Math.max(...rows.map((row) => row.documentId.length));
  const mark = (row: DocumentRow) => {
    if (!marks) return '';
    return row.state === 'completed' ? `${style.green('✔')} ` : `${style.red('✖')} `;
  };
  return [
    ...rows.map((row) => documentLine(row, now, style, mark(row), idWidth)),
    documentTotals(rows, summary.elapsedMs, style),
  ];
}

/**
 * The lines of a request: its state, then a bar with done / total, the failed count and ETA.
 *
 * @example
 * ```ts
 * requestLines(view, Date.now(), style, true);
 * ```
 */
export function requestLines(
  view: RequestView,
  now: number,
  style: TerminalStyle,
  final: boolean,
): string[] {
  const progress = view.progress;
  const state = plainText(progress?.request.status ?? 'waiting', 40);
  const elapsed = formatDuration((view.endedAt ?? now) - view.watchStartedAt);
  const head = `Request ${view.requestId}  ${colourState(state, style)}`;
  if (progress === undefined) return [head, `${progressBar(0, BAR_WIDTH)}  waiting  ${elapsed}`];
  const done = progress.completed + progress.failed;
  const parts = [`${done}/${progress.total} done`];
  if (progress.failed > 0) parts.push(style.red(`${progress.failed} failed`));
  if (!final && progress.etaMs !== undefined)
    parts.push(style.dim(`ETA ~${formatDuration(progress.etaMs)}`));
  parts.push(elapsed);
  const bar = progressBar(progress.fraction, BAR_WIDTH);
  const lines = [
    head,
    `${progress.failed > 0 ? style.yellow(bar) : style.green(bar)}  ${parts.join(' · ')}`,
  ];
  if (final) {
    const failedIds = progress.request.documents
      .filter((entry) => entry.status === 'failed')
      .map((entry) => plainText(entry.document_id, 128));
    if (failedIds.length > 0) lines.push(`failed: ${failedIds.join(', ')}`);
  }
  return lines;
}
