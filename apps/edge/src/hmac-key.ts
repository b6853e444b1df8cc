/** Shortest server secret accepted: 32 characters, about 190 bits from a random base64 string. */
export const MIN_SECRET_LENGTH = 32;

/**
 * An HMAC-SHA-256 key for `secret`, for signing and verifying with `crypto.subtle` (a Web API on
 * every runtime the proxy targets).
 *
 * @throws {TypeError} for a secret shorter than 32 characters; the message never shows it.
 * @example
 * ```ts
 * const key = await importHmacKey(env.PROXY_SECRET);
 * ```
 */
export async function importHmacKey(secret: string): Promise<CryptoKey> {
  if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH) {
    throw new TypeError(
      `The proxy secret must be a string of at least ${MIN_SECRET_LENGTH} characters.`,
    );
  }
  return crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign', 'verify'],
  );
}
