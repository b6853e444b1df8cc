import { isNeurolinkerError, RateLimitError } from '@neurostatus/core';
import { createCoalescer } from './coalescer.ts';
import { etagOf } from './etag.ts';
import type { HoldOff } from './hold-off.ts';
import type { StatusStore, StoredStatus } from './status-store.ts';

/** What the upstream said, ready to store: a status (200) or "no such id" (404). */
export interface UpstreamAnswer {
  readonly status: 200 | 404;
  /** The body the proxy serves. */
  readonly body: string;
  /** `completed` / `failed` (or a finished request): cached long, never replaced by older news. */
  readonly terminal: boolean;
}

/** Freshness rules of {@link createStatusCache}, ms. */
export interface CacheTtl {
  readonly terminalMs: number;
  readonly activeMs: number;
  readonly notFoundMs: number;
  readonly staleMs: number;
}

/** Why a stale entry was served. */
export type StaleReason = 'revalidating' | 'upstream-error' | 'held-off';

/**
 * How a read was answered: from a fresh entry (`hit`), by this request's upstream call (`miss`),
 * by another request's call it waited for (`coalesced`), or from an entry past its freshness
 * (`stale`, with the reason and, for `upstream-error`, the error).
 */
export type CacheRead =
  | { readonly outcome: 'hit' | 'miss' | 'coalesced'; readonly entry: StoredStatus }
  | {
      readonly outcome: 'stale';
      readonly entry: StoredStatus;
      readonly reason: StaleReason;
      readonly error?: unknown;
    };

/**
 * The upstream is being held off for this key after a 429 and there is nothing stale to serve.
 *
 * @example
 * ```ts
 * if (error instanceof HeldOffError) c.header('retry-after', String(Math.ceil(error.retryAfterMs / 1000)));
 * ```
 */
export class HeldOffError extends Error {
  override readonly name = 'HeldOffError';
  readonly code = 'UPSTREAM_RATE_LIMITED';
  readonly retryAfterMs: number;

  constructor(retryAfterMs: number) {
    super('The upstream is rate limiting this proxy; try again later.');
    this.retryAfterMs = retryAfterMs;
  }
}

/** Options of {@link createStatusCache}. */
export interface StatusCacheOptions {
  readonly store: StatusStore;
  readonly ttl: CacheTtl;
  readonly holdOff: HoldOff;
  /** Clock, epoch ms. */
  readonly now: () => number;
}

/** See {@link createStatusCache}. */
export interface StatusCache {
  /**
   * Answers `key` from the store or through `load` (one call per key at a time).
   *
   * @param waitUntil keeps a background revalidation alive after the response (Workers' `ctx.waitUntil`).
   * @throws the upstream's error, or {@link HeldOffError}, when there is nothing stale to serve.
   */
  read(
    key: string,
    load: () => Promise<UpstreamAnswer>,
    waitUntil?: (promise: Promise<unknown>) => void,
  ): Promise<CacheRead>;
  /** Stores an answer learned elsewhere (an SSE poll loop), under the same rules. */
  remember(key: string, answer: UpstreamAnswer): Promise<StoredStatus>;
}

/** Errors after which the last known status is still the best answer (stale-if-error, RFC 5861). */
const TRANSIENT_CODES = new Set([
  'TIMEOUT',
  'CONNECTION_FAILED',
  'SERVER_ERROR',
  'RATE_LIMITED',
  'INVALID_RESPONSE',
  'UNEXPECTED_STATUS',
]);

function isTransient(error: unknown): boolean {
  return isNeurolinkerError(error) && TRANSIENT_CODES.has(error.code);
}

/**
 * The proxy's caching policy, in one place, over any {@link StatusStore}:
 * - terminal statuses stay fresh long, `pending`/`processing` briefly, a 404 briefly, and errors
 *   are never stored (so 401, 403, 429 and 5xx are always asked again);
 * - concurrent misses for a key share one upstream call;
 * - a non-terminal entry up to one active TTL past its freshness is served at once while one
 *   background call refreshes it (stale-while-revalidate, RFC 5861 section 3);
 * - when the upstream fails or times out, the last status is served, marked stale, until
 *   `staleMs` past its freshness (stale-if-error, RFC 5861 section 4);
 * - after a 429 the key (or the whole upstream) is held off for the hinted time.
 *
 * @example
 * ```ts
 * const cache = createStatusCache({ store, ttl, holdOff, now: () => Date.now() });
 * const { outcome, entry } = await cache.read(key, () => fetchFromUpstream(id));
 * ```
 */
export function createStatusCache(options: StatusCacheOptions): StatusCache {
  const { store, ttl, holdOff, now } = options;
  const calls = createCoalescer<StoredStatus>();

  const toEntry = async (answer: UpstreamAnswer): Promise<StoredStatus> => {
    const storedAt = now();
    const freshMs =
      answer.status === 404 ? ttl.notFoundMs : answer.terminal ? ttl.terminalMs : ttl.activeMs;
    const freshUntil = storedAt + freshMs;
    return {
      body: answer.body,
      etag: await etagOf(answer.body),
      status: answer.status,
      storedAt,
      freshUntil,
      // A 404 is never served stale: the document may have appeared since.
      staleUntil: answer.status === 404 ? freshUntil : freshUntil + ttl.staleMs,
      terminal: answer.status === 200 && answer.terminal,
    };
  };

  const remember = async (key: string, answer: UpstreamAnswer): Promise<StoredStatus> => {
    const entry = await toEntry(answer);
    if (await store.set(key, entry)) return entry;
    // A terminal status is already there: it is newer news than this answer.
    return (await store.get(key)) ?? entry;
  };

  const refresh = (key: string, load: () => Promise<UpstreamAnswer>) =>
    calls.run(key, async () => {
      try {
        return await remember(key, await load());
      } catch (error) {
        if (error instanceof RateLimitError) holdOff.rateLimited(key, error.retryAfterMs);
        throw error;
      }
    });

  return {
    remember,
    async read(key, load, waitUntil) {
      const entry = await store.get(key);
      const at = now();
      if (entry !== undefined && at < entry.freshUntil) return { outcome: 'hit', entry };
      const servable = entry !== undefined && entry.status === 200 ? entry : undefined;

      const heldMs = holdOff.remainingMs(key);
      if (heldMs > 0) {
        if (servable !== undefined)
          return { outcome: 'stale', entry: servable, reason: 'held-off' };
        throw new HeldOffError(heldMs);
      }

      if (servable !== undefined && !servable.terminal && at < servable.freshUntil + ttl.activeMs) {
        // Errors of the background call are the next reader's business: it will meet them itself.
        const background = refresh(key, load).catch(() => undefined);
        waitUntil?.(background);
        return { outcome: 'stale', entry: servable, reason: 'revalidating' };
      }

      try {
        const { value, coalesced } = await refresh(key, load);
        return { outcome: coalesced ? 'coalesced' : 'miss', entry: value };
      } catch (error) {
        if (servable !== undefined && isTransient(error)) {
          return { outcome: 'stale', entry: servable, reason: 'upstream-error', error };
        }
        throw error;
      }
    },
  };
}
