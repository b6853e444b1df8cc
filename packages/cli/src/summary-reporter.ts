import type { CliOutput } from './cli-io.ts';
import { documentSummary, requestLines } from './summary-lines.ts';
import type { TerminalStyle } from './terminal-style.ts';
import type { DocumentRow, RequestView, WatchSummary } from './watch-model.ts';
import type { WatchReporter } from './watch-reporter.ts';

/**
 * `wait` without `--json`: silent while waiting, then the final summary on stdout.
 *
 * @example
 * ```ts
 * const reporter = new SummaryReporter(io.stdout, style, () => Date.now());
 * ```
 */
export class SummaryReporter implements WatchReporter {
  readonly #output: CliOutput;
  readonly #style: TerminalStyle;
  readonly #now: () => number;
  #rows: readonly DocumentRow[] = [];
  #view: RequestView | undefined;

  constructor(output: CliOutput, style: TerminalStyle, now: () => number) {
    this.#output = output;
    this.#style = style;
    this.#now = now;
  }

  document(_row: DocumentRow, rows: readonly DocumentRow[]): void {
    this.#rows = rows;
  }

  request(view: RequestView): void {
    this.#view = view;
  }

  finish(summary: WatchSummary): void {
    const lines =
      this.#view === undefined
        ? documentSummary(this.#rows, summary, this.#style, false, this.#now())
        : requestLines(this.#view, this.#now(), this.#style, true);
    this.#output.write(lines.map((line) => `${line}\n`).join(''));
  }

  fail(): void {}

  close(): void {}
}
