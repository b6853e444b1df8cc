/**
 * Formats epoch microseconds the way Neurolinker does: ISO 8601, UTC, six fractional digits and
 * `Z` (`2025-10-15T09:49:50.574754Z`). `Date#toISOString` stops at milliseconds, so the last
 * three digits are appended by hand.
 *
 * @example
 * ```ts
 * formatTimestamp(1760521790574754); // '2025-10-15T09:49:50.574754Z'
 * ```
 */
export function formatTimestamp(epochMicros: number): string {
  const whole = Math.floor(epochMicros);
  const seconds = Math.floor(whole / 1_000_000);
  const micros = whole - seconds * 1_000_000;
  const iso = new Date(seconds * 1000).toISOString();
  return `${iso.slice(0, 19)}.${String(micros).padStart(6, '0')}Z`;
}
