import { describe, expect, it } from 'vitest';
import { setNewest } from './set-newest.ts';

describe('setNewest', () => {
  it('keeps the newest entries, a key set again counting as new', () => {
    const map = new Map<string, number>();
    for (const [key, value] of [
      ['a', 1],
      ['b', 2],
      ['a', 3],
      ['c', 4],
    ] as const) {
      setNewest(map, key, value, 2);
    }
    expect([...map]).toEqual([
      ['a', 3],
      ['c', 4],
    ]);
  });

  it('ends with a size below zero (keeping nothing)', () => {
    const map = new Map<string, number>();
    setNewest(map, 'a', 1, -1);
    expect(map.size).toBe(0);
  });
});
