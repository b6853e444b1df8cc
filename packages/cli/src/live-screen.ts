import type { CliOutput } from './cli-io.ts';
import { fitLine } from './fit-line.ts';

// ECMA-48 / xterm control sequences.
const HIDE_CURSOR = '\u001b[?25l';
const SHOW_CURSOR = '\u001b[?25h';
const CLEAR_TO_END = '\u001b[J';
const CLEAR_LINE_END = '\u001b[K';
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
    // A terminal that reports 0 (some ptys, `script` without a size) has an unknown size.
    return Math.max((this.#output.rows || 24) - 1, 1);
  }

  /**
   * Replaces the current frame with `lines` (cut to the terminal's width and height).
   *
   * Each line is rewritten in place and erased to its end (`ESC[K`); only rows the new frame no
   * longer uses are cleared (`ESC[J` below its last line). Clearing from the top of the frame
   * instead would clear the whole screen whenever the frame starts at the first row, and tmux
   * (`scroll-on-clear`) then pushes the screen into the scrollback on every redraw.
   */
  draw(lines: readonly string[]): void {
    if (this.#closed) return;
    const fitted = lines.slice(0, this.maxLines).map((line) => fitLine(line, this.#width()));
    this.#output.write(this.#frame(fitted));
    this.#height = fitted.length;
  }

  /**
   * Ends the live view: draws `finalLines` once (every line, however many; each cut to the width,
   * like the live frames: `--json` has the full texts), and shows the cursor. Safe to call twice.
   */
  close(finalLines?: readonly string[]): void {
    if (this.#closed) return;
    this.#closed = true;
    const frame =
      finalLines === undefined
        ? ''
        : this.#frame(finalLines.map((line) => fitLine(line, this.#width())));
    this.#output.write(`${frame}${SHOW_CURSOR}`);
  }

  #width(): number {
    return Math.max((this.#output.columns || 80) - 1, 10);
  }

  #frame(lines: readonly string[]): string {
    const body = lines.map((line) => `${line}${CLEAR_LINE_END}\n`).join('');
    const shrunk = lines.length < this.#height ? CLEAR_TO_END : '';
    return `\r${cursorUp(this.#height)}${body}${shrunk}`;
  }
}
