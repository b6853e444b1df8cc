import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { createHoldOff, type HoldOffOptions } from './hold-off.ts';

/** A hold-off on a clock the test moves by hand. */
function holdOffAt(start = 1_000_000, options: Omit<HoldOffOptions, 'now'> = {}) {
  let time = start;
  const holdOff = createHoldOff({ now: () => time, ...options });
  return {
    holdOff,
    advance(ms: number) {
      time += ms;
    },
  };
}

describe('createHoldOff', () => {
  it('holds nothing off before any 429', () => {
    const { holdOff } = holdOffAt();
    expect(holdOff.remainingMs('a', 's')).toBe(0);
  });

  it('holds a key off for the time the upstream hinted', () => {
    const { holdOff, advance } = holdOffAt();
    holdOff.rateLimited('a', 's', 5_000);
    expect(holdOff.remainingMs('a', 's')).toBe(5_000);
    advance(4_999);
    expect(holdOff.remainingMs('a', 's')).toBe(1);
    advance(1);
    expect(holdOff.remainingMs('a', 's')).toBe(0);
  });

  it('holds off only the key that was rate limited', () => {
    const { holdOff } = holdOffAt();
    holdOff.rateLimited('a', 's', 5_000);
    expect(holdOff.remainingMs('b', 's')).toBe(0);
  });

  it('holds a key off for one second when the upstream gives no usable hint', () => {
    for (const hint of [undefined, 0, -3, Number.NaN]) {
      const { holdOff } = holdOffAt();
      holdOff.rateLimited('a', 's', hint);
      expect(holdOff.remainingMs('a', 's')).toBe(1_000);
    }
  });

  it('uses the configured default when there is no hint', () => {
    const { holdOff } = holdOffAt(0, { defaultMs: 250 });
    holdOff.rateLimited('a', 's', undefined);
    expect(holdOff.remainingMs('a', 's')).toBe(250);
  });

  it('caps a hold at maxMs, whatever the upstream hints', () => {
    const { holdOff } = holdOffAt(0, { maxMs: 30_000 });
    holdOff.rateLimited('a', 's', 3_600_000);
    expect(holdOff.remainingMs('a', 's')).toBe(30_000);
    holdOff.rateLimited('b', 's', Number.POSITIVE_INFINITY);
    expect(holdOff.remainingMs('b', 's')).toBe(30_000);
  });

  it('caps a hold at one minute by default', () => {
    const { holdOff } = holdOffAt();
    holdOff.rateLimited('a', 's', 600_000);
    expect(holdOff.remainingMs('a', 's')).toBe(60_000);
  });

  it('replaces a key’s hold with the latest 429’s', () => {
    const { holdOff, advance } = holdOffAt();
    holdOff.rateLimited('a', 's', 10_000);
    advance(1_000);
    holdOff.rateLimited('a', 's', 2_000);
    expect(holdOff.remainingMs('a', 's')).toBe(2_000);
  });

  test.prop([
    fc.option(fc.double({ noNaN: false }), { nil: undefined }),
    fc.integer({ min: 1, max: 120_000 }),
  ])('never holds a key off for less than nothing or more than maxMs', (hint, maxMs) => {
    const { holdOff } = holdOffAt(0, { maxMs, defaultMs: 1_000 });
    holdOff.rateLimited('a', 's', hint);
    const remaining = holdOff.remainingMs('a', 's');
    expect(remaining).toBeGreaterThan(0);
    expect(remaining).toBeLessThanOrEqual(maxMs);
  });

  describe('the global hold', () => {
    it('holds off only the scope whose keys were rate limited (one tenant never blocks another)', () => {
      const { holdOff } = holdOffAt();
      for (const key of ['a', 'b', 'c']) holdOff.rateLimited(key, 'tenant-1', 5_000);
      expect(holdOff.remainingMs('other', 'tenant-1')).toBe(5_000);
      expect(holdOff.remainingMs('other', 'tenant-2')).toBe(0);
    });

    it('holds off every key of the scope after three 429s within ten seconds', () => {
      const { holdOff, advance } = holdOffAt();
      holdOff.rateLimited('a', 's', 2_000);
      advance(4_000);
      holdOff.rateLimited('b', 's', 2_000);
      expect(holdOff.remainingMs('other', 's')).toBe(0);
      advance(4_000);
      holdOff.rateLimited('c', 's', 2_000);
      expect(holdOff.remainingMs('other', 's')).toBe(2_000);
      advance(1_500);
      expect(holdOff.remainingMs('other', 's')).toBe(500);
      advance(500);
      expect(holdOff.remainingMs('other', 's')).toBe(0);
    });

    it('does not hold off other keys when the 429s are spread out', () => {
      const { holdOff, advance } = holdOffAt();
      for (const key of ['a', 'b', 'c', 'd', 'e']) {
        holdOff.rateLimited(key, 's', 1_000);
        advance(5_000);
      }
      expect(holdOff.remainingMs('other', 's')).toBe(0);
    });

    it('forgets a 429 once it is windowMs old', () => {
      const { holdOff, advance } = holdOffAt();
      holdOff.rateLimited('a', 's', 1_000);
      advance(1_000);
      holdOff.rateLimited('b', 's', 1_000);
      advance(9_000);
      // 'a' is exactly windowMs old now, so only 'b' and 'c' count.
      holdOff.rateLimited('c', 's', 1_000);
      expect(holdOff.remainingMs('other', 's')).toBe(0);
    });

    it('follows the configured threshold and window', () => {
      const { holdOff, advance } = holdOffAt(0, { globalThreshold: 2, windowMs: 1_000 });
      holdOff.rateLimited('a', 's', 3_000);
      advance(1_000);
      holdOff.rateLimited('b', 's', 3_000);
      expect(holdOff.remainingMs('other', 's')).toBe(0);
      advance(999);
      holdOff.rateLimited('c', 's', 3_000);
      expect(holdOff.remainingMs('other', 's')).toBe(3_000);
    });

    it('outlasts a shorter key hold, and a key hold outlasts it', () => {
      const { holdOff } = holdOffAt(0, { globalThreshold: 2 });
      holdOff.rateLimited('long', 's', 20_000);
      holdOff.rateLimited('short', 's', 5_000);
      expect(holdOff.remainingMs('long', 's')).toBe(20_000);
      expect(holdOff.remainingMs('short', 's')).toBe(5_000);
      expect(holdOff.remainingMs('other', 's')).toBe(5_000);
    });

    it('is never shortened by a later 429 with a shorter hint', () => {
      const { holdOff } = holdOffAt(0, { globalThreshold: 1 });
      holdOff.rateLimited('a', 's', 10_000);
      holdOff.rateLimited('b', 's', 1_000);
      expect(holdOff.remainingMs('other', 's')).toBe(10_000);
    });
  });

  describe('its memory', () => {
    it('remembers at most maxKeys holds, dropping the oldest first', () => {
      const { holdOff } = holdOffAt(0, { maxKeys: 2, globalThreshold: 100 });
      holdOff.rateLimited('a', 's', 5_000);
      holdOff.rateLimited('b', 's', 5_000);
      holdOff.rateLimited('c', 's', 5_000);
      expect(holdOff.remainingMs('a', 's')).toBe(0);
      expect(holdOff.remainingMs('b', 's')).toBe(5_000);
      expect(holdOff.remainingMs('c', 's')).toBe(5_000);
    });

    it('counts a key rate limited again as the newest', () => {
      const { holdOff } = holdOffAt(0, { maxKeys: 2, globalThreshold: 100 });
      holdOff.rateLimited('a', 's', 5_000);
      holdOff.rateLimited('b', 's', 5_000);
      holdOff.rateLimited('a', 's', 5_000);
      holdOff.rateLimited('c', 's', 5_000);
      expect(holdOff.remainingMs('a', 's')).toBe(5_000);
      expect(holdOff.remainingMs('b', 's')).toBe(0);
      expect(holdOff.remainingMs('c', 's')).toBe(5_000);
    });
  });
});
