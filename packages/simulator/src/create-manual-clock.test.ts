import { describe, expect, it } from 'vitest';
import { createManualClock, MANUAL_CLOCK_START } from './create-manual-clock.ts';

describe('createManualClock', () => {
  it('starts at a fixed instant so payload timestamps are stable', () => {
    expect(createManualClock().now()).toBe(MANUAL_CLOCK_START);
    expect(new Date(MANUAL_CLOCK_START).toISOString()).toBe('2025-10-15T10:00:00.000Z');
  });

  it('moves only when advanced or set', () => {
    const clock = createManualClock(1_000);
    expect(clock.now()).toBe(1_000);
    clock.advance(250);
    expect(clock.now()).toBe(1_250);
    clock.set(5);
    expect(clock.now()).toBe(5);
  });

  it('rejects negative or non-finite steps with a TypeError', () => {
    const clock = createManualClock();
    expect(() => clock.advance(-1)).toThrow(TypeError);
    expect(() => clock.advance(Number.NaN)).toThrow(TypeError);
    expect(() => clock.set(Number.POSITIVE_INFINITY)).toThrow(TypeError);
    expect(() => createManualClock(Number.NaN)).toThrow(TypeError);
  });
});
