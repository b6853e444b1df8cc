/**
 * Deep equality of two JSON values (what a status payload is), key order ignored. Every field of a
 * status can matter to a caller (the state, `completed_at`, `results`, a field added later), so a
 * change in any of them is a change.
 *
 * @example
 * ```ts
 * sameStatus(previous, next); // false once `status` or any other field differs
 * ```
 */
export function sameStatus(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const aKeys = Object.keys(a);
  const bKeys = Object.keys(b);
  if (aKeys.length !== bKeys.length) return false;
  const aRecord = a as Record<string, unknown>;
  const bRecord = b as Record<string, unknown>;
  return aKeys.every(
    (key) => Object.hasOwn(bRecord, key) && sameStatus(aRecord[key], bRecord[key]),
  );
}
