import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { secretRedactor } from './secret-redactor.ts';

const KEY = 'nl_secretKEY0123456789abcdefghijklmn';
const unicodeEscaped = (text: string) =>
  [...text].map((char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');

describe('secretRedactor', () => {
  it('replaces the secret as it is, every time it occurs', () => {
    expect(secretRedactor(KEY)(`a ${KEY} b ${KEY}`)).toBe('a [REDACTED] b [REDACTED]');
  });

  it('replaces the secret written with JSON escapes, so parsing the text cannot bring it back', () => {
    const text = `{"detail":"Invalid key ${unicodeEscaped(KEY)}"}`;
    const redacted = secretRedactor(KEY)(text);
    expect(redacted).toBe('{"detail":"Invalid key [REDACTED]"}');
    expect(JSON.parse(redacted).detail).not.toContain(KEY);
  });

  it('knows upper-case hex, the short escapes and a mix of escaped and plain characters', () => {
    const secret = 'a/b"c\\d';
    const text = '"\\u0061\\/b\\"\\u0063\\\\\\u0064" and "\\u0041"';
    expect(secretRedactor(secret)(text)).toBe('"[REDACTED]" and "\\u0041"');
    expect(secretRedactor('nl_x')('\\u006E\\u006Cl_x')).toBe('\\u006E\\u006Cl_x');
    expect(secretRedactor('nl_x')('\\u006E\\u006C_x')).toBe('[REDACTED]');
  });

  it('leaves text without the secret, and everything for an empty secret, as it is', () => {
    expect(secretRedactor(KEY)('nothing here')).toBe('nothing here');
    expect(secretRedactor('')('nothing here')).toBe('nothing here');
  });

  it('takes linear time on text built to make a regular expression backtrack', () => {
    const started = performance.now();
    secretRedactor('\\\\\\\\\\\\\\\\x')(`${'\\\\'.repeat(200_000)}y`);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  // Without a backslash: the text `\\u0061` holds the key `\u0061` from its second character on,
  // and redacting it there breaks the JSON (a refused answer, not a leak).
  const keyCharacter = fc
    .integer({ min: 0x21, max: 0x7e })
    .filter((code) => code !== 0x5c)
    .map((code) => String.fromCharCode(code));

  test.prop(
    [
      fc.string({ unit: keyCharacter, minLength: 8, maxLength: 64 }),
      fc.array(fc.boolean(), { minLength: 64, maxLength: 64 }),
    ],
    { numRuns: 500 },
  )('no JSON encoding of a key survives parsing', (key, escapeChar) => {
    fc.pre(!'{"detail":"x'.includes(key) && !'y"}'.includes(key));
    const encoded = [...JSON.stringify(key).slice(1, -1).matchAll(/\\.|./g)]
      .map(([piece], index) =>
        escapeChar[index] && piece.length === 1 ? unicodeEscaped(piece) : piece,
      )
      .join('');
    const parsed = JSON.parse(secretRedactor(key)(`{"detail":"x ${encoded} y"}`)).detail;
    expect(parsed).toBe('x [REDACTED] y');
  });
});
