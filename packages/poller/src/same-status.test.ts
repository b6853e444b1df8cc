import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { sameStatus } from './same-status.ts';

describe('sameStatus', () => {
  it('ignores key order and compares deeply', () => {
    expect(sameStatus({ a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1 })).toBe(true);
    expect(sameStatus({ a: 1, b: { c: [1, 2] } }, { a: 1, b: { c: [2, 1] } })).toBe(false);
  });

  it('sees a field that appears, disappears or changes type', () => {
    expect(sameStatus({ a: 1 }, { a: 1, b: undefined })).toBe(false);
    expect(sameStatus({ a: null }, { a: undefined })).toBe(false);
    expect(sameStatus({ a: [] }, { a: {} })).toBe(false);
    expect(sameStatus({ a: '1' }, { a: 1 })).toBe(false);
  });

  test.prop([fc.jsonValue()])('holds for any JSON value and its copy', (value) => {
    expect(sameStatus(value, structuredClone(value))).toBe(true);
  });

  test.prop([fc.jsonValue(), fc.jsonValue()])('agrees with comparing canonical JSON', (a, b) => {
    const canonical = (value: unknown): string =>
      JSON.stringify(value, (_key, inner) =>
        inner && typeof inner === 'object' && !Array.isArray(inner)
          ? Object.fromEntries(Object.entries(inner).sort(([x], [y]) => (x < y ? -1 : 1)))
          : inner,
      );
    expect(sameStatus(a, b)).toBe(canonical(a) === canonical(b));
  });
});
