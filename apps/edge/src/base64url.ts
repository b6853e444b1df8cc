/**
 * Bytes as base64url without padding (RFC 4648 5), the alphabet safe in URLs and headers.
 *
 * @example
 * ```ts
 * toBase64Url(new TextEncoder().encode('hi')); // 'aGk'
 * ```
 */
export function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * The bytes of a base64url string, or `undefined` if it is not one in its canonical spelling: a
 * last character whose spare bits are set decodes to the same bytes as another string (RFC 4648
 * 3.5), and would make a signature malleable, so it is refused.
 *
 * @example
 * ```ts
 * fromBase64Url('aGk'); // Uint8Array [104, 105]
 * ```
 */
export function fromBase64Url(text: string): Uint8Array<ArrayBuffer> | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return undefined;
  const binary = atob(
    text
      .replace(/-/g, '+')
      .replace(/_/g, '/')
      .padEnd(Math.ceil(text.length / 4) * 4, '='),
  );
  const bytes = Uint8Array.from(binary, (character) => character.charCodeAt(0));
  return toBase64Url(bytes) === text ? bytes : undefined;
}
