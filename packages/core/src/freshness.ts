/**
 * How long a successful answer stays fresh, in milliseconds, from `Cache-Control: max-age` minus
 * `Age` (RFC 9111 4.2.1 and 4.2.3), or `undefined` when the response does not say.
 *
 * The Neurolinker API sends no caching headers; the neurostatus edge proxy does, and a poller
 * that reads through it should ask again exactly when fresh data can exist, not before.
 *
 * @example
 * ```ts
 * freshnessMs(new Headers({ 'cache-control': 'private, max-age=2', age: '1' })); // 1000
 * ```
 */
export function freshnessMs(headers: Headers): number | undefined {
  const cacheControl = headers.get('cache-control');
  if (!cacheControl) return undefined;
  const directives = cacheControl
    .toLowerCase()
    .split(',')
    .map((directive) => directive.trim());
  if (directives.includes('no-store') || directives.includes('no-cache')) return 0;
  const maxAge = directives.find((directive) => directive.startsWith('max-age='))?.slice(8);
  if (maxAge === undefined || !/^\d+$/.test(maxAge)) return undefined;
  const age = headers.get('age')?.trim();
  const ageSeconds = age && /^\d+$/.test(age) ? Number(age) : 0;
  return Math.max(0, Number(maxAge) - ageSeconds) * 1000;
}
