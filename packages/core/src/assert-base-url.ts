import { InvalidOptionError } from './invalid-option-error.ts';

/**
 * The one rule for where the API lives: an absolute `http:` or `https:` URL with no credentials, no
 * query and no fragment. Returns it normalized, without trailing slashes, ready for
 * `${baseUrl}/document-status/${id}`.
 *
 * Credentials in a URL end up in logs, banners and error messages (the key belongs in `apiKey`); a
 * query or fragment would be cut off or misplaced when paths are appended. The errors never
 * contain the value, since it may hold a password.
 *
 * @throws {InvalidOptionError} naming `option` (default `baseUrl`).
 * @example
 * ```ts
 * assertBaseUrl('http://127.0.0.1:4010/api/v1/'); // 'http://127.0.0.1:4010/api/v1'
 * assertBaseUrl(process.env.NEUROLINKER_BASE_URL, 'NEUROLINKER_BASE_URL');
 * ```
 */
export function assertBaseUrl(value: unknown, option = 'baseUrl'): string {
  let url: URL | undefined;
  try {
    if (typeof value === 'string') url = new URL(value);
  } catch {
    // Not a URL: reported below, without the value.
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new InvalidOptionError(option, 'must be an absolute http(s) URL');
  }
  if (url.username !== '' || url.password !== '') {
    throw new InvalidOptionError(option, 'must not contain credentials (a user name or password)');
  }
  if (url.search !== '' || url.hash !== '' || url.href.includes('?') || url.href.includes('#')) {
    throw new InvalidOptionError(option, 'must not have a query or a fragment');
  }
  return url.href.replace(/\/+$/, '');
}
