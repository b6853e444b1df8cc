// The parts of the Workers platform the Durable Object code uses, typed structurally so that the
// proxy type-checks without `@cloudflare/workers-types` (as `CacheLike` does for the Cache API).
// Names and shapes follow the runtime's own: developers.cloudflare.com/durable-objects/api/.

/** `ctx.storage` of a Durable Object: the key-value API and the alarm. */
export interface DurableObjectStorageLike {
  get<T>(key: string): Promise<T | undefined>;
  /** Up to 128 keys at once; the keys not stored are not in the map. */
  get<T>(keys: string[]): Promise<Map<string, T>>;
  put<T>(key: string, value: T): Promise<void>;
  /** Up to 128 entries at once, written atomically. */
  put<T>(entries: Record<string, T>): Promise<void>;
  delete(key: string): Promise<boolean>;
  /** Up to 128 keys at once; resolves with how many there were. */
  delete(keys: string[]): Promise<number>;
  /** Deletes every key (and, from compatibility date 2026-02-24, the alarm). */
  deleteAll(): Promise<void>;
  /** Schedules `alarm()` at `scheduledTime` (epoch ms); replaces any alarm already set. */
  setAlarm(scheduledTime: number): Promise<void>;
  deleteAlarm(): Promise<void>;
}

/** `ctx` (the state) handed to a Durable Object's constructor. */
export interface DurableObjectStateLike {
  readonly storage: DurableObjectStorageLike;
  /** Holds every incoming event until `callback` settles (used once, to load storage). */
  blockConcurrencyWhile<T>(callback: () => Promise<T>): Promise<T>;
}

/** A stub: the way to send a request to one Durable Object, wherever it runs. */
export interface DurableObjectStubLike {
  fetch(input: string, init?: RequestInit): Promise<Response>;
}

/** A Durable Object namespace binding (`env.STATUS_OBJECTS`). */
export interface DurableObjectNamespaceLike {
  idFromName(name: string): unknown;
  get(id: never): DurableObjectStubLike;
}

/**
 * Whether a binding is a Durable Object namespace.
 *
 * @example
 * ```ts
 * if (isDurableObjectNamespace(env.STATUS_OBJECTS)) useObjects(env.STATUS_OBJECTS);
 * ```
 */
export function isDurableObjectNamespace(value: unknown): value is DurableObjectNamespaceLike {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { idFromName?: unknown }).idFromName === 'function' &&
    typeof (value as { get?: unknown }).get === 'function'
  );
}
