/** How far down a chain of causes is copied; what lies deeper is left out. */
const MAX_CAUSE_DEPTH = 8;

/** The built-in class to copy an error as, so that `cause instanceof TypeError` still holds. */
function builtInClass(error: Error): ErrorConstructor {
  if (error instanceof TypeError) return TypeError;
  if (error instanceof RangeError) return RangeError;
  if (error instanceof SyntaxError) return SyntaxError;
  return Error;
}

/**
 * The fields copied besides `name`, message and stack: what says why a connection failed. Nothing
 * else, whatever it holds: undici's `HTTPParserError#data` holds the bytes its parser stopped at,
 * which can end inside an echoed key, where no redaction can find it.
 */
const COPIED_FIELDS = ['code', 'errno', 'syscall', 'address', 'port'] as const;

/**
 * A copy of what a failed call threw, safe to keep as an error's `cause`: the same class (when a
 * built-in), `name`, message and stack with the secret redacted, and the fields that say why a
 * connection failed (`code`, `errno`, `syscall`, `address`, `port`); the same for its own causes
 * (and an `AggregateError`'s `errors`), down to 8 levels. Other fields are left out, as are causes
 * that are neither errors nor primitives.
 *
 * The original cannot be kept: undici's `HTTPParserError` holds the bytes its parser choked on in
 * `data`, and a server that echoes the request into a malformed answer puts the `Authorization`
 * header there, for `util.inspect` or a logger to print; cut by a network chunk, the key may be
 * there only in part, which no redaction finds.
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
  const fields = cause as Error & Partial<Record<(typeof COPIED_FIELDS)[number], unknown>>;
  for (const field of COPIED_FIELDS) {
    const value = fields[field];
    if (typeof value === 'string') copy[field] = redact(value);
    else if (typeof value === 'number') copy[field] = value;
  }
  const { errors } = cause as { errors?: unknown };
  if (deeper && Array.isArray(errors)) {
    copy.errors = errors.map((error) => redactedCause(error, redact, depth + 1));
  }
  return copy;
}
