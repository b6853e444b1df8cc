/**
 * Colour helpers that are no-ops when colour is off (`NO_COLOR`, `--no-color`, not a terminal).
 *
 * @example
 * ```ts
 * const style = createTerminalStyle(mode.color);
 * style.green('completed');
 * ```
 */
export interface TerminalStyle {
  readonly bold: (text: string) => string;
  readonly dim: (text: string) => string;
  readonly red: (text: string) => string;
  readonly green: (text: string) => string;
  readonly yellow: (text: string) => string;
  readonly cyan: (text: string) => string;
}

/**
 * Builds a {@link TerminalStyle}: SGR sequences (ECMA-48) when `color` is true, identity otherwise.
 *
 * @example
 * ```ts
 * createTerminalStyle(false).red('failed'); // 'failed'
 * ```
 */
export function createTerminalStyle(color: boolean): TerminalStyle {
  const sgr = (open: number, close: number) => (text: string) =>
    color ? `\u001b[${open}m${text}\u001b[${close}m` : text;
  return {
    bold: sgr(1, 22),
    dim: sgr(2, 22),
    red: sgr(31, 39),
    green: sgr(32, 39),
    yellow: sgr(33, 39),
    cyan: sgr(36, 39),
  };
}
