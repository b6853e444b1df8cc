import type { CliOutput } from './cli-io.ts';
import { fitLine } from './fit-line.ts';

// ECMA-48 / xterm control sequences.
const HIDE_CURSOR = '\u001b[?25l';
const SHOW_CURSOR = '\u001b[?25h';
const CLEAR_TO_END = '\u001b[J';
const cursorUp = (lines: number) => (lines > 0 ? `\u001b[${lines}A` : '');

/**
 * A block of lines redrawn in place at the bottom of a terminal: the cursor is hidden while it
 * lives, each frame replaces the previous one (never adding to the scrollback), and `close()`
 * leaves the last frame and shows the cursor again. Only for terminals: pipes get NDJSON.
 *
 * @example
 * ```ts
 * const screen = new LiveScreen(io.stdout);
 * screen.draw(['doc-1  processing  4s']);
 * screen.close(['doc-1  completed  9s']);
 * ```
 */
export class LiveScreen {
  readonly #output: CliOutput;
  #height = 0;
  #closed = false;

  constructor(output: CliOutput) {
    this.#output = output;
    output.write(HIDE_CURSOR);
  }

  /** How many lines a frame may have: the terminal's height less a spare line. */
  get maxLines(): number {
    return Math.max((this.#output.rows ?? 24) - 1, 1);
  }

  /** Replaces the current frame with `lines` (cut to the terminal's width and height). */
  draw(lines: readonly string[]): void {
    if (this.#closed) return;
    const width = Math.max((this.#output.columns ?? 80) - 1, 10);
    const fitted = lines.slice(0, this.maxLines).map((line) => fitLine(line, width));
    const frame = fitted.map((line) => `${line}\n`).join('');
    this.#output.write(`\r${cursorUp(this.#height)}${CLEAR_TO_END}${frame}`);
    this.#height = fitted.length;
  }

  /**
   * Ends the live view: draws `finalLines` once, in full (they may be longer than the screen, as
   * ordinary output), and shows the cursor. Safe to call twice.
   */
  close(finalLines?: readonly string[]): void {
    if (this.#closed) return;
    this.#closed = true;
    const width = Math.max((this.#output.columns ?? 80) - 1, 10);
    const frame =
      finalLines === undefined
        ? ''
        : `\r${cursorUp(this.#height)}${CLEAR_TO_END}${finalLines.map((line) => `${fitLine(line, width)}\n`).join('')}`;
    this.#output.write(`${frame}${SHOW_CURSOR}`);
  }
}
