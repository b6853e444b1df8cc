import { assertDuration, InvalidOptionError } from '@neurostatus/core/option-rules';
import { UsageError } from './usage-error.ts';

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

// Units in descending order, each at most once: `1h30m`, `2m15s`, `1s500ms`; not `30s1h` or `1h1h`.
const DURATION =
  /^(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m(?!s))?(?:(\d+(?:\.\d+)?)s)?(?:(\d+(?:\.\d+)?)ms)?$/;

/**
 * Parses a duration flag: a positive number with a unit `ms`, `s`, `m` or `h`
 * (`500ms`, `30s`, `1.5m`, `10m`, `2h`), or several in descending order (`1m30s`). A bare number
 * means seconds. Zero is refused (a timeout of nothing is a typo) unless `allowZero` is set (a
 * grace period of none is a real choice).
 *
 * @throws {UsageError} naming the flag, for anything else.
 * @example
 * ```ts
 * parseDuration('10m', '--timeout'); // 600000
 * parseDuration('1m30s', '--timeout'); // 90000
 * ```
 */
export function parseDuration(
  text: string,
  flag: string,
  options: { allowZero?: boolean } = {},
): number {
  const trimmed = text.trim();
  const invalid = () =>
    new UsageError(`${flag} must be a duration such as 500ms, 30s, 10m or 1h30m, got "${text}"`);
  if (/^\d+(\.\d+)?$/.test(trimmed))
    return checked(Number(trimmed) * 1000, flag, invalid, options.allowZero);
  const match = DURATION.exec(trimmed);
  if (trimmed === '' || match === null) throw invalid();
  const [, hours, minutes, seconds, milliseconds] = match;
  const total =
    Number(hours ?? 0) * UNIT_MS.h +
    Number(minutes ?? 0) * UNIT_MS.m +
    Number(seconds ?? 0) * UNIT_MS.s +
    Number(milliseconds ?? 0) * UNIT_MS.ms;
  return checked(total, flag, invalid, options.allowZero);
}

/** Core owns what a valid duration is (one rule for every package); the CLI names the flag. */
function checked(ms: number, flag: string, invalid: () => UsageError, allowZero = false): number {
  if (!Number.isFinite(ms)) throw invalid();
  try {
    // Rounded first, so that `0.4ms` is refused as zero rather than returned as 0.
    return assertDuration(Math.round(ms), flag, { allowZero });
  } catch (error) {
    if (error instanceof InvalidOptionError) throw new UsageError(`${flag} ${error.problem}`);
    throw error;
  }
}
