import { InvalidResponseError } from '@neurostatus/core';

/** Deepest nesting of arrays and objects the proxy serializes; real statuses nest a few levels. */
export const MAX_JSON_DEPTH = 64;

/**
 * `JSON.stringify(value)` for a payload from the upstream, after checking (without recursion)
 * that it nests at most `maxDepth` levels: `JSON.stringify` itself overflows the stack on a value
 * nested 100,000 levels deep inside a field the schema lets through. The response size is bounded
 * by core's client already.
 *
 * @throws {InvalidResponseError} for a value nested too deep: the upstream's answer is unusable.
 * @example
 * ```ts
 * const body = boundedJson(data); // the body the proxy caches and serves
 * ```
 */
export function boundedJson(value: unknown, maxDepth = MAX_JSON_DEPTH): string {
  const pending: [unknown, number][] = [[value, 0]];
  while (pending.length > 0) {
    const [item, depth] = pending.pop() as [unknown, number];
    if (item === null || typeof item !== 'object') continue;
    if (depth >= maxDepth) {
      throw new InvalidResponseError(`The upstream payload nests deeper than ${maxDepth} levels.`, {
        status: 200,
      });
    }
    for (const child of Array.isArray(item) ? item : Object.values(item)) {
      pending.push([child, depth + 1]);
    }
  }
  return JSON.stringify(value);
}
