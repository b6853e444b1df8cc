const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const IMF_FIXDATE =
  /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{2}) ([A-Z][a-z]{2}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/;

/**
 * Parses an HTTP-date in IMF-fixdate form (`Sun, 06 Nov 1994 08:49:37 GMT`, RFC 9110 5.6.7) to
 * epoch ms, or `undefined` for anything else. Parsed by hand: `Date.parse` accepts junk like
 * "x 2030" and differs between engines (V8, JavaScriptCore), so it cannot be trusted with a
 * server's header.
 *
 * @example
 * ```ts
 * parseHttpDate('Sun, 06 Nov 1994 08:49:37 GMT'); // 784111777000
 * parseHttpDate('tomorrow'); // undefined
 * ```
 */
export function parseHttpDate(value: string | null | undefined): number | undefined {
  if (!value) return undefined;
  const match = IMF_FIXDATE.exec(value.trim());
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
