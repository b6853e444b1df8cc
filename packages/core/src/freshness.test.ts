import { describe, expect, it } from 'vitest';
import { freshnessMs } from './freshness.ts';

const read = (headers: Record<string, string>) => freshnessMs(new Headers(headers));

describe('freshnessMs', () => {
  it('reads max-age minus Age', () => {
    expect(read({ 'cache-control': 'private, max-age=5', age: '2' })).toBe(3000);
    expect(read({ 'cache-control': 'max-age=2' })).toBe(2000);
  });

  it('never goes below zero', () => {
    expect(read({ 'cache-control': 'max-age=2', age: '10' })).toBe(0);
  });

  it('treats no-store and no-cache as nothing fresh', () => {
    expect(read({ 'cache-control': 'no-store' })).toBe(0);
    expect(read({ 'cache-control': 'private, no-cache' })).toBe(0);
  });

  it('says nothing when the response does not', () => {
    expect(read({})).toBeUndefined();
    expect(read({ 'cache-control': 'private' })).toBeUndefined();
    expect(read({ 'cache-control': 'max-age=soon' })).toBeUndefined();
    expect(read({ 'cache-control': 'max-age=-1' })).toBeUndefined();
  });

  it('ignores an unreadable Age', () => {
    expect(read({ 'cache-control': 'max-age=4', age: 'old' })).toBe(4000);
  });
});
