import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { parseDuration } from './parse-duration.ts';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['1.5m', 90_000],
    ['10m', 600_000],
    ['2h', 7_200_000],
    ['1m30s', 90_000],
    ['45', 45_000],
    ['1h30m', 5_400_000],
    ['1s500ms', 1_500],
  ])('reads %s as %i ms', (text, ms) => {
    expect(parseDuration(text, '--timeout')).toBe(ms);
  });

  it.each([
    '',
    'soon',
    '-1s',
    '10 m',
    '1d',
    'ms',
    '1e3s',
    '30days',
    '999h',
    '0',
    '0s',
    '1h1h',
    '30s1h',
    '5ms3s',
  ])('rejects %j with a message naming the flag', (text) => {
    expect(() => parseDuration(text, '--timeout')).toThrow(/^--timeout must be/);
  });

  test.prop([fc.integer({ min: 1, max: 500 }), fc.constantFrom('ms', 's', 'm', 'h')])(
    'reads any whole amount of any unit as that many unit-lengths',
    (amount, unit) => {
      const unitMs = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit];
      expect(parseDuration(`${amount}${unit}`, '--x')).toBe(amount * unitMs);
    },
  );

  test.prop([fc.string()])(
    'either returns a whole, positive number of ms or throws a usage error',
    (text) => {
      try {
        const ms = parseDuration(text, '--x');
        expect(Number.isInteger(ms) && ms > 0).toBe(true);
      } catch (error) {
        expect((error as { code?: string }).code).toBe('USAGE');
      }
    },
  );
});
