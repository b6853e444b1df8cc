import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { formatTimestamp } from './format-timestamp.ts';

describe('formatTimestamp', () => {
  it('writes microseconds and Z like the published example', () => {
    expect(formatTimestamp(1_760_521_790_574_754)).toBe('2025-10-15T09:49:50.574754Z');
  });

  it('pads small fractions to six digits', () => {
    expect(formatTimestamp(1_760_521_790_000_007)).toBe('2025-10-15T09:49:50.000007Z');
  });

  test.prop([fc.integer({ min: 0, max: 4_102_444_800_000 }), fc.integer({ min: 0, max: 999 })])(
    'agrees with Date to the millisecond',
    (ms, micros) => {
      const text = formatTimestamp(ms * 1000 + micros);
      expect(text).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
      expect(Date.parse(text)).toBe(ms);
    },
  );
});
