/** Shortest server secret accepted: 32 characters, about 190 bits from a random base64 string. */
export const MIN_SECRET_LENGTH = 32;

/** What a key derived from the server secret is for; each purpose gets a key of its own. */
export type HmacKeyPurpose = 'status-token' | 'tenant';

const encoder = new TextEncoder();
const HMAC = { name: 'HMAC', hash: 'SHA-256' } as const;

/**
 * An HMAC-SHA-256 key for one `purpose`, derived from `secret` (HMAC of the purpose's label under
 * the secret), for signing and verifying with `crypto.subtle` (a Web API on every runtime the
 * proxy targets). Separate keys mean a tenant digest can never be a valid token signature, even
 * for a "key" shaped like a token's signed part.
 *
 * @throws {TypeError} for a secret shorter than 32 characters; the message never shows it.
 * @example
 * ```ts
 * const key = await importHmacKey(env.EDGE_SECRET, 'status-token');
 * ```
 */
export async function importHmacKey(secret: string, purpose: HmacKeyPurpose): Promise<CryptoKey> {
  if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH) {
    throw new TypeError(
      `The proxy secret must be a string of at least ${MIN_SECRET_LENGTH} characters.`,
    );
  }
  const master = await crypto.subtle.importKey('raw', encoder.encode(secret), HMAC, false, [
    'sign',
  ]);
  const derived = await crypto.subtle.sign(
    'HMAC',
    master,
    encoder.encode(`neurostatus-edge/${purpose}/v1`),
  );
  return crypto.subtle.importKey('raw', derived, HMAC, false, ['sign', 'verify']);
}
