import type { StatusStore, StoredStatus } from './status-store.ts';

/**
 * The part of a Cache API cache that {@link createCacheApiStore} uses: `caches.default` or
 * `await caches.open(name)` on Workers. Structural, so the store type-checks without
 * `@cloudflare/workers-types` and a test can hand in an adapter. The store only passes URL strings.
 *
 * @example
 * ```ts
 * const cache: CacheLike = await caches.open('neurostatus');
 * ```
 */
export interface CacheLike {
  match(request: string): Promise<Response | undefined>;
  put(request: string, response: Response): Promise<void>;
  delete(request: string): Promise<boolean>;
}

/** Options of {@link createCacheApiStore}. */
export interface CacheApiStoreOptions {
  /**
   * The cache, or a function returning it (or a promise of it), called once at first use so that
   * `caches` is never touched at import: `() => caches.open('neurostatus')`.
   */
  cache: CacheLike | (() => CacheLike | Promise<CacheLike>);
  /** Clock for expiry, epoch ms. Default `Date.now`. */
  now?: () => number;
  /**
   * Absolute http(s) URL under which keys become cache URLs. Default
   * `'https://neurostatus-edge.invalid/'`. Cloudflare advises a hostname of the Worker's own zone
   * (another one can cost a DNS lookup), e.g. `'https://status.example.com/__neurostatus/'`.
   * Never put a secret in it: it is part of every cache URL.
   */
  origin?: string;
}

const DEFAULTS = { origin: 'https://neurostatus-edge.invalid/' } as const;

/**
 * RFC 9111 1.2.2: a cache reads delta-seconds beyond 2^31 as 2^31, so never send more; this also
 * turns an unbounded `staleUntil` (`Infinity`) into a valid `max-age`.
 */
const MAX_AGE_LIMIT_SECONDS = 2_147_483_648;

/** Bumped when the header layout changes, so entries written by an older layout read as misses. */
const FORMAT = '1';

const HEADER = {
  format: 'x-neurostatus-format',
  etag: 'x-neurostatus-etag',
  status: 'x-neurostatus-status',
  storedAt: 'x-neurostatus-stored-at',
  freshUntil: 'x-neurostatus-fresh-until',
  staleUntil: 'x-neurostatus-stale-until',
  terminal: 'x-neurostatus-terminal',
} as const;

type Metadata = Omit<StoredStatus, 'body'>;

function normalizeOrigin(origin: string): string {
  const url = URL.canParse(origin) ? new URL(origin) : undefined;
  if (
    url === undefined ||
    (url.protocol !== 'https:' && url.protocol !== 'http:') ||
    url.username !== '' ||
    url.password !== '' ||
    url.search !== '' ||
    url.hash !== ''
  ) {
    throw new TypeError('`origin` must be an http(s) URL without credentials, query or fragment.');
  }
  const base = `${url.origin}${url.pathname}`;
  return base.endsWith('/') ? base : `${base}/`;
}

function toResponse(entry: StoredStatus, maxAgeSeconds: number): Response {
  return new Response(entry.body, {
    // Always 200: `cache.put` throws on 206, and Cloudflare's cache treats statuses differently
    // (Edge TTL by status). The real status travels in a header.
    status: 200,
    headers: {
      'cache-control': `max-age=${maxAgeSeconds}`,
      [HEADER.format]: FORMAT,
      // Not in `ETag`: `cache.match` would answer conditional requests with 304 itself. Encoded
      // because header values cannot carry every string.
      [HEADER.etag]: encodeURIComponent(entry.etag),
      [HEADER.status]: String(entry.status),
      [HEADER.storedAt]: String(entry.storedAt),
      [HEADER.freshUntil]: String(entry.freshUntil),
      // `String(Infinity)` is `'Infinity'`, which `Number()` reads back; JSON could not carry it.
      [HEADER.staleUntil]: String(entry.staleUntil),
      [HEADER.terminal]: entry.terminal ? '1' : '0',
    },
  });
}

function toNumber(value: string | null): number {
  return value === null || value.trim() === '' ? Number.NaN : Number(value);
}

/** The metadata of a cached response, or `undefined` for anything this layout did not write. */
function readMetadata(headers: Headers): Metadata | undefined {
  const terminal = headers.get(HEADER.terminal);
  const etag = headers.get(HEADER.etag);
  const status = toNumber(headers.get(HEADER.status));
  const storedAt = toNumber(headers.get(HEADER.storedAt));
  const freshUntil = toNumber(headers.get(HEADER.freshUntil));
  const staleUntil = toNumber(headers.get(HEADER.staleUntil));
  if (
    headers.get(HEADER.format) !== FORMAT ||
    etag === null ||
    (terminal !== '1' && terminal !== '0') ||
    !Number.isInteger(status) ||
    [storedAt, freshUntil, staleUntil].some(Number.isNaN)
  ) {
    return undefined;
  }
  try {
    return {
      etag: decodeURIComponent(etag),
      status,
      storedAt,
      freshUntil,
      staleUntil,
      terminal: terminal === '1',
    };
  } catch {
    return undefined; // a malformed percent-escape: not ours
  }
}

/**
 * A `StatusStore` on the Workers Cache API, the store for Cloudflare Workers.
 *
 * Why the Cache API and not Workers KV: KV is eventually consistent (a write can take 60 s or more
 * to be seen in other locations) and allows one write per second per key, so it cannot hold the
 * 2-second freshness of `processing` documents. The Cache API is local to each data center, with
 * nothing to replicate: a `put` is seen by the next `match` there. It has no per-operation price
 * of its own, and it expires entries itself (`Cache-Control: max-age`, here up to `staleUntil`).
 *
 * What that means in practice:
 * - Each data center fills its own cache; nothing is replicated, and coalescing is per isolate,
 *   so the upstream can see one call per key per freshness window per isolate, not one per
 *   data center.
 * - Cloudflare documents no compare-and-set, so the rule that a terminal entry is never replaced
 *   by a non-terminal one holds exactly within an isolate and nearly across isolates (see `set`).
 * - On `*.workers.dev`, in the dashboard editor or Playground, and behind Cloudflare Access, the
 *   Cache API does nothing: every `get` misses. Deploy on a custom domain.
 * - `cache.put` resolves even when Cloudflare chose not to store, and entries can be evicted at
 *   any time, so `set` resolving `true` means "handed to the cache", and a later `get` may miss.
 * - Keys are percent-encoded into the URL path under `origin`, one segment each, so no key (not
 *   even `.` or `a/b`) can reach another's URL. Keys are HMAC digests already (`cacheKey()`).
 * - Each entry is a 200 response: the body as its body, the rest in `x-neurostatus-*` headers.
 *
 * @throws {TypeError} for an `origin` that is not an http(s) URL without credentials, query or fragment.
 * @example
 * ```ts
 * // In the Worker's fetch handler (never at import):
 * const store = createCacheApiStore({
 *   cache: () => caches.open('neurostatus'),
 *   origin: 'https://status.example.com/__neurostatus/',
 * });
 * ```
 */
export function createCacheApiStore(options: CacheApiStoreOptions): StatusStore {
  const origin = normalizeOrigin(options.origin ?? DEFAULTS.origin);
  const now = options.now ?? (() => Date.now());
  const source = options.cache;
  let resolved: Promise<CacheLike> | undefined;

  const cacheOf = (): Promise<CacheLike> => {
    if (typeof source !== 'function') return Promise.resolve(source);
    resolved ??= (async () => source())().catch((error: unknown) => {
      resolved = undefined; // let the next call try again
      throw error;
    });
    return resolved;
  };

  // The `entry-` prefix keeps every key's segment from being a dot-segment: the URL parser would
  // resolve `.` and `..` (even `%2E%2E`) away, and the keys `.`, `..` and `` would share a URL.
  const urlOf = (key: string) => `${origin}entry-${encodeURIComponent(key)}`;

  // Writes to one key run one after another within this isolate, so the terminal check below is
  // exact here; only writes from other isolates can interleave with it (see `set`).
  const writes = new Map<string, Promise<unknown>>();
  const serialize = <T>(key: string, write: () => Promise<T>): Promise<T> => {
    const run = (writes.get(key) ?? Promise.resolve()).then(write, write);
    const done = run.catch(() => undefined);
    writes.set(key, done);
    void done.then(() => {
      if (writes.get(key) === done) writes.delete(key);
    });
    return run;
  };

  return {
    async get(key) {
      const response = await (await cacheOf()).match(urlOf(key));
      if (response === undefined) return undefined;
      const metadata = readMetadata(response.headers);
      // The Cache API expires entries on the real clock, rounded up to whole seconds; `now` is the
      // authority (and the one tests control).
      if (metadata === undefined || metadata.staleUntil <= now()) {
        await response.body?.cancel();
        return undefined;
      }
      const body = await response.text();
      return { body, ...metadata };
    },

    set(key, entry) {
      return serialize(key, async () => {
        const cache = await cacheOf();
        const url = urlOf(key);
        if (!entry.terminal) {
          // Read before write: a live terminal entry is never replaced by a non-terminal one.
          // Not atomic across isolates (the Cache API has no compare-and-set): another isolate in
          // this data center can put a terminal entry between this match and the put below, and
          // this older `processing` answer then overwrites it. The window is one cache round trip
          // and needs two upstream answers for one key to straddle completion. The damage: the
          // data center answers the non-terminal status for up to its freshness (the active TTL,
          // 2 s by default) and, while the revalidation that fetches the terminal status again is
          // in flight, stale-while-revalidate may serve it once more; if the upstream fails just
          // then, stale-if-error can keep serving it up to its `staleUntil` (the stale window).
          // The answer was true when the upstream gave it; clients keep polling until they see a
          // terminal status, so it delays completion, it never loses it.
          const current = await cache.match(url);
          if (current !== undefined) {
            const metadata = readMetadata(current.headers);
            await current.body?.cancel();
            if (metadata?.terminal && metadata.staleUntil > now()) return false;
          }
        }
        const seconds = Math.ceil((entry.staleUntil - now()) / 1_000);
        if (!(seconds > 0)) {
          // Already past staleUntil: nothing to keep, but the entry it replaces must go.
          await cache.delete(url);
          return true;
        }
        await cache.put(url, toResponse(entry, Math.min(seconds, MAX_AGE_LIMIT_SECONDS)));
        return true;
      });
    },

    async delete(key) {
      await serialize(key, async () => (await cacheOf()).delete(urlOf(key)));
    },
  };
}
