import { ifNoneMatchMatches } from './etag.ts';
import type { CacheRead } from './status-cache.ts';

/**
 * The response headers of a status answer a browser script may read (CORS
 * `Access-Control-Expose-Headers`): all it sets that are not CORS-safelisted.
 */
export const EXPOSED_HEADERS = [
  'ETag',
  'Age',
  'Cache-Status',
  'Retry-After',
  'X-Neurostatus-Stale',
  'X-Request-Id',
] as const;

/** The name this cache goes by in `Cache-Status` (RFC 9211 section 2). */
export const CACHE_NAME = 'neurostatus-edge';

/**
 * The `Cache-Status` value for a read (RFC 9211): `hit` for a fresh entry; `fwd=miss; stored` when
 * this request asked upstream (`stored` when the answer was kept); `fwd=miss; collapsed` when it
 * waited for another request's call; `fwd=stale` with the upstream's status when the upstream
 * failed and the stale entry was served; and `hit` with a negative `ttl` for a stale entry served
 * without asking (while revalidating, or held off after a 429), `detail` saying which.
 *
 * @example
 * ```ts
 * cacheStatus({ outcome: 'hit', entry }, now); // 'neurostatus-edge; hit; ttl=2'
 * ```
 */
export function cacheStatus(read: CacheRead, now: number): string {
  const { maxAge, age } = ageOf(read.entry, now);
  return cacheStatusWithTtl(read, maxAge - age);
}

/** {@link cacheStatus} for a `ttl` (seconds) already worked out. */
function cacheStatusWithTtl(read: CacheRead, ttl: number): string {
  switch (read.outcome) {
    case 'hit':
      return `${CACHE_NAME}; hit; ttl=${ttl}`;
    case 'miss':
      return `${CACHE_NAME}; fwd=miss; fwd-status=${read.entry.status}${read.stored ? '; stored' : ''}; ttl=${ttl}`;
    case 'coalesced':
      return `${CACHE_NAME}; fwd=miss; fwd-status=${read.entry.status}; collapsed; ttl=${ttl}`;
    case 'stale': {
      const staleTtl = Math.min(ttl, -1);
      if (read.reason !== 'upstream-error') {
        return `${CACHE_NAME}; hit; ttl=${staleTtl}; detail=${read.reason}`;
      }
      // Forwarded because stale, the upstream failed, and the stale entry was served.
      const status = (read.error as { status?: unknown } | undefined)?.status;
      const fwdStatus = typeof status === 'number' ? `; fwd-status=${status}` : '';
      return `${CACHE_NAME}; fwd=stale${fwdStatus}; ttl=${staleTtl}; detail=upstream-error`;
    }
  }
}

/**
 * An entry's whole freshness lifetime and its age, in whole seconds (rounded down), as
 * `Cache-Control: max-age` and `Age` give them: `Cache-Status`'s `ttl` is their difference, so it
 * says what a client computes from the same answer.
 */
function ageOf(entry: CacheRead['entry'], now: number): { maxAge: number; age: number } {
  return {
    maxAge: Math.floor((entry.freshUntil - entry.storedAt) / 1000),
    age: Math.max(0, Math.floor((now - entry.storedAt) / 1000)),
  };
}

/** What to answer for a cache read, before it becomes a Response (`c.body(body, status, headers)`). */
export interface StatusReply {
  readonly body: string | null;
  readonly status: number;
  readonly headers: Record<string, string>;
}

/**
 * The answer to a cache read: the stored body (or 304 for a matching `If-None-Match`), with
 * `ETag`, `Age`, `Cache-Status`, and `Cache-Control: private` (a shared cache must not keep an
 * answer given for one client's credentials, RFC 9111 section 3.5) whose `max-age` is the entry's
 * whole freshness lifetime: a client subtracts `Age` from it (RFC 9111 section 4.2.3), so it asks
 * again exactly when the proxy would. (`max-age` of the *remaining* time with an `Age` would make
 * it subtract the age twice.) A plain object, so the app builds the Response once with every header: changing
 * a Response's headers afterwards costs Node's server its fast path.
 *
 * @example
 * ```ts
 * const { body, status, headers } = statusReply(read, Date.now(), c.req.header('if-none-match'));
 * return c.body(body, status, headers);
 * ```
 */
export function statusReply(
  read: CacheRead,
  now: number,
  ifNoneMatch: string | undefined,
): StatusReply {
  const { entry } = read;
  const { maxAge, age } = ageOf(entry, now);
  const headers: Record<string, string> = {
    'cache-control': `private, max-age=${Math.max(0, maxAge)}`,
    etag: entry.etag,
    age: String(age),
    'cache-status': cacheStatusWithTtl(read, maxAge - age),
  };
  if (read.outcome === 'stale') headers['x-neurostatus-stale'] = read.reason;
  if (entry.status === 200 && ifNoneMatchMatches(ifNoneMatch, entry.etag)) {
    return { body: null, status: 304, headers };
  }
  headers['content-type'] = 'application/json; charset=utf-8';
  return { body: entry.body, status: entry.status, headers };
}
