import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { fromBase64Url, toBase64Url } from './base64url.ts';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

describe('base64url', () => {
  test.prop([fc.uint8Array({ maxLength: 64 })])('round-trips any bytes', (bytes) => {
    expect(fromBase64Url(toBase64Url(bytes))).toEqual(bytes);
  });

  it('refuses a last character whose spare bits are set: one encoding per byte string', () => {
    expect(toBase64Url(new TextEncoder().encode('hi'))).toBe('aGk');
    expect(fromBase64Url('aGl')).toBeUndefined(); // 'k' and 'l' differ in a spare bit only
    expect(fromBase64Url('aQ')).toBeDefined();
    expect(fromBase64Url('aR')).toBeUndefined();
  });

  test.prop([fc.uint8Array({ minLength: 1, maxLength: 64 }), fc.integer({ min: 1, max: 15 })])(
    'accepts no other spelling of the same bytes',
    (bytes, flip) => {
      const text = toBase64Url(bytes);
      const last = ALPHABET.indexOf(text.at(-1) ?? 'A');
      const spareBits = [0, 0, 4, 2][text.length % 4] ?? 0; // bits of the last char that carry nothing
      const mask = (1 << spareBits) - 1;
      if ((flip & mask) === 0) return;
      const other = `${text.slice(0, -1)}${ALPHABET[last ^ (flip & mask)]}`;
      expect(fromBase64Url(other)).toBeUndefined();
    },
  );
});
