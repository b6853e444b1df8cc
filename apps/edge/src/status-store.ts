/**
 * One cached answer of the proxy: the upstream body as sent to clients, and the times that decide
 * whether it may be served fresh, served stale, or must be fetched again.
 */
export interface StoredStatus {
  /** The JSON body, exactly as the proxy serves it. */
  readonly body: string;
  /** Strong validator of `body`, for `ETag` / `If-None-Match`. */
  readonly etag: string;
  /** HTTP status of the cached answer (200, or 404 cached briefly). */
  readonly status: number;
  /** When it was stored (epoch ms), for `Age`. */
  readonly storedAt: number;
  /** Until when it is fresh (epoch ms): served without asking upstream. */
  readonly freshUntil: number;
  /** Until when it may still be served stale while revalidating or when upstream fails (epoch ms). */
  readonly staleUntil: number;
  /** A terminal status (`completed`, `failed`): never replaced by an older non-terminal answer. */
  readonly terminal: boolean;
}

/**
 * The contract every store behind the proxy implements: memory (an LRU), the Workers Cache API,
 * and later distributed stores (Redis, KV). Small on purpose, and async so that remote stores
 * fit. Keys are opaque strings built by `cacheKey()`; they never contain an API key or a token.
 * Every implementation runs the shared conformance suite (`describeStatusStore`).
 *
 * @example
 * ```ts
 * const store: StatusStore = createMemoryStore({ maxEntries: 10_000 });
 * await store.set(key, entry);
 * const hit = await store.get(key);
 * ```
 */
export interface StatusStore {
  /** The entry under `key`, or `undefined` if absent or past its `staleUntil`. */
  get(key: string): Promise<StoredStatus | undefined>;
  /**
   * Optional, for stores with an in-process tier (the memory store, the fleet store): what `get`
   * would resolve to, synchronously, for an entry that is fresh here; for any other key it may
   * answer `undefined` (the caller then asks `get`), but never something `get` would not. With it,
   * a fresh hit is answered without a promise.
   */
  peek?(key: string): StoredStatus | undefined;
  /**
   * Stores `entry` under `key`, unless a terminal entry is already there and `entry` is not
   * terminal: a finished document never goes back to `processing` because of an older answer.
   * Resolves to whether it was stored.
   */
  set(key: string, entry: StoredStatus): Promise<boolean>;
  /** Removes `key`. */
  delete(key: string): Promise<void>;
}
