import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { fitLine, visibleLength } from './fit-line.ts';

describe('fitLine', () => {
  it('leaves a line that fits as it is', () => {
    expect(fitLine('abc', 3)).toBe('abc');
  });

  it('cuts a longer line with an ellipsis in the last column', () => {
    expect(fitLine('abcdef', 4)).toBe('abc…');
  });

  it('does not count colour codes, and resets colour after a cut', () => {
    const green = '\u001b[32mabcdef\u001b[39m';
    expect(fitLine(green, 6)).toBe(green);
    expect(fitLine(green, 4)).toBe('\u001b[32mabc…\u001b[0m');
  });

  test.prop([fc.string({ unit: 'grapheme-ascii' }), fc.integer({ min: 1, max: 80 })])(
    'never leaves more visible columns than the width',
    (line, width) => {
      expect(visibleLength(fitLine(line, width))).toBeLessThanOrEqual(width);
    },
  );
});
