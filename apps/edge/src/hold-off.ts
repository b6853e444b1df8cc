import { setNewest } from './set-newest.ts';

/** Options of {@link createHoldOff}. */
export interface HoldOffOptions {
  /** Clock, epoch ms. */
  now: () => number;
  /** Hold used when a 429 carries no usable `Retry-After`, ms. Default 1 000. */
  defaultMs?: number;
  /** Longest hold honoured, whatever the upstream hints, ms. Default 60 000. */
  maxMs?: number;
  /** 429s within `windowMs` (on any keys of one scope) that make the proxy hold off the whole scope. Default 3. */
  globalThreshold?: number;
  /** Window for `globalThreshold`, ms. Default 10 000. */
  windowMs?: number;
  /** Keys (and scopes) remembered at most (the oldest holds are dropped first). Default 10 000. */
  maxKeys?: number;
}

/**
 * Where the proxy stands with a rate-limiting upstream; see {@link createHoldOff}. A scope is
 * whose limit it is: in passthrough mode each client key (tenant) has its own, so one client's
 * 429s never hold off another; with the proxy's own key there is one scope.
 */
export interface HoldOff {
  /**
   * Records a 429 for `key` in `scope` with the upstream's hint (ms), if any, and returns the hold
   * it applied (the hint, capped at `maxMs`): what clients are told to wait, too.
   */
  rateLimited(key: string, scope: string, retryAfterMs: number | undefined): number;
  /** How long the proxy must still hold off `key` (its own hold or its scope's), ms; 0 if not. */
  remainingMs(key: string, scope: string): number;
}

/** A scope's recent 429s and its hold. */
interface ScopeState {
  recent: number[];
  until: number;
}

const DEFAULTS = {
  defaultMs: 1_000,
  maxMs: 60_000,
  globalThreshold: 3,
  windowMs: 10_000,
  maxKeys: 10_000,
} as const;

/**
 * The proxy's answer to upstream 429s: it stops asking for that key for the hinted time (serving
 * stale where it can), and when 429s keep coming on several keys of one scope (one
 * upstream key) it stops asking for any key of that scope, since the limit is then the account's
 * and not the document's. Asking again early would only extend
 * the limit (RFC 6585 section 4; RFC 9110 section 10.2.3 for `Retry-After`).
 *
 * @example
 * ```ts
 * const holdOff = createHoldOff({ now: () => Date.now() });
 * const heldMs = holdOff.rateLimited(key, tenant, error.retryAfterMs); // capped at 60 s
 * if (holdOff.remainingMs(key, tenant) > 0) return serveStaleOr429();
 * ```
 */
export function createHoldOff(options: HoldOffOptions): HoldOff {
  const { now } = options;
  const { defaultMs, maxMs, globalThreshold, windowMs, maxKeys } = { ...DEFAULTS, ...options };
  for (const [name, value] of Object.entries({
    defaultMs,
    maxMs,
    globalThreshold,
    windowMs,
    maxKeys,
  })) {
    if (!Number.isFinite(value) || value <= 0)
      throw new TypeError(`\`${name}\` must be a positive number.`);
  }
  const until = new Map<string, number>();
  const scopes = new Map<string, ScopeState>();
  const touch = <V>(map: Map<string, V>, key: string, value: V) =>
    setNewest(map, key, value, maxKeys);

  return {
    rateLimited(key, scope, retryAfterMs) {
      const at = now();
      const holdMs = Math.min(maxMs, Math.max(0, retryAfterMs ?? defaultMs) || defaultMs);
      touch(until, key, at + holdMs);
      const state = scopes.get(scope) ?? { recent: [], until: 0 };
      state.recent = state.recent.filter((time) => time > at - windowMs);
      state.recent.push(at);
      if (state.recent.length >= globalThreshold) state.until = Math.max(state.until, at + holdMs);
      touch(scopes, scope, state);
      return holdMs;
    },
    remainingMs(key, scope) {
      const at = now();
      const own = until.get(key);
      if (own !== undefined && own <= at) until.delete(key);
      return Math.max(0, (own ?? 0) - at, (scopes.get(scope)?.until ?? 0) - at);
    },
  };
}
