/** What a secret is replaced with. */
const REDACTED = '[REDACTED]';

// RFC 8259 7: the short escapes a JSON string may use for these characters.
const SHORT_ESCAPES: Readonly<Record<string, string>> = {
  '"': '\\\\"',
  '\\': '\\\\\\\\',
  '/': '\\\\/',
  '\b': '\\\\b',
  '\f': '\\\\f',
  '\n': '\\\\n',
  '\r': '\\\\r',
  '\t': '\\\\t',
};

/** `\uXXXX` for one UTF-16 unit, hex digits in either case (RFC 8259 7). */
function unicodeEscape(unit: number): string {
  const hex = unit.toString(16).padStart(4, '0');
  return `\\\\u${[...hex].map((digit) => (/[a-f]/.test(digit) ? `[${digit}${digit.toUpperCase()}]` : digit)).join('')}`;
}

/**
 * One character of the secret as it may stand inside a JSON string: itself (unless JSON must
 * escape it), its short escape, or its `\uXXXX` escape. Each alternative but the first starts
 * with a backslash and differs at the second character, so matching never backtracks.
 */
function jsonCharacter(char: string): string {
  const alternatives = [unicodeEscape(char.charCodeAt(0))];
  const short = SHORT_ESCAPES[char];
  if (short !== undefined) alternatives.unshift(short);
  if (char !== '"' && char !== '\\' && char >= ' ') {
    alternatives.unshift(char.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&'));
  }
  return `(?:${alternatives.join('|')})`;
}

/**
 * Returns a function that replaces a secret (an API key, a bearer token) with `[REDACTED]` in
 * text from an untrusted server: as it is, and as it may be written inside a JSON string, with
 * any of its characters escaped (`\u006e`, `\/`). Redacting the raw body is then enough to keep
 * the secret out of everything parsed from it (a `detail`, a value a validation message quotes).
 *
 * An upstream or a proxy may echo the `Authorization` header back in an error body; a FastAPI
 * service escapes nothing, others escape everything, so both forms are looked for.
 *
 * @example
 * ```ts
 * const redact = secretRedactor('nl_abc123');
 * redact('{"detail":"bad key \\u006e\\u006c_abc123"}'); // '{"detail":"bad key [REDACTED]"}'
 * ```
 */
export function secretRedactor(secret: string): (text: string) => string {
  if (secret === '') return (text) => text;
  // By UTF-16 unit, as `\uXXXX` escapes go.
  const escaped = new RegExp(secret.split('').map(jsonCharacter).join(''), 'g');
  return (text) => {
    // Escaped forms first: the plain pass could cut into an escape (`\u0030` holds a `0`).
    // Without a backslash nothing is escaped: the common case skips the expression.
    const unescaped = text.includes('\\') ? text.replace(escaped, REDACTED) : text;
    return unescaped.split(secret).join(REDACTED);
  };
}
