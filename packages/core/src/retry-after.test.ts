import { fc, test } from '@fast-check/vitest';
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

  it('ignores values it cannot read, including dates Date.parse would guess at', () => {
    for (const value of [
      '-1',
      'soon',
      '1.5',
      '',
      '  ',
      '12abc',
      'NaN',
      'x 2030',
      'a 1',
      'Mon 5',
      'Thu, 01 Jan 2026 00:00:05',
      '2026-01-01T00:00:05Z',
      'Thu, 31 Feb 2026 00:00:05 GMT',
      'Thu, 01 Foo 2026 00:00:05 GMT',
      'Thu, 01 Jan 2026 25:00:05 GMT',
    ]) {
      expect(read({ 'retry-after': value })).toBeUndefined();
    }
    expect(read({ 'retry-after-ms': '-5' })).toBeUndefined();
    expect(read({})).toBeUndefined();
  });

  it('falls back to Retry-After when retry-after-ms is junk', () => {
    expect(read({ 'retry-after-ms': 'x', 'retry-after': '2' })).toBe(2000);
  });

  test.prop([fc.string(), fc.string()])(
    'answers any header values with undefined or a finite, non-negative number of ms',
    (retryAfter, retryAfterMilliseconds) => {
      let headers: Headers;
      try {
        headers = new Headers({
          'retry-after': retryAfter,
          'retry-after-ms': retryAfterMilliseconds,
        });
      } catch {
        return; // not a valid header value at all: fetch would never deliver it
      }
      const result = retryAfterMs(headers, now);
      if (result !== undefined) {
        expect(Number.isFinite(result)).toBe(true);
        expect(result).toBeGreaterThanOrEqual(0);
      }
    },
  );

  test.prop([
    fc.date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true }),
  ])('reads back every IMF-fixdate, to the second', (date) => {
    const at = Math.floor(date.getTime() / 1000) * 1000;
    expect(retryAfterMs(new Headers({ 'retry-after': new Date(at).toUTCString() }), 0)).toBe(at);
  });
});
