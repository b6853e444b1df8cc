import { UsageError } from './usage-error.ts';

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/** Longer than this is certainly a typo, and would overflow timers (2^31 - 1 ms is about 24.8 days). */
const MAX_DURATION_MS = 2_147_483_647;

/**
 * Parses a duration flag: a non-negative number with a unit `ms`, `s`, `m` or `h`
 * (`500ms`, `30s`, `1.5m`, `10m`, `2h`), or several joined (`1m30s`). A bare number means seconds.
 *
 * @throws {UsageError} naming the flag, for anything else.
 * @example
 * ```ts
 * parseDuration('10m', '--timeout'); // 600000
 * parseDuration('1m30s', '--timeout'); // 90000
 * ```
 */
export function parseDuration(text: string, flag: string): number {
  const trimmed = text.trim();
  const invalid = () =>
    new UsageError(`${flag} must be a duration such as 500ms, 30s, 10m or 1h, got "${text}"`);
  if (/^\d+(\.\d+)?$/.test(trimmed)) return checked(Number(trimmed) * 1000, flag, invalid);
  if (!/^(\d+(\.\d+)?(ms|s|m|h))+$/.test(trimmed)) throw invalid();
  let total = 0;
  for (const [, amount, unit] of trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) {
    total += Number(amount) * UNIT_MS[unit as keyof typeof UNIT_MS];
  }
  return checked(total, flag, invalid);
}

function checked(ms: number, flag: string, invalid: () => UsageError): number {
  if (!Number.isFinite(ms)) throw invalid();
  if (ms > MAX_DURATION_MS) throw new UsageError(`${flag} must be at most 24 days`);
  return Math.round(ms);
}
