import { parseHttpDate } from './http-date.ts';

/**
 * Reads how long the server asked us to wait, in milliseconds, or `undefined` when it did not say
 * (or said something unreadable).
 *
 * `retry-after-ms` (a number of milliseconds, sent by some gateways) wins over `Retry-After`, whose
 * value is delta-seconds or an IMF-fixdate HTTP-date (RFC 9110 10.2.3 and 5.6.7). A date in the
 * past means 0. Anything else is ignored rather than guessed at.
 *
 * @example
 * ```ts
 * retryAfterMs(new Headers({ 'retry-after': '2' }), Date.now()); // 2000
 * retryAfterMs(new Headers({ 'retry-after': 'Sun, 06 Nov 1994 08:49:37 GMT' }), Date.now()); // 0
 * ```
 */
export function retryAfterMs(headers: Headers, now: number): number | undefined {
  const milliseconds = headers.get('retry-after-ms')?.trim();
  if (milliseconds && /^\d{1,15}(\.\d+)?$/.test(milliseconds))
    return Math.ceil(Number(milliseconds));
  const value = headers.get('retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d{1,12}$/.test(value)) return Number(value) * 1000;
  const date = parseHttpDate(value);
  return date === undefined ? undefined : Math.max(0, date - now);
}
