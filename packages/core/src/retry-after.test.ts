import { describe, expect, it } from 'vitest';
import { retryAfterMs } from './retry-after.ts';

const now = Date.parse('2026-01-01T00:00:00Z');
const read = (headers: Record<string, string>) => retryAfterMs(new Headers(headers), now);

describe('retryAfterMs', () => {
  it('reads delta-seconds', () => {
    expect(read({ 'retry-after': '3' })).toBe(3000);
    expect(read({ 'retry-after': '0' })).toBe(0);
  });

  it('reads an HTTP-date relative to the injected clock', () => {
    expect(read({ 'retry-after': 'Thu, 01 Jan 2026 00:00:05 GMT' })).toBe(5000);
  });

  it('treats a date in the past as no wait', () => {
    expect(read({ 'retry-after': 'Wed, 31 Dec 2025 23:59:00 GMT' })).toBe(0);
  });

  it('prefers retry-after-ms and rounds it up', () => {
    expect(read({ 'retry-after-ms': '1500.2', 'retry-after': '9' })).toBe(1501);
  });

  it('ignores values it cannot read', () => {
    for (const value of ['-1', 'soon', '1.5', '', '  ', '12abc', 'NaN']) {
      expect(read({ 'retry-after': value })).toBeUndefined();
    }
    expect(read({ 'retry-after-ms': '-5' })).toBeUndefined();
    expect(read({})).toBeUndefined();
  });

  it('falls back to Retry-After when retry-after-ms is junk', () => {
    expect(read({ 'retry-after-ms': 'x', 'retry-after': '2' })).toBe(2000);
  });
});
