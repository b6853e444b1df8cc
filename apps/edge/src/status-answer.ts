import type { Context } from 'hono';
import type { CompressedBodies } from './compressed-bodies.ts';
import type { TenancyMode } from './config.ts';
import { type EdgeAppEnv, respond } from './request-context.ts';
import type { CacheRead } from './status-cache.ts';
import { type EncodedStatusReply, encodeStatusReply } from './status-encoding.ts';
import { statusReply } from './status-response.ts';

/** Options of {@link statusAnswer}. */
export interface StatusAnswerOptions {
  readonly mode: TenancyMode;
  /** Each stored body's gzipped copy; undefined where the runtime compresses. */
  readonly compressed: CompressedBodies | undefined;
}

/** The request headers a status answer depends on. */
export interface StatusAnswerRequest {
  readonly ifNoneMatch: string | undefined;
  readonly acceptEncoding: string | undefined;
}

/**
 * The reply to a cache read, for this request: {@link statusReply} (ETag or 304, Age,
 * Cache-Control, Cache-Status), `Vary: Authorization` unless the mode is `open`, the encoding the
 * client accepts ({@link encodeStatusReply}). The one owner of a status answer: the status routes
 * (through {@link statusAnswer}) and the cache-hit fast path both answer with it, so they cannot
 * drift. Without a promise unless a gzipped copy is still being made.
 *
 * @example
 * ```ts
 * const request = { ifNoneMatch, acceptEncoding };
 * const reply = statusAnswerReply({ outcome: 'hit', entry }, now(), request, options);
 * ```
 */
export function statusAnswerReply(
  read: CacheRead,
  now: number,
  request: StatusAnswerRequest,
  options: StatusAnswerOptions,
): EncodedStatusReply | Promise<EncodedStatusReply> {
  const plain = statusReply(read, now, request.ifNoneMatch);
  // The answer depends on the credential (a key's tenant, or what a token names).
  if (options.mode !== 'open') plain.headers.vary = 'Authorization';
  return encodeStatusReply(plain, read.entry, request.acceptEncoding, options.compressed);
}

/**
 * {@link statusAnswerReply} as a route's Response, built with {@link respond}.
 *
 * @example
 * ```ts
 * return statusAnswer(c, await cache.read(key, tenant, load), now(), { mode, compressed });
 * ```
 */
export function statusAnswer<E extends EdgeAppEnv>(
  c: Context<E>,
  read: CacheRead,
  now: number,
  options: StatusAnswerOptions,
): Response | Promise<Response> {
  const reply = statusAnswerReply(
    read,
    now,
    { ifNoneMatch: c.req.header('if-none-match'), acceptEncoding: c.req.header('accept-encoding') },
    options,
  );
  return reply instanceof Promise
    ? reply.then((encoded) => respond(c, encoded.body, encoded.status, encoded.headers))
    : respond(c, reply.body, reply.status, reply.headers);
}
