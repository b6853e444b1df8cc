import type { CompressedBodies } from './compressed-bodies.ts';
import type { StatusReply } from './status-response.ts';
import type { StoredStatus } from './status-store.ts';

/** A status reply whose body may be gzipped bytes. */
export interface EncodedStatusReply {
  readonly body: string | Uint8Array<ArrayBuffer> | null;
  readonly status: number;
  readonly headers: Record<string, string>;
}

/**
 * Whether an `Accept-Encoding` value accepts gzip (RFC 9110 section 12.5.3): `gzip` (or `x-gzip`)
 * with a non-zero weight, or `*` with a non-zero weight when gzip is not named.
 *
 * @example
 * ```ts
 * acceptsGzip('gzip, deflate, br'); // true
 * acceptsGzip('gzip;q=0, *'); // false
 * ```
 */
export function acceptsGzip(header: string | undefined): boolean {
  if (header === undefined) return false;
  let star = false;
  for (const part of header.split(',')) {
    const [coding = '', ...params] = part.split(';').map((piece) => piece.trim().toLowerCase());
    const q = params.find((param) => param.startsWith('q='));
    const accepted = q === undefined || Number(q.slice(2)) > 0;
    if (coding === 'gzip' || coding === 'x-gzip') return accepted;
    if (coding === '*') star = accepted;
  }
  return star;
}

/**
 * The reply for a client's `Accept-Encoding`: the entry's gzipped copy (made once, when it was
 * stored) for a client that accepts gzip, with `Content-Encoding: gzip` and a weak `ETag` (another
 * representation of the same bytes); the plain body otherwise. Every answer says
 * `Vary: Accept-Encoding`. With `bodies` undefined (a runtime that compresses by itself) the reply
 * is returned as it is. `reply.headers` is completed in place (pass a fresh reply, as
 * `statusReply` makes). Without a promise unless the gzipped copy is still being made, so the
 * cache-hit shortcut and the status routes share it.
 *
 * @example
 * ```ts
 * const reply = await encodeStatusReply(statusReply(read, now, inm), read.entry, c.req.header('accept-encoding'), bodies);
 * ```
 */
export function encodeStatusReply(
  reply: StatusReply,
  entry: StoredStatus,
  acceptEncoding: string | undefined,
  bodies: CompressedBodies | undefined,
): EncodedStatusReply | Promise<EncodedStatusReply> {
  if (bodies === undefined) return reply;
  // Completed in place, not copied: each reply is fresh from `statusReply`, and `respond` copies
  // the headers into the Response's own record anyway (a copy per hit shows in Bun's profile).
  const { headers } = reply;
  const vary = headers.vary;
  headers.vary = vary === undefined ? 'Accept-Encoding' : `${vary}, Accept-Encoding`;
  if (!acceptsGzip(acceptEncoding)) return reply;
  const gzipped = bodies.gzippedNow(entry.etag, entry.body);
  return gzipped instanceof Promise
    ? gzipped.then((bytes) => withGzip(reply, headers, entry, bytes))
    : withGzip(reply, headers, entry, gzipped);
}

/** `reply` as the gzipped representation, when there is a gzipped copy. */
function withGzip(
  reply: StatusReply,
  headers: Record<string, string>,
  entry: StoredStatus,
  gzipped: Uint8Array<ArrayBuffer> | undefined,
): EncodedStatusReply {
  if (gzipped === undefined) return reply;
  headers.etag = `W/${entry.etag}`;
  // A 304 carries the validator the 200 would have carried (RFC 9110 15.4.5).
  if (reply.body === null) return reply;
  headers['content-encoding'] = 'gzip';
  return { body: gzipped, status: reply.status, headers };
}
