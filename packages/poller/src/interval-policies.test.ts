import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import {
  ADAPTIVE_INTERVAL_DEFAULTS,
  type AdaptiveIntervalOptions,
  adaptiveInterval,
} from './adaptive-interval.ts';
import { exponentialInterval } from './exponential-interval.ts';
import { fixedInterval } from './fixed-interval.ts';
import { clampDelay, MAX_TIMER_MS, type PollContext } from './interval-policy.ts';

const NOW = Date.parse('2025-10-15T10:00:00.000Z');

/** A random source in [0, 1), as `Math.random` gives. */
const unitDraw = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });

/** Valid adaptiveInterval options, with maxIntervalMs at least initialIntervalMs and nearIntervalMs. */
const adaptiveOptions = fc
  .record({
    initialIntervalMs: fc.double({ min: 1, max: 60_000, noNaN: true }),
    nearIntervalMs: fc.double({ min: 1, max: 60_000, noNaN: true }),
    nearMinIntervalMs: fc.double({ min: 1, max: 60_000, noNaN: true }),
    sharedNearIntervalMs: fc.double({ min: 1, max: 60_000, noNaN: true }),
    extraMaxMs: fc.double({ min: 0, max: 600_000, noNaN: true }),
    growth: fc.double({ min: 1, max: 10, noNaN: true }),
    jitter: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
  })
  .map(({ extraMaxMs, ...rest }) => ({
    ...rest,
    maxIntervalMs: Math.max(rest.initialIntervalMs, rest.nearIntervalMs) + extraMaxMs,
  }));

/** Any number a buggy estimator or a custom one could put in `expected`. */
const weirdNumber = fc.oneof(
  fc.double(), // includes NaN, +-Infinity, -0 and huge values
  fc.double({ min: -1e7, max: 1e7, noNaN: true }).map((offset) => NOW + offset),
  fc.constantFrom(
    Number.NaN,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    Number.MAX_VALUE,
    -Number.MAX_VALUE,
    0,
    -1,
    1e300,
  ),
);

const expectedCompletion = fc.option(
  fc.record({
    atMs: weirdNumber,
    spreadMs: fc.oneof(weirdNumber, fc.double({ min: 0, max: 1e6, noNaN: true })),
  }),
  { nil: undefined },
);

/** A PollContext as a watch builds it, but with random (and sometimes absurd) expectations. */
const pollContext = fc
  .record({
    nowOffset: fc.double({ min: -1e7, max: 1e7, noNaN: true }),
    elapsedMs: fc.double({ min: 0, max: 1e9, noNaN: true }),
    polls: fc.nat({ max: 100_000 }),
    unchangedPolls: fc.nat({ max: 100_000 }),
    sharedBy: fc.integer({ min: 1, max: 1_000 }),
    expected: expectedCompletion,
    draw: unitDraw,
  })
  .map(
    ({ nowOffset, draw, ...rest }): PollContext => ({
      ...rest,
      now: NOW + nowOffset,
      status: undefined,
      random: () => draw,
    }),
  );

function context(overrides: Partial<PollContext> = {}): PollContext {
  return {
    now: NOW,
    elapsedMs: 0,
    polls: 1,
    unchangedPolls: 0,
    sharedBy: 1,
    status: undefined,
    expected: undefined,
    random: () => 0.5,
    ...overrides,
  };
}

/** min <= max <= MAX_TIMER_MS, as the watch options guarantee. */
const bounds = fc
  .tuple(fc.double({ min: 0, max: 1e6, noNaN: true }), fc.double({ min: 0, max: 1e7, noNaN: true }))
  .map(([min, extra]) => ({ min, max: Math.min(MAX_TIMER_MS, min + extra) }));

describe('clampDelay', () => {
  it('maps NaN and +Infinity to max, and -Infinity and negatives to min', () => {
    expect(clampDelay(Number.NaN, 250, 30_000)).toBe(30_000);
    expect(clampDelay(Number.POSITIVE_INFINITY, 250, 30_000)).toBe(30_000);
    expect(clampDelay(Number.NEGATIVE_INFINITY, 250, 30_000)).toBe(250);
    expect(clampDelay(-1, 250, 30_000)).toBe(250);
    expect(clampDelay(-0, 0, 30_000)).toBe(0);
    expect(clampDelay(1_000, 250, 30_000)).toBe(1_000);
    expect(clampDelay(1e12, 250, 30_000)).toBe(30_000);
  });

  it('never returns more than MAX_TIMER_MS, whatever the max', () => {
    expect(clampDelay(1e15, 0, 1e16)).toBe(MAX_TIMER_MS);
    expect(clampDelay(Number.NaN, 0, Number.POSITIVE_INFINITY)).toBe(MAX_TIMER_MS);
    expect(clampDelay(Number.POSITIVE_INFINITY, 0, 1e16)).toBe(MAX_TIMER_MS);
  });

  test.prop([fc.double(), bounds])(
    'returns a finite value within [min, max] for any input',
    (value, { min, max }) => {
      const clamped = clampDelay(value, min, max);
      expect(Number.isFinite(clamped)).toBe(true);
      expect(clamped).toBeGreaterThanOrEqual(min);
      expect(clamped).toBeLessThanOrEqual(max);
    },
  );

  test.prop([fc.double({ min: 0, max: 1e6, noNaN: true }), bounds])(
    'leaves a value already within bounds alone',
    (value, { min, max }) => {
      fc.pre(value >= min && value <= max);
      expect(clampDelay(value, min, max)).toBe(value);
    },
  );
});

describe('adaptiveInterval', () => {
  test.prop([adaptiveOptions, pollContext, bounds], { numRuns: 1_000 })(
    'gives a finite delay within bounds once clamped, for any options and context',
    (options, pollContextValue, { min, max }) => {
      const delay = clampDelay(adaptiveInterval(options)(pollContextValue), min, max);
      expect(Number.isFinite(delay)).toBe(true);
      expect(delay).toBeGreaterThanOrEqual(min);
      expect(delay).toBeLessThanOrEqual(max);
    },
  );

  test.prop([adaptiveOptions, pollContext], { numRuns: 1_000 })(
    'returns a finite raw delay between min(initial, near, nearMin) x (1 - jitter) and maxIntervalMs',
    (options, pollContextValue) => {
      const raw = adaptiveInterval(options)(pollContextValue);
      expect(Number.isFinite(raw)).toBe(true);
      const floor =
        Math.min(
          options.initialIntervalMs,
          options.nearIntervalMs,
          options.nearMinIntervalMs,
          options.sharedNearIntervalMs,
        ) *
        (1 - options.jitter);
      // A hair of slack for the float product `ms * (1 - jitter + ...)`.
      expect(raw).toBeGreaterThanOrEqual(floor * (1 - 1e-12));
      expect(raw).toBeLessThanOrEqual(options.maxIntervalMs);
    },
  );

  test.prop([adaptiveOptions, unitDraw, fc.nat({ max: 200 })])(
    'backs off while nothing changes and resets on a change',
    (options, draw, unchanged) => {
      const policy = adaptiveInterval(options);
      const at = (unchangedPolls: number) =>
        policy(context({ unchangedPolls, random: () => draw }));
      expect(at(unchanged + 1)).toBeGreaterThanOrEqual(at(unchanged));
      const reset = at(0);
      const factor = 1 - options.jitter + 2 * options.jitter * draw;
      expect(reset).toBeCloseTo(
        Math.min(options.maxIntervalMs, options.initialIntervalMs * factor),
      );
    },
  );

  test.prop([adaptiveOptions, unitDraw, fc.double({ min: 0, max: 1, noNaN: true })])(
    'inside the expected window, waits nearIntervalMs x sqrt(share of the window ahead), at least nearMinIntervalMs',
    (options, draw, position) => {
      const spreadMs = 60_000;
      const atMs = NOW + 120_000;
      // Anywhere in [atMs - spread, atMs + spread].
      const now = atMs - spreadMs + position * 2 * spreadMs;
      const policy = adaptiveInterval(options);
      const at = (when: number) =>
        policy(context({ now: when, expected: { atMs, spreadMs }, random: () => draw }));
      const floor = Math.min(options.nearMinIntervalMs, options.nearIntervalMs);
      const ahead = (atMs + spreadMs - now) / (2 * spreadMs);
      const factor = 1 - options.jitter + 2 * options.jitter * draw;
      expect(at(now)).toBeCloseTo(
        Math.min(
          options.maxIntervalMs,
          Math.max(floor, options.nearIntervalMs * Math.sqrt(ahead)) * factor,
        ),
      );
      // As the window runs out, the wait never grows.
      expect(at(Math.min(atMs + spreadMs, now + 1_000))).toBeLessThanOrEqual(at(now) + 1e-9);
    },
  );

  test.prop([adaptiveOptions, pollContext], { numRuns: 1_000 })(
    'never waits longer than maxIntervalMs, in any phase',
    (options, pollContextValue) => {
      expect(adaptiveInterval(options)(pollContextValue)).toBeLessThanOrEqual(
        options.maxIntervalMs,
      );
    },
  );

  it('uses the defaults without an estimate: 1 s first, x1.6 per unchanged poll, capped at 3.75 s', () => {
    const policy = adaptiveInterval({ jitter: 0 });
    expect(policy(context({ unchangedPolls: 0 }))).toBe(1_000);
    expect(policy(context({ unchangedPolls: 1 }))).toBe(1_600);
    expect(policy(context({ unchangedPolls: 2 }))).toBeCloseTo(2_560);
    expect(policy(context({ unchangedPolls: 3 }))).toBe(3_750);
    expect(policy(context({ unchangedPolls: 50 }))).toBe(3_750);
    expect(policy(context({ unchangedPolls: 50 }))).toBe(ADAPTIVE_INTERVAL_DEFAULTS.maxIntervalMs);
    expect(policy(context({ unchangedPolls: 0 }))).toBe(1_000);
  });

  it('applies jitter of +-10 % by default', () => {
    const policy = adaptiveInterval();
    expect(policy(context({ random: () => 0 }))).toBeCloseTo(900);
    expect(policy(context({ random: () => 0.5 }))).toBeCloseTo(1_000);
    expect(policy(context({ random: () => 0.999_999 }))).toBeCloseTo(1_100, 0);
  });

  it('walks towards the expected window in steps of maxIntervalMs (3.75 s), so that a failure before it shows', () => {
    const policy = adaptiveInterval({ jitter: 0 });
    const expected = { atMs: NOW + 100_000, spreadMs: 10_000 };
    expect(policy(context({ now: NOW, expected }))).toBe(3_750);
    expect(policy(context({ now: NOW + 80_000, expected }))).toBe(3_750);
    // Just before the window: never less than nearIntervalMs.
    expect(policy(context({ now: NOW + 89_900, expected }))).toBe(2_600);
    // A longer ceiling, for callers who would rather see failures late than poll often.
    const patient = adaptiveInterval({ jitter: 0, maxIntervalMs: 30_000 });
    expect(patient(context({ now: NOW + 80_000, expected }))).toBe(10_000);
    expect(patient(context({ now: NOW, expected }))).toBe(30_000);
  });

  it('polls more often as the window runs out, and backs off gently when late, up to maxIntervalMs', () => {
    const policy = adaptiveInterval({ jitter: 0 });
    const expected = { atMs: NOW + 100_000, spreadMs: 10_000 };
    const at = (offset: number) => policy(context({ now: NOW + offset, expected }));
    expect(at(90_000)).toBe(2_600);
    expect(at(100_000)).toBeCloseTo(2_600 * Math.sqrt(0.5));
    expect(at(105_000)).toBeCloseTo(1_300);
    expect(at(109_000)).toBe(1_000);
    expect(at(110_000)).toBe(1_000);
    expect(at(114_000)).toBe(1_000 + 4_000 / 4);
    expect(at(10_000_000)).toBe(3_750);
  });

  it('starts the window at sharedNearIntervalMs (2.2 s) when one poll answers for several documents', () => {
    const policy = adaptiveInterval({ jitter: 0 });
    const expected = { atMs: NOW + 100_000, spreadMs: 10_000 };
    const at = (offset: number, sharedBy: number) =>
      policy(context({ now: NOW + offset, expected, sharedBy }));
    expect(at(90_000, 1)).toBe(2_600);
    expect(at(90_000, 2)).toBe(2_200);
    expect(at(90_000, 50)).toBe(2_200);
    expect(at(100_000, 10)).toBeCloseTo(2_200 * Math.sqrt(0.5));
    expect(at(109_000, 10)).toBe(1_000);
    // Before and after the window, and without an estimate, sharing changes nothing.
    expect(at(0, 10)).toBe(at(0, 1));
    expect(at(120_000, 10)).toBe(at(120_000, 1));
    expect(policy(context({ unchangedPolls: 2, sharedBy: 10 }))).toBeCloseTo(2_560);
  });

  it('keeps the wait inside the window at most nearIntervalMs when nearMinIntervalMs is above it', () => {
    const policy = adaptiveInterval({ jitter: 0, nearIntervalMs: 500 });
    const expected = { atMs: NOW + 100_000, spreadMs: 10_000 };
    for (const offset of [90_000, 100_000, 109_999])
      expect(policy(context({ now: NOW + offset, expected }))).toBeLessThanOrEqual(500);
  });

  it('treats an expectation that is not a number as no expectation', () => {
    const policy = adaptiveInterval({ jitter: 0 });
    for (const expected of [
      { atMs: Number.NaN, spreadMs: 1_000 },
      { atMs: NOW, spreadMs: Number.NaN },
    ]) {
      expect(policy(context({ unchangedPolls: 1, expected }))).toBe(1_600);
    }
  });

  it('rejects nonsense options with a TypeError', () => {
    const bad: AdaptiveIntervalOptions[] = [
      { initialIntervalMs: 0 },
      { initialIntervalMs: -5 },
      { initialIntervalMs: Number.NaN },
      { nearIntervalMs: Number.POSITIVE_INFINITY },
      { nearMinIntervalMs: 0 },
      { nearMinIntervalMs: Number.NaN },
      { sharedNearIntervalMs: 0 },
      { maxIntervalMs: 0 },
      { growth: 0.5 },
      { growth: Number.NaN },
      { growth: Number.POSITIVE_INFINITY },
      { jitter: -0.1 },
      { jitter: 1 },
      { jitter: Number.NaN },
    ];
    for (const options of bad)
      expect(() => adaptiveInterval(options), JSON.stringify(options)).toThrow(TypeError);
    expect(() => adaptiveInterval({ growth: 1, jitter: 0 })).not.toThrow();
  });
});

describe('exponentialInterval', () => {
  const exponentialOptions = fc
    .tuple(
      fc.double({ min: 1, max: 1e6, noNaN: true }),
      fc.double({ min: 0, max: 1e7, noNaN: true }),
    )
    .map(([minDelayMs, extra]) => ({ minDelayMs, maxDelayMs: minDelayMs + extra }));

  test.prop([exponentialOptions, pollContext, bounds])(
    'gives a finite delay within bounds once clamped',
    (options, pollContextValue, { min, max }) => {
      const delay = clampDelay(exponentialInterval(options)(pollContextValue), min, max);
      expect(Number.isFinite(delay)).toBe(true);
      expect(delay).toBeGreaterThanOrEqual(min);
      expect(delay).toBeLessThanOrEqual(max);
    },
  );

  test.prop([exponentialOptions, pollContext])(
    'draws between minDelayMs and maxDelayMs',
    (options, pollContextValue) => {
      const raw = exponentialInterval(options)(pollContextValue);
      expect(Number.isFinite(raw)).toBe(true);
      expect(raw).toBeGreaterThanOrEqual(options.minDelayMs);
      expect(raw).toBeLessThanOrEqual(options.maxDelayMs);
    },
  );

  it('doubles its ceiling with every poll, up to maxDelayMs', () => {
    const policy = exponentialInterval({ minDelayMs: 2_000, maxDelayMs: 120_000 });
    const top = (polls: number) => policy(context({ polls, random: () => 1 }));
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8, 2_000].map(top)).toEqual([
      2_000, 2_000, 4_000, 8_000, 16_000, 32_000, 64_000, 120_000, 120_000, 120_000,
    ]);
    expect(policy(context({ polls: 5, random: () => 0 }))).toBe(2_000);
  });

  it('rejects nonsense options with a TypeError', () => {
    expect(() => exponentialInterval({ minDelayMs: 0 })).toThrow(TypeError);
    expect(() => exponentialInterval({ minDelayMs: Number.NaN })).toThrow(TypeError);
    expect(() => exponentialInterval({ minDelayMs: 5_000, maxDelayMs: 1_000 })).toThrow(TypeError);
    expect(() => exponentialInterval({ maxDelayMs: Number.POSITIVE_INFINITY })).toThrow(TypeError);
  });
});

describe('fixedInterval', () => {
  test.prop([fc.double({ min: 1e-3, max: 1e9, noNaN: true }), pollContext, bounds])(
    'returns its interval whatever the context, and a bounded delay once clamped',
    (intervalMs, pollContextValue, { min, max }) => {
      const policy = fixedInterval(intervalMs);
      expect(policy(pollContextValue)).toBe(intervalMs);
      const delay = clampDelay(policy(pollContextValue), min, max);
      expect(Number.isFinite(delay)).toBe(true);
      expect(delay).toBeGreaterThanOrEqual(min);
      expect(delay).toBeLessThanOrEqual(max);
    },
  );

  it('rejects a non-positive or non-finite interval with a TypeError', () => {
    for (const intervalMs of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => fixedInterval(intervalMs)).toThrow(TypeError);
    }
  });
});
