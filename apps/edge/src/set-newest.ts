/**
 * Sets `key` in `map` as its newest entry (map insertion order as recency), then drops the oldest
 * entries past `maxSize`: the one rule of the proxy's small bounded memories (hold-offs, refused
 * streams, upstream clients).
 *
 * @example
 * ```ts
 * setNewest(holds, key, until, 10_000);
 * ```
 */
export function setNewest<K, V>(map: Map<K, V>, key: K, value: V, maxSize: number): void {
  map.delete(key);
  map.set(key, value);
  // At least 0: a negative size would never be reached, and the loop would not end.
  while (map.size > Math.max(0, maxSize)) map.delete(map.keys().next().value as K);
}
