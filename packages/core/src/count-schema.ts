import * as v from 'valibot';

/**
 * A non-negative integer: page counts, byte sizes, document counts.
 *
 * @example
 * ```ts
 * v.parse(CountSchema, 8); // 8
 * ```
 */
export const CountSchema = v.pipe(v.number(), v.integer(), v.minValue(0));
