/**
 * Tiny hand-written readers for untrusted input (control API bodies, options): a schema library
 * would be the only dependency besides Hono, for a dozen fields. Each reader throws a
 * `TypeError` whose message names the field, never its value, so keys cannot leak into logs.
 */

/**
 * Ids travel in URL paths, so they are limited to unreserved URL characters (RFC 3986 2.3).
 *
 * @example
 * ```ts
 * ID_PATTERN.test('1d6986aa-80ac-4a4d-9009-5a323c9046b1'); // true
 * ```
 */
export const ID_PATTERN = /^[A-Za-z0-9._~-]{1,128}$/;

/**
 * Checks that `value` is a plain object with no keys besides `allowed` (typos fail loudly).
 *
 * @example
 * ```ts
 * const body = readObject(json, 'body', ['ms']);
 * ```
 */
export function readObject(
  value: unknown,
  where: string,
  allowed: readonly string[],
): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError(`${where} must be an object`);
  }
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      throw new TypeError(`${where} has an unknown field "${key.slice(0, 40)}"`);
    }
  }
  return value as Record<string, unknown>;
}

/**
 * Reads an optional string field of at most `maxLength` characters, or matching `pattern`.
 *
 * @example
 * ```ts
 * const name = readOptionalString(body, 'fileName', 'documents[0]', { maxLength: 255 });
 * ```
 */
export function readOptionalString(
  object: Record<string, unknown>,
  key: string,
  where: string,
  rule: { readonly maxLength?: number; readonly pattern?: RegExp } = {},
): string | undefined {
  const value = object[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0) {
    throw new TypeError(`${where}.${key} must be a non-empty string`);
  }
  if (rule.maxLength !== undefined && value.length > rule.maxLength) {
    throw new TypeError(`${where}.${key} must be at most ${rule.maxLength} characters`);
  }
  if (rule.pattern !== undefined && !rule.pattern.test(value)) {
    throw new TypeError(`${where}.${key} must match ${rule.pattern}`);
  }
  return value;
}

/**
 * Reads an optional number field within `[min, max]`, optionally an integer.
 *
 * @example
 * ```ts
 * const pages = readOptionalNumber(body, 'totalPages', 'documents[0]', { min: 1, integer: true });
 * ```
 */
export function readOptionalNumber(
  object: Record<string, unknown>,
  key: string,
  where: string,
  rule: { readonly min?: number; readonly max?: number; readonly integer?: boolean },
): number | undefined {
  const value = object[key];
  if (value === undefined) return undefined;
  const min = rule.min ?? Number.NEGATIVE_INFINITY;
  const max = rule.max ?? Number.MAX_SAFE_INTEGER;
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    (rule.integer === true && !Number.isInteger(value)) ||
    value < min ||
    value > max
  ) {
    const kind = rule.integer === true ? 'an integer' : 'a finite number';
    throw new TypeError(`${where}.${key} must be ${kind} between ${min} and ${max}`);
  }
  return value;
}

/**
 * Reads an optional field that must be one of `choices`.
 *
 * @example
 * ```ts
 * const outcome = readOptionalChoice(body, 'outcome', 'documents[0]', ['completed', 'failed']);
 * ```
 */
export function readOptionalChoice<const T extends string | number>(
  object: Record<string, unknown>,
  key: string,
  where: string,
  choices: readonly T[],
): T | undefined {
  const value = object[key];
  if (value === undefined) return undefined;
  if (!choices.includes(value as T)) {
    throw new TypeError(`${where}.${key} must be one of ${choices.map(String).join(', ')}`);
  }
  return value as T;
}
