const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
// IMF-fixdate, the one format RFC 9110 5.6.7 requires senders to use:
// `Sun, 06 Nov 1994 08:49:37 GMT`. Parsed by hand: Date.parse accepts junk like "x 2030" and
// differs between engines (V8, JavaScriptCore), so it cannot be trusted with a server's header.
const IMF_FIXDATE =
  /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{2}) ([A-Z][a-z]{2}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/;

function parseHttpDate(value: string): number | undefined {
  const match = IMF_FIXDATE.exec(value);
  if (!match) return undefined;
  const [, day, monthName, year, hour, minute, second] = match;
  const month = MONTHS.indexOf(monthName ?? '');
  if (month < 0 || Number(hour) > 23 || Number(minute) > 59 || Number(second) > 60)
    return undefined;
  const time = Date.UTC(
    Number(year),
    month,
    Number(day),
    Number(hour),
    Number(minute),
    Number(second),
  );
  // Reject dates that roll over (31 Feb): the parts must come back as given.
  return new Date(time).getUTCDate() === Number(day) ? time : undefined;
}

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
