import { toBase64Url } from './base64url.ts';

const encoder = new TextEncoder();

/**
 * A strong entity tag for a body: the first 16 bytes of its SHA-256, base64url. Equal bodies get
 * equal tags on every instance and runtime, so `If-None-Match` works across a fleet, and an SSE
 * `Last-Event-ID` (which is this tag) survives a reconnect to another instance.
 *
 * @example
 * ```ts
 * await etagOf('{"status":"processing"}'); // '"Xq3..."'
 * ```
 */
export async function etagOf(body: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(body)));
  return `"${toBase64Url(digest.subarray(0, 16))}"`;
}

/**
 * Whether an `If-None-Match` header matches `etag` (RFC 9110 section 13.1.2: weak comparison, a
 * list of tags, or `*`).
 *
 * @example
 * ```ts
 * if (ifNoneMatchMatches(c.req.header('if-none-match'), entry.etag)) return c.body(null, 304);
 * ```
 */
export function ifNoneMatchMatches(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => tag.trim() === '*' || opaque(tag) === opaque(etag));
}
