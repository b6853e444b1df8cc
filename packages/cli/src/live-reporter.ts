import type { CliOutput } from './cli-io.ts';
import { LiveScreen } from './live-screen.ts';
import { documentLine, documentSummary, documentTotals, requestLines } from './summary-lines.ts';
import type { TerminalStyle } from './terminal-style.ts';
import {
  type DocumentRow,
  isFinished,
  type RequestView,
  type WatchSummary,
} from './watch-model.ts';
import type { WatchReporter } from './watch-reporter.ts';

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** Redraws this often so the spinner and the elapsed times move between polls. */
const FRAME_MS = 100;

/**
 * `watch` on a terminal: a live view redrawn in place (spinner, state, elapsed time, ETA, or a
 * progress bar for a request), replaced at the end by a clean summary.
 *
 * @example
 * ```ts
 * const reporter = new LiveReporter(io.stdout, style, () => Date.now());
 * ```
 */
export class LiveReporter implements WatchReporter {
  readonly #screen: LiveScreen;
  readonly #style: TerminalStyle;
  readonly #now: () => number;
  readonly #timer: ReturnType<typeof setInterval>;
  #rows: readonly DocumentRow[] = [];
  #view: RequestView | undefined;
  #frame = 0;

  constructor(output: CliOutput, style: TerminalStyle, now: () => number) {
    this.#screen = new LiveScreen(output);
    this.#style = style;
    this.#now = now;
    this.#timer = setInterval(() => {
      this.#frame++;
      this.#draw();
    }, FRAME_MS);
  }

  document(_row: DocumentRow, rows: readonly DocumentRow[]): void {
    this.#rows = rows;
    this.#draw();
  }

  request(view: RequestView): void {
    this.#view = view;
    this.#draw();
  }

  #draw(): void {
    const now = this.#now();
    const spinner = this.#style.cyan(SPINNER[this.#frame % SPINNER.length]!);
    if (this.#view !== undefined) {
      this.#screen.draw(
        requestLines(this.#view, now, this.#style, false).map((line, index) =>
          index === 0 ? `${spinner} ${line}` : `  ${line}`,
        ),
      );
      return;
    }
    if (this.#rows.length === 0) return;
    const idWidth = Math.max(...this.#rows.map((row) => row.documentId.length));
    // Keep one line for the totals; past the terminal's height, say how many are hidden.
    const room = this.#screen.maxLines - 1;
    // When they do not all fit, the unfinished ones come first: they are the ones to watch.
    const ordered =
      this.#rows.length <= room
        ? this.#rows
        : [...this.#rows.filter((row) => !isFinished(row)), ...this.#rows.filter(isFinished)];
    const shown = ordered.length <= room ? ordered : ordered.slice(0, Math.max(room - 1, 0));
    const lines = shown.map((row) =>
      documentLine(
        row,
        now,
        this.#style,
        isFinished(row) ? this.#mark(row) : `${spinner} `,
        idWidth,
      ),
    );
    if (shown.length < this.#rows.length)
      lines.push(`  … ${this.#rows.length - shown.length} more`);
    const started = Math.min(...this.#rows.map((row) => row.watchStartedAt));
    lines.push(documentTotals(this.#rows, now - started, this.#style));
    this.#screen.draw(lines);
  }

  #mark(row: DocumentRow): string {
    return row.state === 'completed' ? `${this.#style.green('✔')} ` : `${this.#style.red('✖')} `;
  }

  finish(summary: WatchSummary): void {
    clearInterval(this.#timer);
    const now = this.#now();
    this.#screen.close(
      this.#view === undefined
        ? documentSummary(this.#rows, summary, this.#style, true, now)
        : requestLines(this.#view, now, this.#style, true),
    );
  }

  fail(): void {}

  /** Stops redrawing and shows the cursor, leaving the last frame as it is (Ctrl-C, errors). */
  close(): void {
    clearInterval(this.#timer);
    this.#screen.close();
  }
}
