import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLineBuffer } from './line-buffer.ts';

describe('createLineBuffer', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('writes the lines of one interval in one write, each ending in a line feed', () => {
    const writes: string[] = [];
    const lines = createLineBuffer({ write: (text) => writes.push(text), flushAfterMs: 50 });
    lines.push('{"a":1}');
    lines.push('{"a":2}');
    expect(writes).toEqual([]);
    vi.advanceTimersByTime(49);
    expect(writes).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(writes).toEqual(['{"a":1}\n{"a":2}\n']);
    lines.push('{"a":3}');
    vi.advanceTimersByTime(50);
    expect(writes).toEqual(['{"a":1}\n{"a":2}\n', '{"a":3}\n']);
  });

  it('writes at once when maxPendingChars are waiting', () => {
    const writes: string[] = [];
    const lines = createLineBuffer({ write: (text) => writes.push(text), maxPendingChars: 10 });
    lines.push('12345');
    expect(writes).toEqual([]);
    lines.push('67890');
    expect(writes).toEqual(['12345\n67890\n']);
  });

  it('writes everything still queued on flush(), and nothing twice', () => {
    const writes: string[] = [];
    const lines = createLineBuffer({ write: (text) => writes.push(text) });
    lines.push('last');
    lines.flush();
    lines.flush();
    vi.runAllTimers();
    expect(writes).toEqual(['last\n']);
  });

  it('keeps the lines of a failed write, in order, and writes them with the next ones', () => {
    const writes: string[] = [];
    let fail = true;
    const lines = createLineBuffer({
      write: (text) => {
        if (fail) throw Object.assign(new Error('full'), { code: 'EAGAIN' });
        writes.push(text);
      },
      flushAfterMs: 10,
    });
    lines.push('one');
    vi.advanceTimersByTime(10);
    lines.push('two');
    expect(() => lines.flush()).toThrow('full');
    fail = false;
    lines.push('three');
    vi.advanceTimersByTime(10);
    expect(writes.join('')).toBe('one\ntwo\nthree\n');
  });

  it('tries again on its own after a failed timed write', () => {
    const writes: string[] = [];
    let failures = 1;
    const lines = createLineBuffer({
      write: (text) => {
        if (failures-- > 0) throw new Error('full');
        writes.push(text);
      },
      flushAfterMs: 10,
    });
    lines.push('kept');
    vi.advanceTimersByTime(10);
    expect(writes).toEqual([]);
    vi.advanceTimersByTime(10);
    expect(writes).toEqual(['kept\n']);
  });

  it('refuses intervals and sizes that are not positive numbers', () => {
    const write = () => {};
    expect(() => createLineBuffer({ write, flushAfterMs: 0 })).toThrow(TypeError);
    expect(() => createLineBuffer({ write, maxPendingChars: Number.NaN })).toThrow(TypeError);
  });
});
