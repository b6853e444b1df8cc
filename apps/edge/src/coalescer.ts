/** Runs at most one call per key at a time; see {@link createCoalescer}. */
export interface Coalescer<T> {
  /**
   * Runs `load` for `key`, unless a call for `key` is already running: then it waits for that one
   * instead and shares its outcome (value or error). `coalesced` tells which happened.
   */
  run(key: string, load: () => Promise<T>): Promise<{ value: T; coalesced: boolean }>;
  /** Keys with a call running. */
  readonly inFlight: number;
}

/**
 * Request coalescing: a thousand concurrent polls for one document make one upstream call. The
 * entry is removed when the call settles, success or failure, so the next request after it asks
 * again (the cache, not the coalescer, decides what is still fresh).
 *
 * @example
 * ```ts
 * const upstream = createCoalescer<DocumentStatus>();
 * const { value, coalesced } = await upstream.run(key, () => client.getDocumentStatus(id));
 * ```
 */
export function createCoalescer<T>(): Coalescer<T> {
  const running = new Map<string, Promise<T>>();
  return {
    get inFlight() {
      return running.size;
    },
    async run(key, load) {
      const existing = running.get(key);
      if (existing !== undefined) return { value: await existing, coalesced: true };
      const call = (async () => load())();
      running.set(key, call);
      try {
        return { value: await call, coalesced: false };
      } finally {
        running.delete(key);
      }
    },
  };
}
