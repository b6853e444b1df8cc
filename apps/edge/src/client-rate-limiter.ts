import { setNewest } from './set-newest.ts';
/** Options of {@link createClientRateLimiter}. */
export interface ClientRateLimiterOptions {
  /** Sustained requests per second per client, > 0. (To turn limiting off, do not create a limiter.) */
  ratePerSecond: number;
  /** Requests a client may make at once, >= 1. Default `2 * ratePerSecond`, at least 1. */
  burst?: number;
  /** Most clients tracked; the least recently seen go first. Default 10 000. */
  maxClients?: number;
  /** Clock, epoch ms. Default `Date.now`, looked up when called. */
  now?: () => number;
}

/** What {@link ClientRateLimiter.take} decided; `retryAfterMs` is how long until one request is allowed. */
export type RateDecision =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly retryAfterMs: number };

/** Per-client token buckets; see {@link createClientRateLimiter}. */
export interface ClientRateLimiter {
  /** Takes one token from `client`'s bucket, if there is one. */
  take(client: string): RateDecision;
  /** Clients currently tracked (at most `maxClients`). */
  readonly size: number;
}

const DEFAULTS = { maxClients: 10_000, burstPerRate: 2 } as const;

/**
 * Slack for floating-point drift, in tokens: 199 ms at 5/s refills 0.995, and 1 - 0.995 is a hair
 * over 0.005, which would make `retryAfterMs` 2 instead of 1. A take is allowed from `1 - EPSILON`
 * tokens and `retryAfterMs` aims at `1 - EPSILON / 2`, so waiting it out is always enough.
 */
const EPSILON = 1e-9;

interface Bucket {
  tokens: number;
  /** When `tokens` was last brought up to date, epoch ms. */
  at: number;
}

const ALLOWED: RateDecision = Object.freeze({ allowed: true });

/**
 * The proxy's per-client rate limit: a token bucket per client holding up to `burst` tokens and
 * refilling at `ratePerSecond`, so a client may burst, then is held to the sustained rate.
 *
 * Memory is bounded: at most `maxClients` buckets, the least recently seen evicted first (a `Map`
 * keeps insertion order, so re-inserting on use makes its first key the least recently used).
 * A bucket that has refilled to full is dropped, since a fresh bucket is the same thing. Under a
 * flood of more than `maxClients` distinct clients, an evicted client starts over with a full
 * bucket: the limit turns lenient rather than memory growing without bound.
 *
 * `retryAfterMs` is the time until one token is available, rounded up; for a `Retry-After`
 * header (RFC 9110 10.2.3, whole seconds) use `retryAfterSeconds(retryAfterMs)`.
 *
 * @throws {TypeError} when `ratePerSecond` is not a positive finite number, `burst` is not a
 *   finite number >= 1, or `maxClients` is not a positive integer.
 * @example
 * ```ts
 * const limiter = createClientRateLimiter({ ratePerSecond: 20 });
 * const decision = limiter.take(clientAddress);
 * if (!decision.allowed) {
 *   const retryAfter = retryAfterSeconds(decision.retryAfterMs);
 *   return new Response(null, { status: 429, headers: { 'retry-after': retryAfter } });
 * }
 * ```
 */
export function createClientRateLimiter(options: ClientRateLimiterOptions): ClientRateLimiter {
  const rate = options.ratePerSecond;
  if (typeof rate !== 'number' || !Number.isFinite(rate) || rate <= 0) {
    throw new TypeError('`ratePerSecond` must be a positive finite number.');
  }
  const burst = options.burst ?? Math.max(1, DEFAULTS.burstPerRate * rate);
  if (typeof burst !== 'number' || !Number.isFinite(burst) || burst < 1) {
    throw new TypeError('`burst` must be a finite number of at least 1.');
  }
  const maxClients = options.maxClients ?? DEFAULTS.maxClients;
  if (!Number.isInteger(maxClients) || maxClients < 1) {
    throw new TypeError('`maxClients` must be a positive integer.');
  }
  const now = options.now ?? (() => Date.now());
  const buckets = new Map<string, Bucket>();

  /** Tokens in `bucket` at `t`; a clock that steps back refills nothing. */
  const tokensAt = (bucket: Bucket, t: number) =>
    Math.min(burst, bucket.tokens + (Math.max(0, t - bucket.at) * rate) / 1000);

  return {
    get size() {
      return buckets.size;
    },
    take(client) {
      const t = now();
      // The least recently seen buckets come first; drop those that are full again. Each bucket
      // is dropped at most once per insertion, so this is O(1) amortized.
      for (const [key, bucket] of buckets) {
        if (tokensAt(bucket, t) < burst) break;
        buckets.delete(key);
      }
      const bucket = buckets.get(client);
      let tokens = burst;
      let at = t;
      if (bucket !== undefined) {
        tokens = tokensAt(bucket, t);
        at = Math.max(bucket.at, t);
      }
      const allowed = tokens >= 1 - EPSILON;
      const left = allowed ? Math.max(0, tokens - 1) : tokens;
      setNewest(buckets, client, { tokens: left, at }, maxClients);
      if (allowed) return ALLOWED;
      return {
        allowed: false,
        retryAfterMs: Math.ceil(((1 - EPSILON / 2 - tokens) * 1000) / rate),
      };
    },
  };
}
