import { isNeurolinkerError } from '@neurostatus/core';
import { createCoalescer } from './coalescer.ts';
import { etagOf } from './etag.ts';
import { HeldOffError } from './held-off-error.ts';
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
  | { readonly outcome: 'hit' | 'coalesced'; readonly entry: StoredStatus }
  | {
      readonly outcome: 'miss';
      readonly entry: StoredStatus;
      /** False when the store kept what it had (a terminal status) or refused the entry. */
      readonly stored: boolean;
    }
  | {
      readonly outcome: 'stale';
      readonly entry: StoredStatus;
      readonly reason: StaleReason;
      readonly error?: unknown;
    };

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
   * @param scope whose rate limit a 429 is: the tenant (see `HoldOff`).
   * @param waitUntil keeps upstream calls and writes alive after the response (Workers'
   *   `ctx.waitUntil`): one request's end must not cut a call other requests wait for.
   * @throws the upstream's error, or {@link HeldOffError}, when there is nothing stale to serve.
   */
  read(
    key: string,
    scope: string,
    load: () => Promise<UpstreamAnswer>,
    waitUntil?: (promise: Promise<unknown>) => void,
  ): Promise<CacheRead>;
  /** The entry under `key` while it is fresh; a store failure reads as nothing. */
  fresh(key: string): Promise<StoredStatus | undefined>;
  /**
   * The entry under `key` while it is fresh, synchronously, when the store can `peek`; otherwise
   * (or on a store failure) `undefined`, and `read` is the way.
   */
  freshNow(key: string): StoredStatus | undefined;
  /** Whether `freshNow` can ever answer (the store has `peek`). */
  readonly canPeek: boolean;
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
  for (const [name, value] of Object.entries(ttl)) {
    if (!Number.isFinite(value) || value < 0) {
      throw new TypeError(`\`ttl.${name}\` must be a finite number of milliseconds >= 0.`);
    }
  }
  const calls = createCoalescer<{ entry: StoredStatus; stored: boolean }>();

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

  // A store that fails (the Cache API can) degrades the proxy to uncached, never to errors.
  const get = (key: string) => store.get(key).catch(() => undefined);
  const set = (key: string, entry: StoredStatus) => store.set(key, entry).catch(() => false);

  const storeAnswer = async (key: string, answer: UpstreamAnswer) => {
    const entry = await toEntry(answer);
    if (await set(key, entry)) return { entry, stored: true };
    // A terminal status may already be there: newer news than this answer.
    const current = await get(key);
    return { entry: current?.terminal === true ? current : entry, stored: false };
  };

  const refresh = (key: string, scope: string, load: () => Promise<UpstreamAnswer>) =>
    calls.run(key, async () => {
      try {
        return await storeAnswer(key, await load());
      } catch (error) {
        if (isNeurolinkerError(error) && error.code === 'RATE_LIMITED') {
          const hint = 'retryAfterMs' in error ? error.retryAfterMs : undefined;
          holdOff.rateLimited(key, scope, typeof hint === 'number' ? hint : undefined);
        }
        throw error;
      }
    });

  const peek = store.peek?.bind(store);
  return {
    canPeek: peek !== undefined,
    freshNow(key) {
      if (peek === undefined) return undefined;
      try {
        const entry = peek(key);
        return entry !== undefined && now() < entry.freshUntil ? entry : undefined;
      } catch {
        return undefined;
      }
    },
    remember: async (key, answer) => (await storeAnswer(key, answer)).entry,
    async fresh(key) {
      const entry = await get(key);
      return entry !== undefined && now() < entry.freshUntil ? entry : undefined;
    },
    async read(key, scope, load, waitUntil) {
      const entry = await get(key);
      const at = now();
      if (entry !== undefined && at < entry.freshUntil) return { outcome: 'hit', entry };
      const servable = entry !== undefined && entry.status === 200 ? entry : undefined;

      const heldMs = holdOff.remainingMs(key, scope);
      if (heldMs > 0) {
        if (servable !== undefined)
          return { outcome: 'stale', entry: servable, reason: 'held-off' };
        throw new HeldOffError(heldMs);
      }

      if (servable !== undefined && !servable.terminal && at < servable.freshUntil + ttl.activeMs) {
        // Errors of the background call are the next reader's business: it will meet them itself.
        const background = refresh(key, scope, load).catch(() => undefined);
        waitUntil?.(background);
        return { outcome: 'stale', entry: servable, reason: 'revalidating' };
      }

      const call = refresh(key, scope, load);
      waitUntil?.(call.catch(() => undefined));
      try {
        const { value, coalesced } = await call;
        return coalesced
          ? { outcome: 'coalesced', entry: value.entry }
          : { outcome: 'miss', entry: value.entry, stored: value.stored };
      } catch (error) {
        if (servable !== undefined && isTransient(error)) {
          return { outcome: 'stale', entry: servable, reason: 'upstream-error', error };
        }
        throw error;
      }
    },
  };
}
