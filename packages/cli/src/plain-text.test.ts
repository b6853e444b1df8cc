import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { plainText } from './plain-text.ts';

describe('plainText', () => {
  it('defuses escape sequences and newlines', () => {
    expect(plainText('\u001b[31mRED\u001b]0;pwned\u0007.pdf')).toBe('[31mRED ]0;pwned .pdf');
    expect(plainText('a\nb\r\nc')).toBe('a b c');
  });

  it('keeps one bounded line', () => {
    expect(plainText('x'.repeat(500), 10)).toBe(`${'x'.repeat(10)}…`);
  });

  test.prop([fc.string({ unit: 'binary' })])('never lets a control character through', (text) => {
    expect(plainText(text)).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
  });
});
