import { createMemoryStore } from './memory-store.ts';
import type { FleetConnection } from './redis-connection.ts';
import { createRedisStore, parseStoreChange } from './redis-store.ts';
import type { StatusStore, StoredStatus } from './status-store.ts';

/** Options of {@link createFleetStore}. */
export interface FleetStoreOptions {
  /** The fleet's Redis (`connectRedis`). */
  readonly redis: Pick<FleetConnection, 'commands' | 'ready' | 'subscribe' | 'onReadyChange'>;
  /** This instance's name on the channel, so it skips its own announcements. Default: a random UUID. */
  readonly origin?: string;
  /** Redis key and channel prefix. Default `neurostatus:edge:`. */
  readonly prefix?: string;
  /** Clock, epoch ms. Default `Date.now`. */
  readonly now?: () => number;
  /** Bounds of the in-process tier (see `createMemoryStore`). Defaults: 10 000 entries, 32 MiB. */
  readonly maxEntries?: number;
  readonly maxBytes?: number;
}

/** What {@link createFleetStore} returns: a store, and the channel it listens on. */
export interface FleetStore extends StatusStore {
  /** Resolves once it listens to the fleet's announcements (it also works before). */
  readonly listening: Promise<void>;
  /** A fresh entry of this instance's tier, synchronously (see `StatusStore.peek`). */
  peek(key: string): StoredStatus | undefined;
}

/**
 * The fleet's {@link StatusStore}: an in-process tier (the memory store) in front of the Redis
 * store. A read of an entry that is fresh here costs no Redis round trip (and `peek` answers it
 * synchronously, for the proxy's cache-hit shortcut); anything else asks Redis,
 * where another instance may have stored newer news. Every write goes to Redis first (its
 * terminal-status rule is the one that counts, atomic there) and is announced on pub/sub in the
 * same script; the other instances replace their copy of that key with the announced entry (keys
 * they do not hold are left alone), so a fresh local entry is never older than what the fleet knows. When Redis is away the store is the in-process
 * tier alone (per-instance mode, no errors); when it is back the in-process tier starts empty,
 * since announcements made meanwhile were missed.
 *
 * @example
 * ```ts
 * const redis = await connectRedis({ url, log });
 * const store = createFleetStore({ redis, now: () => clock.now() });
 * ```
 */
export function createFleetStore(options: FleetStoreOptions): FleetStore {
  const { redis } = options;
  const now = options.now ?? (() => Date.now());
  const prefix = options.prefix ?? 'neurostatus:edge:';
  const origin = options.origin ?? crypto.randomUUID();
  const channel = `${prefix}changes`;
  const makeLocal = () =>
    createMemoryStore({
      now,
      ...(options.maxEntries === undefined ? {} : { maxEntries: options.maxEntries }),
      ...(options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes }),
    });
  let local = makeLocal();
  const remote = createRedisStore({
    redis: redis.commands,
    now,
    prefix,
    announce: { channel, origin },
  });

  redis.onReadyChange((ready) => {
    if (ready) local = makeLocal();
  });
  const listening = redis
    .subscribe(channel, async (message) => {
      const change = parseStoreChange(message);
      if (change === undefined || change.origin === origin) return;
      if (change.entry === null) return local.delete(change.key);
      // Only keys this instance holds: the others would only crowd its tier out.
      if ((await local.get(change.key)) !== undefined) await local.set(change.key, change.entry);
    })
    .catch(() => undefined);

  return {
    listening,
    peek(key) {
      // A fresh entry of this instance's tier is what `get` would answer, without Redis.
      const near = local.peek?.(key);
      return near !== undefined && now() < near.freshUntil ? near : undefined;
    },
    async get(key) {
      const near = await local.get(key);
      if ((near !== undefined && now() < near.freshUntil) || !redis.ready) return near;
      try {
        const far = await remote.get(key);
        if (far === undefined) return near;
        await local.set(key, far);
        return far;
      } catch {
        return near;
      }
    },
    async set(key, entry) {
      if (redis.ready) {
        try {
          const stored = await remote.set(key, entry);
          if (stored) await local.set(key, entry);
          else await local.delete(key);
          return stored;
        } catch {
          // Redis went away mid-call: this instance's tier is all there is for now.
        }
      }
      return local.set(key, entry);
    },
    async delete(key) {
      await local.delete(key);
      if (redis.ready) await remote.delete(key).catch(() => undefined);
    },
  };
}
