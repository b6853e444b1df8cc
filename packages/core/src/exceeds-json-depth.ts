/**
 * How deeply a status may nest arrays and objects. The documented payloads go 6 levels deep (a
 * request's `documents[].result.results.cropped_images`); a body under the 1 MiB limit can nest
 * 500 000 levels, which recursive code (a deep compare, a `JSON.stringify`, a logger) cannot walk
 * without `RangeError: Maximum call stack size exceeded`.
 *
 * @example
 * ```ts
 * console.log(`statuses nest at most ${MAX_JSON_DEPTH} levels`);
 * ```
 */
export const MAX_JSON_DEPTH = 64;

/**
 * Whether a parsed JSON value nests arrays and objects more than `maxDepth` levels (the value
 * itself, if an array or object, is level 1). Walked with a stack of its own, not by recursion,
 * so any depth can be measured; a value reached again (shared, or a cycle) is walked again only
 * from a deeper level, so the work stays within `maxDepth` times the number of values.
 *
 * @example
 * ```ts
 * exceedsJsonDepth(JSON.parse('{"a":[[1]]}'), 2); // true: three levels
 * ```
 */
export function exceedsJsonDepth(value: unknown, maxDepth: number = MAX_JSON_DEPTH): boolean {
  const pending: Array<{ readonly node: object; readonly depth: number }> = [];
  const walkedAt = new Map<object, number>();
  const visit = (node: unknown, depth: number) => {
    if (typeof node === 'object' && node !== null) pending.push({ node, depth });
  };
  visit(value, 1);
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const { node, depth } = next;
    if (depth > maxDepth) return true;
    if ((walkedAt.get(node) ?? 0) >= depth) continue;
    walkedAt.set(node, depth);
    for (const child of Array.isArray(node) ? node : Object.values(node)) visit(child, depth + 1);
  }
  return false;
}
