/** Options of {@link createHoldOff}. */
export interface HoldOffOptions {
  /** Clock, epoch ms. */
  now: () => number;
  /** Hold used when a 429 carries no usable `Retry-After`, ms. Default 1 000. */
  defaultMs?: number;
  /** Longest hold honoured, whatever the upstream hints, ms. Default 60 000. */
  maxMs?: number;
  /** 429s within `windowMs` (on any keys, the same one included) that make the proxy hold off the whole upstream. Default 3. */
  globalThreshold?: number;
  /** Window for `globalThreshold`, ms. Default 10 000. */
  windowMs?: number;
  /** Keys remembered at most (the oldest holds are dropped first). Default 10 000. */
  maxKeys?: number;
}

/** Where the proxy stands with a rate-limiting upstream; see {@link createHoldOff}. */
export interface HoldOff {
  /** Records a 429 for `key` with the upstream's hint (ms), if any. */
  rateLimited(key: string, retryAfterMs: number | undefined): void;
  /** How long the proxy must still hold off `key` (the key's own hold or the global one), ms; 0 if not. */
  remainingMs(key: string): number;
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
 * stale where it can), and when 429s keep coming on several keys it stops asking for any key, since
 * the limit is then the account's and not the document's. Asking again early would only extend
 * the limit (RFC 6585 section 4; RFC 9110 section 10.2.3 for `Retry-After`).
 *
 * @example
 * ```ts
 * const holdOff = createHoldOff({ now: () => Date.now() });
 * holdOff.rateLimited(key, error.retryAfterMs);
 * if (holdOff.remainingMs(key) > 0) return serveStaleOr429();
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
  let recent: number[] = [];
  let globalUntil = 0;

  return {
    rateLimited(key, retryAfterMs) {
      const at = now();
      const holdMs = Math.min(maxMs, Math.max(0, retryAfterMs ?? defaultMs) || defaultMs);
      until.delete(key);
      until.set(key, at + holdMs);
      if (until.size > maxKeys) {
        const oldest = until.keys().next().value;
        if (oldest !== undefined) until.delete(oldest);
      }
      recent = recent.filter((time) => time > at - windowMs);
      recent.push(at);
      if (recent.length >= globalThreshold) globalUntil = Math.max(globalUntil, at + holdMs);
    },
    remainingMs(key) {
      const at = now();
      const own = until.get(key);
      if (own !== undefined && own <= at) until.delete(key);
      return Math.max(0, (own ?? 0) - at, globalUntil - at);
    },
  };
}
