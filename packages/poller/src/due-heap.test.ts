import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { DueHeap } from './due-heap.ts';

describe('DueHeap', () => {
  test.prop([fc.array(fc.integer({ min: -1e9, max: 1e9 }))])(
    'pops items in order of dueAt',
    (times) => {
      const heap = new DueHeap<{ dueAt: number }>();
      for (const dueAt of times) heap.push({ dueAt });
      const popped: number[] = [];
      for (let item = heap.pop(); item !== undefined; item = heap.pop()) popped.push(item.dueAt);
      expect(popped).toEqual([...times].sort((a, b) => a - b));
    },
  );

  it('drops what compact() is told to drop, keeping the order of the rest', () => {
    const heap = new DueHeap<{ dueAt: number; stopped: boolean }>();
    for (const dueAt of [5, 1, 4, 2, 3]) heap.push({ dueAt, stopped: dueAt % 2 === 0 });
    heap.compact((item) => !item.stopped);
    expect(heap.size).toBe(3);
    expect([heap.pop()?.dueAt, heap.pop()?.dueAt, heap.pop()?.dueAt]).toEqual([1, 3, 5]);
  });
});
