import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { retryDelay } from './retry-delay.ts';

const backoff = { baseDelayMs: 300, maxDelayMs: 10_000 };

describe('retryDelay', () => {
  it('doubles the ceiling with each retry until the cap', () => {
    const almostOne = () => 0.999_999;
    expect([0, 1, 2, 3, 4, 5, 6].map((retry) => retryDelay(retry, backoff, almostOne))).toEqual([
      299, 599, 1199, 2399, 4799, 9599, 9999,
    ]);
  });

  it('draws from zero (full jitter)', () => {
    expect(retryDelay(3, backoff, () => 0)).toBe(0);
  });

  it('survives a broken random source', () => {
    expect(retryDelay(0, backoff, () => Number.NaN)).toBe(300);
    expect(retryDelay(0, backoff, () => -3)).toBe(0);
    expect(retryDelay(0, backoff, () => 7)).toBe(300);
  });

  test.prop([
    fc.integer({ min: 0, max: 10_000 }),
    fc.integer({ min: 0, max: 100_000 }),
    fc.integer({ min: 0, max: 1_000_000 }),
    fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
  ])(
    'stays a finite integer within [0, min(cap, base * 2^retry)]',
    (retry, baseDelayMs, maxDelayMs, draw) => {
      const delay = retryDelay(retry, { baseDelayMs, maxDelayMs }, () => draw);
      expect(Number.isInteger(delay)).toBe(true);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThanOrEqual(
        baseDelayMs === 0 ? 0 : Math.min(maxDelayMs, baseDelayMs * 2 ** retry),
      );
    },
  );
});
