import type { TerminalStyle } from './terminal-style.ts';

/**
 * A state word in its colour.
 *
 * @example
 * ```ts
 * colourState('failed', style); // red 'failed'
 * ```
 */
export function colourState(state: string, style: TerminalStyle): string {
  if (state === 'completed' || state === 'done') return style.green(state);
  if (state === 'failed' || state === 'error') return style.red(state);
  if (state === 'partial') return style.yellow(state);
  return style.cyan(state);
}
