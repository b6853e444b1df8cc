// SGR sequences (`ESC [ ... m`) take no columns on screen.
const SGR = /^\u001b\[[0-9;]*m/;

/**
 * Cuts a line (which may contain colour codes) to at most `width` visible columns, ending with
 * `…` when cut. A live view must never wrap, or redrawing in place would miscount lines.
 * Counts one column per code point: the CLI only prints ids, ASCII and single-width symbols.
 *
 * @example
 * ```ts
 * fitLine('abcdef', 4); // 'abc…'
 * ```
 */
export function fitLine(line: string, width: number): string {
  if (width <= 0) return '';
  let visible = 0;
  let out = '';
  let index = 0;
  let styled = false;
  while (index < line.length) {
    const sequence = SGR.exec(line.slice(index));
    if (sequence !== null) {
      out += sequence[0];
      styled = true;
      index += sequence[0].length;
      continue;
    }
    const char = String.fromCodePoint(line.codePointAt(index)!);
    if (visible === width - 1 && visibleLength(line.slice(index)) > 1) {
      return `${out}…${styled ? '\u001b[0m' : ''}`;
    }
    out += char;
    visible++;
    index += char.length;
  }
  return out;
}

/**
 * Visible columns of a line, colour codes excluded.
 *
 * @example
 * ```ts
 * visibleLength('\u001b[32mok\u001b[39m'); // 2
 * ```
 */
export function visibleLength(line: string): number {
  return [...line.replace(/\u001b\[[0-9;]*m/g, '')].length;
}
