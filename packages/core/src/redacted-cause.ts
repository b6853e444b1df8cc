/** How far down a chain of causes is copied; what lies deeper is left out. */
const MAX_CAUSE_DEPTH = 8;

/** The built-in class to copy an error as, so that `cause instanceof TypeError` still holds. */
function builtInClass(error: Error): ErrorConstructor {
  if (error instanceof TypeError) return TypeError;
  if (error instanceof RangeError) return RangeError;
  if (error instanceof SyntaxError) return SyntaxError;
  return Error;
}

/** Fields read from the error itself rather than copied as data. */
const OWN_FIELDS = new Set(['name', 'message', 'stack', 'cause', 'errors']);

/**
 * A copy of what a failed call threw, safe to keep as an error's `cause`: the same class (when a
 * built-in), `name`, message, stack and primitive fields (`code`, `errno`, `syscall`, ...) with
 * the secret redacted from every string, the same for its own causes (and an `AggregateError`'s
 * `errors`), down to 8 levels. Fields holding objects (a socket, a buffer) are left out, as are
 * causes that are neither errors nor primitives.
 *
 * The original cannot be kept: undici's `HTTPParserError` holds the bytes its parser choked on in
 * `data`, and a server that echoes the request into a malformed answer puts the `Authorization`
 * header there, for `util.inspect` or a logger to print.
 *
 * @example
 * ```ts
 * const redact = secretRedactor(apiKey);
 * new ConnectionError('Could not reach Neurolinker', { cause: redactedCause(error, redact) });
 * ```
 */
export function redactedCause(
  cause: unknown,
  redact: (text: string) => string,
  depth = 0,
): unknown {
  if (typeof cause === 'string') return redact(cause);
  if (!(cause instanceof Error)) return typeof cause === 'object' ? undefined : cause;
  const deeper = depth < MAX_CAUSE_DEPTH;
  const inner =
    deeper && cause.cause !== undefined ? redactedCause(cause.cause, redact, depth + 1) : undefined;
  const Kind = builtInClass(cause);
  const made = new Kind(
    redact(String(cause.message)),
    inner === undefined ? undefined : { cause: inner },
  );
  const copy = made as Error & Record<string, unknown>;
  copy.name = redact(String(cause.name));
  if (typeof cause.stack === 'string') copy.stack = redact(cause.stack);
  else delete copy.stack;
  for (const [field, value] of Object.entries(cause)) {
    if (OWN_FIELDS.has(field)) continue;
    if (typeof value === 'string') copy[field] = redact(value);
    else if (value === null || typeof value === 'number' || typeof value === 'boolean') {
      copy[field] = value;
    }
  }
  const { errors } = cause as { errors?: unknown };
  if (deeper && Array.isArray(errors)) {
    copy.errors = errors.map((error) => redactedCause(error, redact, depth + 1));
  }
  return copy;
}
