/** What {@link CallLeases.lead} resolved to: this instance made the call, or another one did. */
export type LeadOutcome<T> = { readonly led: true; readonly value: T } | { readonly led: false };

/**
 * Who, among the instances sharing a store, makes the upstream call for a key. The status cache
 * asks before each call; {@link localCallLeases} (one instance: always this one) is the default,
 * and `createRedisCallLeases` makes it one instance of the whole fleet.
 */
export interface CallLeases {
  /**
   * Runs `call` when this instance holds the key's lease, and resolves `{ led: true, value }`.
   * Otherwise waits until the holder is done (it announces it, or its lease runs out) and resolves
   * `{ led: false }`: the holder's answer is then in the shared store. Rejects only with `call`'s
   * own error.
   */
  lead<T>(key: string, call: () => Promise<T>): Promise<LeadOutcome<T>>;
}

/**
 * The leases of a single instance: it always leads (its in-process coalescer already makes
 * concurrent requests share one call).
 *
 * @example
 * ```ts
 * const cache = createStatusCache({ store, ttl, holdOff, now, leases: localCallLeases });
 * ```
 */
export const localCallLeases: CallLeases = {
  lead: async (_key, call) => ({ led: true, value: await call() }),
};
