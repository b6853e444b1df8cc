/**
 * A text progress bar of `width` cells for a fraction from 0 to 1 (clamped).
 *
 * @example
 * ```ts
 * progressBar(0.5, 10); // '█████░░░░░'
 * ```
 */
export function progressBar(fraction: number, width: number): string {
  const clamped = Number.isFinite(fraction) ? Math.min(Math.max(fraction, 0), 1) : 0;
  const filled = Math.round(clamped * width);
  return '█'.repeat(filled) + '░'.repeat(width - filled);
}
