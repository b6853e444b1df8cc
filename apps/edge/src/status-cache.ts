import { isNeurolinkerError } from '@neurostatus/core';
import { createCoalescer } from './coalescer.ts';
import { etagOf } from './etag.ts';
import { type CallLeases, localCallLeases } from './fleet-call-leases.ts';
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
  /**
   * Keeps the entry fresh at least this long, ms, when the TTL rule would keep it less: an event
   * stream's "not found" must outlive its client's reconnect delay.
   */
  readonly minFreshMs?: number;
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
  /**
   * Who of the instances sharing `store` makes an upstream call (fleet-wide coalescing, e.g.
   * `createRedisCallLeases`). Default {@link localCallLeases}: this instance, always.
   */
  readonly leases?: CallLeases;
  /**
   * Longest one upstream load may hold its key, ms (the upstream timeout). Past it the load is
   * abandoned (its signal aborts), its waiters get the stale status or a `TimeoutError`, and the
   * next reader starts a new load.
   */
  readonly deadlineMs: number;
  /** Resolves after `ms`, or rejects when `signal` aborts (a `PollerClock`'s `sleep`). Default: `setTimeout`. */
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Called once for each load abandoned at its deadline (to count it). */
  readonly onAbandon?: () => void;
  /** Called with each entry this cache stores (to compress it once, say). */
  readonly onStore?: (entry: StoredStatus) => void;
}

/** See {@link createStatusCache}. */
export interface StatusCache {
  /**
   * Answers `key` from the store or through `load` (one call per key at a time).
   *
   * @param scope whose rate limit a 429 is: the tenant (see `HoldOff`).
   * @param waitUntil keeps upstream calls and writes alive after the response (Workers'
   *   `ctx.waitUntil`): one request's end must not cut a call other requests wait for.
   * @throws the upstream's error, or {@link HeldOffError} (after a 429, with the capped hold),
   *   when there is nothing stale to serve.
   */
  read(
    key: string,
    scope: string,
    load: (signal: AbortSignal) => Promise<UpstreamAnswer>,
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
 * Times another instance may lead the call for a key and end without a fresh answer (it failed,
 * or died) before this one calls by itself.
 */
const MAX_LEAD_ROUNDS = 3;

/** One call's result; `shared` when another instance of the fleet made it. */
interface CallResult {
  readonly entry: StoredStatus;
  readonly stored: boolean;
  readonly shared?: boolean;
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
 * - after a 429 the key (or the whole upstream) is held off for the hinted time;
 * - no load holds its key past `deadlineMs`, whatever the upstream's body does.
 *
 * @example
 * ```ts
 * const cache = createStatusCache({ store, ttl, holdOff, now: () => Date.now(), deadlineMs: 10_000 });
 * const { outcome, entry } = await cache.read(key, tenant, (signal) => fetchFromUpstream(id, signal));
 * ```
 */
export function createStatusCache(options: StatusCacheOptions): StatusCache {
  const { store, ttl, holdOff, now } = options;
  const leases = options.leases ?? localCallLeases;
  const fleetWide = options.leases !== undefined;
  for (const [name, value] of Object.entries(ttl)) {
    if (!Number.isFinite(value) || value < 0) {
      throw new TypeError(`\`ttl.${name}\` must be a finite number of milliseconds >= 0.`);
    }
  }
  const calls = createCoalescer<CallResult>({
    deadlineMs: options.deadlineMs,
    ...(options.sleep === undefined ? {} : { sleep: options.sleep }),
    ...(options.onAbandon === undefined ? {} : { onAbandon: options.onAbandon }),
  });

  const toEntry = async (answer: UpstreamAnswer): Promise<StoredStatus> => {
    const storedAt = now();
    const ruleMs =
      answer.status === 404 ? ttl.notFoundMs : answer.terminal ? ttl.terminalMs : ttl.activeMs;
    const freshMs = Math.max(ruleMs, answer.minFreshMs ?? 0);
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
    if (await set(key, entry)) {
      options.onStore?.(entry);
      return { entry, stored: true };
    }
    // A terminal status may already be there: newer news than this answer.
    const current = await get(key);
    return { entry: current?.terminal === true ? current : entry, stored: false };
  };

  const call = async (
    key: string,
    scope: string,
    load: (signal: AbortSignal) => Promise<UpstreamAnswer>,
    signal: AbortSignal,
  ): Promise<CallResult> => {
    try {
      return await storeAnswer(key, await load(signal));
    } catch (error) {
      if (isNeurolinkerError(error) && error.code === 'RATE_LIMITED') {
        const hint = 'retryAfterMs' in error ? error.retryAfterMs : undefined;
        const heldMs = holdOff.rateLimited(key, scope, typeof hint === 'number' ? hint : undefined);
        // The client is told the hold the proxy applies (capped), not the upstream's raw hint.
        throw new HeldOffError(heldMs, { cause: error });
      }
      throw error;
    }
  };

  const freshIn = (entry: StoredStatus | undefined) =>
    entry !== undefined && now() < entry.freshUntil ? entry : undefined;

  /**
   * The call under a fleet-wide lease. Another instance may have made the call, stored its answer
   * and let go of the lease between this instance's read and its lease: read again first
   * (double-checked), or the fleet would make one call per instance that came late.
   */
  const leadCall = async (
    key: string,
    scope: string,
    load: (signal: AbortSignal) => Promise<UpstreamAnswer>,
    signal: AbortSignal,
  ): Promise<CallResult> => {
    const stored = fleetWide ? freshIn(await get(key)) : undefined;
    if (stored !== undefined) return { entry: stored, stored: false, shared: true };
    return call(key, scope, load, signal);
  };

  // One call per key in this instance (the coalescer, which abandons a load at its deadline), and
  // per fleet (the leases): when another instance led the call, its answer is in the shared store.
  const refresh = (
    key: string,
    scope: string,
    load: (signal: AbortSignal) => Promise<UpstreamAnswer>,
  ) =>
    calls.run(key, async (signal): Promise<CallResult> => {
      for (let round = 1; ; round++) {
        const outcome = await leases.lead(key, () => leadCall(key, scope, load, signal));
        if (outcome.led) return outcome.value;
        const entry = freshIn(await get(key));
        if (entry !== undefined) return { entry, stored: false, shared: true };
        const heldMs = holdOff.remainingMs(key, scope);
        if (heldMs > 0) throw new HeldOffError(heldMs);
        if (round >= MAX_LEAD_ROUNDS) return call(key, scope, load, signal);
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
        return coalesced || value.shared === true
          ? { outcome: 'coalesced', entry: value.entry }
          : { outcome: 'miss', entry: value.entry, stored: value.stored };
      } catch (error) {
        const upstreamError = error instanceof HeldOffError ? (error.cause ?? error) : error;
        if (servable !== undefined && isTransient(upstreamError)) {
          return {
            outcome: 'stale',
            entry: servable,
            reason: 'upstream-error',
            error: upstreamError,
          };
        }
        // Another instance of the fleet met a 429 while this one waited for it.
        if (servable !== undefined && error instanceof HeldOffError) {
          return { outcome: 'stale', entry: servable, reason: 'held-off' };
        }
        throw error;
      }
    },
  };
}
