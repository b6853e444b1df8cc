import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { createSeededRandom } from './seeded-random.ts';

describe('createSeededRandom', () => {
  test.prop([fc.integer()])('draws version 4 UUIDs', (seed) => {
    const random = createSeededRandom(seed);
    for (let i = 0; i < 5; i++) {
      expect(random.uuid()).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      );
    }
  });

  test.prop([fc.integer(), fc.integer({ min: -50, max: 50 }), fc.integer({ min: 0, max: 50 })])(
    'draws integers within the bounds, both included',
    (seed, min, span) => {
      const value = createSeededRandom(seed).int(min, min + span);
      expect(value).toBeGreaterThanOrEqual(min);
      expect(value).toBeLessThanOrEqual(min + span);
    },
  );

  it('repeats itself for the same seed and differs for another', () => {
    const a = createSeededRandom(1);
    const b = createSeededRandom(1);
    const c = createSeededRandom(2);
    const first = a.uuid();
    expect(b.uuid()).toBe(first);
    expect(c.uuid()).not.toBe(first);
  });
});
