/**
 * Text from outside (a file name, an error message, a status the server made up) made safe for a
 * terminal or a pipe: control characters (C0, DEL, C1, so escape sequences too) become spaces, and
 * it is kept to one line of at most `max` characters.
 *
 * @example
 * ```ts
 * plainText('\u001b[2Jcleared.pdf'); // '[2Jcleared.pdf' with the ESC replaced by a space
 * ```
 */
export function plainText(text: string, max = 400): string {
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').trim();
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}
