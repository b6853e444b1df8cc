/**
 * Bad usage: an unknown command or flag, a missing or malformed value. The CLI prints its message
 * as one line and exits 2 before making any request.
 *
 * @example
 * ```ts
 * throw new UsageError('--timeout needs a duration such as 30s or 10m');
 * ```
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly code = 'USAGE';
}

/**
 * Whether `value` is a {@link UsageError}, across realms (checks `code`).
 *
 * @example
 * ```ts
 * if (isUsageError(error)) return EXIT_CODES.usage;
 * ```
 */
export function isUsageError(value: unknown): value is UsageError {
  return value instanceof Error && (value as { code?: unknown }).code === 'USAGE';
}
