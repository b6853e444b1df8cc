import type { IntervalPolicy } from './interval-policy.ts';

/**
 * Polls every `intervalMs`, whatever happens: the loop most integrations hand-write. Useful as
 * a baseline and when the upstream demands a fixed cadence.
 *
 * @example
 * ```ts
 * for await (const status of watchStatus(client, id, { policy: fixedInterval(5_000) })) {
 *   console.log(status.status);
 * }
 * ```
 */
export function fixedInterval(intervalMs: number): IntervalPolicy {
  if (!Number.isFinite(intervalMs) || intervalMs <= 0) {
    throw new TypeError('fixedInterval() needs a positive number of milliseconds.');
  }
  return () => intervalMs;
}
