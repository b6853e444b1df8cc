/**
 * Reads how long the server asked us to wait, in milliseconds, or `undefined` when it did not say
 * (or said something unreadable).
 *
 * `retry-after-ms` (a float of milliseconds, sent by some gateways) wins over `Retry-After`, whose
 * value is either delta-seconds or an HTTP-date (RFC 9110 10.2.3). A date in the past means 0.
 *
 * @example
 * ```ts
 * retryAfterMs(new Headers({ 'retry-after': '2' }), Date.now()); // 2000
 * ```
 */
export function retryAfterMs(headers: Headers, now: number): number | undefined {
  const milliseconds = headers.get('retry-after-ms')?.trim();
  if (milliseconds && /^\d+(\.\d+)?$/.test(milliseconds)) return Math.ceil(Number(milliseconds));
  const value = headers.get('retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  // Only accept something that looks like an HTTP-date: Date.parse is lenient with junk.
  if (Number.isNaN(date) || !/[a-z]/i.test(value)) return undefined;
  return Math.max(0, date - now);
}
