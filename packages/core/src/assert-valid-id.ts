import { InvalidIdError } from './errors.ts';

/**
 * Longest id accepted. Neurolinker ids are 36-character UUIDs; 128 leaves room without inviting abuse.
 *
 * @example
 * ```ts
 * if (id.length > MAX_ID_LENGTH) console.warn('id too long');
 * ```
 */
export const MAX_ID_LENGTH = 128;

// Control characters (C0, DEL, C1), and anything Unicode calls whitespace, including the
// zero-width, soft-hyphen and bidi marks and isolates that make two ids look alike in a log.
const FORBIDDEN_CHARACTER =
  /[\u0000-\u0020\u007f-\u00a0\u00ad\u061c\u1680\u180e\u2000-\u200f\u2028-\u202f\u205f-\u206f\u3000\ufeff]/;
// A lone surrogate cannot be encoded as UTF-8: encodeURIComponent would throw a URIError.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
// Letters, digits, `_` and `-` only (every UUID): none of the characters the checks below look
// for, so such an id passes them all. One test instead of six on a proxy's hot path.
const PLAIN_ID = /^[A-Za-z0-9_-]+$/;

/**
 * Which kind of id is being checked; named in the error message.
 *
 * @example
 * ```ts
 * const kind: IdKind = 'request';
 * ```
 */
export type IdKind = 'document' | 'request';

function reject(kind: IdKind, reason: string): never {
  throw new InvalidIdError(`Invalid ${kind} id: ${reason}.`, { reason });
}

function checkCharacters(kind: IdKind, value: string, what: string): void {
  if (value.includes('/') || value.includes('\\')) reject(kind, `${what} a path separator`);
  if (value.includes('..')) reject(kind, `${what} ".."`);
  if (FORBIDDEN_CHARACTER.test(value)) reject(kind, `${what} whitespace or a control character`);
  if (LONE_SURROGATE.test(value)) reject(kind, `${what} a lone surrogate`);
}

/**
 * Checks an id before it goes anywhere near a URL, and returns it unchanged.
 *
 * Rejected: anything not a string, the empty string, more than 128 characters, `/`, `\`, `.`,
 * `..`, whitespace, control and invisible formatting characters, lone surrogates, and
 * percent-escapes that decode, at any depth, to any of those (so `%2e%2e%2f` cannot walk up the
 * path on a server that decodes twice) or that do not decode at all. The id is then sent as one
 * `encodeURIComponent` path segment.
 *
 * @throws {InvalidIdError} with a `reason`; the message never echoes the id itself.
 * @example
 * ```ts
 * assertValidId('1d6986aa-80ac-4a4d-9009-5a323c9046b1', 'document'); // returns the id
 * assertValidId('../tasks', 'document'); // throws InvalidIdError
 * ```
 */
export function assertValidId(id: unknown, kind: IdKind): string {
  if (typeof id !== 'string') {
    reject(kind, `expected a string, got ${id === null ? 'null' : typeof id}`);
  }
  if (id.length === 0) reject(kind, 'it is empty');
  if (id.length > MAX_ID_LENGTH) reject(kind, `it is longer than ${MAX_ID_LENGTH} characters`);
  if (PLAIN_ID.test(id)) return id;
  if (id === '.') reject(kind, 'it is "."');
  checkCharacters(kind, id, 'it contains');
  // A server or proxy may decode more than once: check every layer until it stops changing.
  // Each decode that changes the string shortens it, so this ends.
  let decoded = id;
  while (decoded.includes('%')) {
    let next: string;
    try {
      next = decodeURIComponent(decoded);
    } catch {
      reject(kind, 'it contains a malformed percent-escape');
    }
    if (next === decoded) break;
    decoded = next;
    if (decoded === '.') reject(kind, 'it decodes to "."');
    checkCharacters(kind, decoded, 'it decodes to');
  }
  return id;
}
