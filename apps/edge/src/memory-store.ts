import type { StatusStore, StoredStatus } from './status-store.ts';

/** Options of {@link createMemoryStore}. */
export interface MemoryStoreOptions {
  /** Most entries kept; the least recently used go first. Default 10 000. */
  maxEntries?: number;
  /** Most bytes of bodies (UTF-16 code units x 2) kept. Default 32 MiB. */
  maxBytes?: number;
  /** Clock for expiry, epoch ms. Default `Date.now`. */
  now?: () => number;
}

const DEFAULTS = { maxEntries: 10_000, maxBytes: 32 * 1024 * 1024 } as const;

/** What an entry costs: its body and etag as UTF-16, plus a fixed overhead for the key and times. */
function sizeOf(key: string, entry: StoredStatus): number {
  return 2 * (key.length + entry.body.length + entry.etag.length) + 64;
}

/**
 * An in-process store, bounded by entry count and by bytes, evicting the least recently used:
 * the default on Node, Bun and Deno. A `Map` keeps insertion order, so re-inserting on use makes
 * its first key the least recently used one.
 *
 * @throws {TypeError} for limits that are not positive integers.
 * @example
 * ```ts
 * const store = createMemoryStore({ maxEntries: 50_000, maxBytes: 64 * 1024 * 1024 });
 * ```
 */
export function createMemoryStore(options: MemoryStoreOptions = {}): StatusStore {
  const maxEntries = options.maxEntries ?? DEFAULTS.maxEntries;
  const maxBytes = options.maxBytes ?? DEFAULTS.maxBytes;
  for (const [name, value] of Object.entries({ maxEntries, maxBytes })) {
    if (!Number.isInteger(value) || value < 1)
      throw new TypeError(`\`${name}\` must be a positive integer.`);
  }
  const now = options.now ?? (() => Date.now());
  const entries = new Map<string, StoredStatus>();
  let bytes = 0;
  /** The key last set or moved to the end: a hit on it needs no move (a Map delete and set). */
  let newest: string | undefined;

  const remove = (key: string) => {
    const entry = entries.get(key);
    if (entry === undefined) return;
    entries.delete(key);
    bytes -= sizeOf(key, entry);
    if (key === newest) newest = undefined;
  };

  const peek = (key: string): StoredStatus | undefined => {
    const entry = entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.staleUntil <= now()) {
      remove(key);
      return undefined;
    }
    // Most recently used: move to the end.
    if (key !== newest) {
      entries.delete(key);
      entries.set(key, entry);
      newest = key;
    }
    return entry;
  };
  return {
    peek,
    // Not `async`: a resolved promise is all a read needs.
    get: (key) => Promise.resolve(peek(key)),
    async set(key, entry) {
      const current = entries.get(key);
      if (current?.terminal && !entry.terminal && current.staleUntil > now()) {
        return false;
      }
      const size = sizeOf(key, entry);
      if (size > maxBytes) return false;
      remove(key);
      entries.set(key, entry);
      newest = key;
      bytes += size;
      for (const oldest of entries.keys()) {
        if (entries.size <= maxEntries && bytes <= maxBytes) break;
        remove(oldest);
      }
      return true;
    },
    async delete(key) {
      remove(key);
    },
  };
}
