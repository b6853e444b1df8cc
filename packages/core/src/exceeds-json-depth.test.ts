import { describe, expect, it } from 'vitest';
import { exceedsJsonDepth, MAX_JSON_DEPTH } from './exceeds-json-depth.ts';

const nested = (depth: number) => JSON.parse(`${'['.repeat(depth)}${']'.repeat(depth)}`);

describe('exceedsJsonDepth', () => {
  it('counts each array and object as a level; scalars add none', () => {
    expect(MAX_JSON_DEPTH).toBe(64);
    expect(exceedsJsonDepth('text', 0)).toBe(false);
    expect(exceedsJsonDepth({ a: [1, { b: 'c' }] }, 3)).toBe(false);
    expect(exceedsJsonDepth({ a: [1, { b: 'c' }] }, 2)).toBe(true);
    expect(exceedsJsonDepth(nested(MAX_JSON_DEPTH))).toBe(false);
    expect(exceedsJsonDepth(nested(MAX_JSON_DEPTH + 1))).toBe(true);
  });

  it('walks 400 000 levels without overflowing the stack', () => {
    expect(exceedsJsonDepth({ results: { a: nested(400_000) } })).toBe(true);
  });

  it('ends on a value that refers to itself, and on shared values, in bounded time', () => {
    const cycle: unknown[] = [];
    cycle.push(cycle);
    expect(exceedsJsonDepth(cycle)).toBe(true);
    let shared: unknown = 'leaf';
    for (let level = 0; level < 60; level++) shared = [shared, shared]; // 2^60 paths
    expect(exceedsJsonDepth(shared)).toBe(false);
  });
});
