import { fc, test } from '@fast-check/vitest';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type ClientRateLimiterOptions, createClientRateLimiter } from './client-rate-limiter.ts';

function withClock(options: Omit<ClientRateLimiterOptions, 'now'>) {
  let time = 1_000_000;
  const limiter = createClientRateLimiter({ ...options, now: () => time });
  return {
    limiter,
    advance(ms: number) {
      time += ms;
    },
  };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('createClientRateLimiter', () => {
  it('allows a burst, then refuses with the time until the next token', () => {
    const { limiter } = withClock({ ratePerSecond: 5, burst: 2 });
    expect(limiter.take('a')).toEqual({ allowed: true });
    expect(limiter.take('a')).toEqual({ allowed: true });
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterMs: 200 });
    // Other clients have their own bucket.
    expect(limiter.take('b')).toEqual({ allowed: true });
  });

  it('refills at the sustained rate, up to the burst', () => {
    const { limiter, advance } = withClock({ ratePerSecond: 5, burst: 2 });
    limiter.take('a');
    limiter.take('a');
    advance(199);
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterMs: 1 });
    advance(1);
    expect(limiter.take('a')).toEqual({ allowed: true });
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterMs: 200 });
    advance(60_000);
    expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('a').allowed).toBe(false);
  });

  it('gives a retryAfterMs that is exactly enough, rounded up to whole milliseconds', () => {
    const { limiter, advance } = withClock({ ratePerSecond: 3, burst: 1 });
    expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterMs: 334 });
    advance(333);
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterMs: 1 });
    advance(1);
    expect(limiter.take('a')).toEqual({ allowed: true });
  });

  it('defaults the burst to twice the rate, and to at least one request', () => {
    const fast = withClock({ ratePerSecond: 10 }).limiter;
    const allowed = Array.from({ length: 25 }, () => fast.take('a').allowed).filter(Boolean);
    expect(allowed).toHaveLength(20);
    const slow = withClock({ ratePerSecond: 0.2 }).limiter;
    expect(slow.take('a').allowed).toBe(true);
    expect(slow.take('a')).toEqual({ allowed: false, retryAfterMs: 5_000 });
  });

  it('evicts the least recently seen client beyond maxClients', () => {
    const { limiter } = withClock({ ratePerSecond: 1, burst: 1, maxClients: 3 });
    for (const client of ['a', 'b', 'c']) limiter.take(client);
    limiter.take('a'); // refused, and now the most recently seen
    expect(limiter.take('d').allowed).toBe(true); // evicts b
    expect(limiter.size).toBe(3);
    expect(limiter.take('b').allowed).toBe(true); // a fresh bucket; evicts c
    expect(limiter.take('a').allowed).toBe(false);
    for (let i = 0; i < 1_000; i++) limiter.take(`flood-${i}`);
    expect(limiter.size).toBe(3);
  });

  it('drops buckets that have refilled to full', () => {
    const { limiter, advance } = withClock({ ratePerSecond: 10, burst: 2 });
    limiter.take('a');
    limiter.take('b');
    expect(limiter.size).toBe(2);
    advance(100);
    limiter.take('c');
    expect(limiter.size).toBe(1);
  });

  it('refills nothing when the clock steps back', () => {
    const { limiter, advance } = withClock({ ratePerSecond: 1, burst: 1 });
    limiter.take('a');
    advance(-5_000);
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterMs: 1_000 });
    advance(5_000);
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterMs: 1_000 });
    advance(1_000);
    expect(limiter.take('a').allowed).toBe(true);
  });

  it('reads Date.now when called, not when created', () => {
    const limiter = createClientRateLimiter({ ratePerSecond: 1, burst: 1 });
    const now = vi.spyOn(Date, 'now').mockReturnValue(5_000);
    limiter.take('a');
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterMs: 1_000 });
    now.mockReturnValue(6_000);
    expect(limiter.take('a').allowed).toBe(true);
  });

  it('rejects nonsense options', () => {
    for (const ratePerSecond of [-1, 0, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => createClientRateLimiter({ ratePerSecond })).toThrow(TypeError);
    }
    expect(() => createClientRateLimiter({ ratePerSecond: 1, burst: 0.5 })).toThrow(TypeError);
    expect(() => createClientRateLimiter({ ratePerSecond: 1, burst: Number.NaN })).toThrow(
      TypeError,
    );
    expect(() => createClientRateLimiter({ ratePerSecond: 1, maxClients: 0 })).toThrow(TypeError);
    expect(() => createClientRateLimiter({ ratePerSecond: 1, maxClients: 2.5 })).toThrow(TypeError);
  });
});

type Op = { take: number } | { advance: number } | { waitRetry: true };

const op: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.integer({ min: 0, max: 3 }).map((take) => ({ take })), weight: 4 },
  { arbitrary: fc.integer({ min: 0, max: 3_000 }).map((advance) => ({ advance })), weight: 2 },
  { arbitrary: fc.constant({ waitRetry: true as const }), weight: 1 },
);

describe('take', () => {
  test.prop([
    fc.double({ min: 0.1, max: 200, noNaN: true }),
    fc.option(fc.double({ min: 1, max: 30, noNaN: true }), { nil: undefined }),
    fc.array(op, { maxLength: 200 }),
  ])(
    'never allows more than burst + rate * elapsed in any window, and keeps its retryAfterMs promise',
    (ratePerSecond, burstOption, ops) => {
      const burst = burstOption ?? Math.max(1, 2 * ratePerSecond);
      let time = 0;
      const limiter = createClientRateLimiter({
        ratePerSecond,
        ...(burstOption === undefined ? {} : { burst: burstOption }),
        maxClients: 8, // more than the 4 clients: eviction would hand out fresh buckets
        now: () => time,
      });
      const allowedAt = new Map<number, number[]>();
      const promisedAt = new Map<number, number>();
      let lastRetry = 0;
      for (const step of ops) {
        if ('advance' in step) time += step.advance;
        else if ('waitRetry' in step) time += lastRetry;
        else {
          const decision = limiter.take(`client-${step.take}`);
          const promised = promisedAt.get(step.take);
          if (promised !== undefined && time >= promised) expect(decision.allowed).toBe(true);
          if (decision.allowed) {
            promisedAt.delete(step.take);
            const times = allowedAt.get(step.take) ?? [];
            times.push(time);
            allowedAt.set(step.take, times);
          } else {
            expect(Number.isInteger(decision.retryAfterMs)).toBe(true);
            expect(decision.retryAfterMs).toBeGreaterThanOrEqual(1);
            promisedAt.set(step.take, time + decision.retryAfterMs);
            lastRetry = decision.retryAfterMs;
          }
        }
      }
      for (const times of allowedAt.values()) {
        for (let i = 0; i < times.length; i++) {
          for (let j = i; j < times.length; j++) {
            const elapsed = (times[j] as number) - (times[i] as number);
            expect(j - i + 1).toBeLessThanOrEqual(burst + (ratePerSecond * elapsed) / 1000 + 1e-6);
          }
        }
      }
    },
  );

  test.prop([
    fc.integer({ min: 1, max: 5 }),
    fc.array(fc.tuple(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 500 })), {
      maxLength: 200,
    }),
  ])('never tracks more than maxClients clients', (maxClients, takes) => {
    let time = 0;
    const limiter = createClientRateLimiter({ ratePerSecond: 2, maxClients, now: () => time });
    for (const [client, advance] of takes) {
      time += advance;
      limiter.take(String(client));
      expect(limiter.size).toBeLessThanOrEqual(maxClients);
    }
  });
});
