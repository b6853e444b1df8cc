import { InvalidOptionError } from './invalid-option-error.ts';

/**
 * The longest duration any option accepts, in ms: timers overflow above 2^31 - 1 ms (about 24.8
 * days) and fire at once, so a longer value would silently mean "now".
 *
 * @example
 * ```ts
 * const thirtyDaysMs = 30 * 24 * 3_600_000;
 * setTimeout(() => {}, Math.min(thirtyDaysMs, MAX_DURATION_MS)); // fires after ~24.8 days, not at once
 * ```
 */
export const MAX_DURATION_MS = 2_147_483_647;

/**
 * What {@link assertDuration} accepts besides the default (more than 0, at most
 * {@link MAX_DURATION_MS}).
 *
 * @example
 * ```ts
 * const graceRule: DurationRule = { allowZero: true };
 * ```
 */
export interface DurationRule {
  /** Accept 0 ("none"), as a grace period or a retry delay may be. Default `false`. */
  readonly allowZero?: boolean;
}

/**
 * The one rule for a duration option in milliseconds: a finite number, more than 0 (or 0 when
 * allowed), at most {@link MAX_DURATION_MS}. Core, the poller, the CLI and the proxy all call it.
 *
 * @returns the value, typed as a number.
 * @throws {InvalidOptionError} naming `option`.
 * @example
 * ```ts
 * const timeoutMs = assertDuration(30_000, 'timeoutMs');
 * const graceMs = assertDuration(0, 'notFoundGraceMs', { allowZero: true }); // 0 means none
 * ```
 */
export function assertDuration(value: unknown, option: string, rule: DurationRule = {}): number {
  const allowZero = rule.allowZero === true;
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value < 0 ||
    (value === 0 && !allowZero) ||
    value > MAX_DURATION_MS
  ) {
    throw new InvalidOptionError(
      option,
      `must be a ${allowZero ? 'non-negative' : 'positive'} number of milliseconds up to ${MAX_DURATION_MS} (about 24.8 days)`,
    );
  }
  return value;
}
