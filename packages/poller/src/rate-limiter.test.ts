import { describe, expect, it } from 'vitest';
import { createRateLimiter, type RateLimiterOptions } from './rate-limiter.ts';
import { createVirtualClock, type VirtualClock } from './virtual-clock.ts';

/** Lets every queued promise callback run (no time passes on the virtual clock). */
const flush = () => new Promise((resolve) => setImmediate(resolve));

function limiterOn(clock: VirtualClock, options: Partial<RateLimiterOptions> = {}) {
  return createRateLimiter({
    clock,
    concurrency: 10,
    ratePerSecond: 2,
    burst: 2,
    minRatePerSecond: 0.5,
    recoveryPerSecond: 1,
    ...options,
  });
}

/** Acquires and records when (in virtual time) and in which order each acquire was granted. */
function tracked(promise: Promise<void>, clock: VirtualClock, log: number[], label = 0) {
  const state = { granted: false, grantedAt: Number.NaN, error: undefined as unknown };
  promise.then(
    () => {
      state.granted = true;
      state.grantedAt = clock.now();
      log.push(label);
    },
    (error: unknown) => {
      state.error = error;
    },
  );
  return state;
}

describe('createRateLimiter', () => {
  it('grants the burst at once and then one request per 1 / ratePerSecond', async () => {
    const clock = createVirtualClock(0);
    const limiter = limiterOn(clock, { ratePerSecond: 2, burst: 2 });
    const signal = new AbortController().signal;
    const log: number[] = [];
    const grants = [1, 2, 3, 4].map((label) => tracked(limiter.acquire(signal), clock, log, label));
    await flush();
    expect(grants.map((grant) => grant.granted)).toEqual([true, true, false, false]);
    expect(limiter.waiting).toBe(2);
    // One timer, for the next token: 1 / 2 per second = 500 ms.
    expect(clock.pending).toEqual([500]);

    clock.advance(499);
    await flush();
    expect(grants[2]?.granted).toBe(false);
    clock.advance(1);
    await flush();
    expect(grants[2]?.grantedAt).toBe(500);
    expect(grants[3]?.granted).toBe(false);
    expect(clock.pending).toEqual([1_000]);

    clock.advance(500);
    await flush();
    expect(grants[3]?.grantedAt).toBe(1_000);
    expect(log).toEqual([1, 2, 3, 4]);
    expect(limiter.inFlight).toBe(4);
    expect(limiter.waiting).toBe(0);
    expect(clock.pending).toEqual([]);
  });

  it('refills the bucket over a quiet spell but never beyond the burst', async () => {
    const clock = createVirtualClock(0);
    const limiter = limiterOn(clock, { ratePerSecond: 2, burst: 3 });
    const signal = new AbortController().signal;
    const log: number[] = [];
    for (let i = 0; i < 3; i++) tracked(limiter.acquire(signal), clock, log, i);
    await flush();
    expect(log).toHaveLength(3);
    // A long quiet spell would give 20 tokens at 2/s, but the bucket holds 3.
    clock.advance(10_000);
    const later = [3, 4, 5, 6].map((label) => tracked(limiter.acquire(signal), clock, log, label));
    await flush();
    expect(later.map((grant) => grant.granted)).toEqual([true, true, true, false]);
    expect(clock.pending).toEqual([10_500]);
  });

  it('never has more than `concurrency` acquired at once, even with tokens to spare', async () => {
    const clock = createVirtualClock(0);
    const limiter = limiterOn(clock, { concurrency: 2, ratePerSecond: 100, burst: 100 });
    const signal = new AbortController().signal;
    const log: number[] = [];
    const grants = [1, 2, 3].map((label) => tracked(limiter.acquire(signal), clock, log, label));
    await flush();
    expect(grants.map((grant) => grant.granted)).toEqual([true, true, false]);
    expect(limiter.inFlight).toBe(2);
    expect(limiter.waiting).toBe(1);
    // Waiting for a slot, not a token: no timer is needed.
    expect(clock.pending).toEqual([]);

    limiter.release();
    await flush();
    expect(grants[2]?.granted).toBe(true);
    expect(limiter.inFlight).toBe(2);
  });

  it('grants waiters in the order they asked (FIFO)', async () => {
    const clock = createVirtualClock(0);
    const limiter = limiterOn(clock, { concurrency: 1, ratePerSecond: 1, burst: 1 });
    const signal = new AbortController().signal;
    const log: number[] = [];
    for (let label = 1; label <= 6; label++) tracked(limiter.acquire(signal), clock, log, label);
    for (let step = 0; step < 6; step++) {
      await flush();
      limiter.release();
      clock.advance(1_000);
    }
    await flush();
    expect(log).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('removes a waiter aborted while queued, rejects with the reason and leaves no pending sleep', async () => {
    const clock = createVirtualClock(0);
    const limiter = limiterOn(clock, { ratePerSecond: 1, burst: 1 });
    const log: number[] = [];
    tracked(limiter.acquire(new AbortController().signal), clock, log, 1);
    const controller = new AbortController();
    const queued = limiter.acquire(controller.signal);
    await flush();
    expect(limiter.waiting).toBe(1);
    expect(clock.pending).toEqual([1_000]);

    const reason = new Error('caller gave up');
    controller.abort(reason);
    await expect(queued).rejects.toBe(reason);
    expect(limiter.waiting).toBe(0);
    expect(limiter.inFlight).toBe(1);
    expect(clock.pending).toEqual([]);
    // The token it did not take is still there for the next caller.
    clock.advance(1_000);
    const next = tracked(limiter.acquire(new AbortController().signal), clock, log, 2);
    await flush();
    expect(next.grantedAt).toBe(1_000);
  });

  it('keeps the timer for the others when one of several waiters aborts, and skips it', async () => {
    const clock = createVirtualClock(0);
    const limiter = limiterOn(clock, { ratePerSecond: 1, burst: 1 });
    const log: number[] = [];
    const never = new AbortController().signal;
    tracked(limiter.acquire(never), clock, log, 1);
    const controller = new AbortController();
    const aborted = tracked(limiter.acquire(controller.signal), clock, log, 2);
    const third = tracked(limiter.acquire(never), clock, log, 3);
    await flush();
    controller.abort('nope');
    await flush();
    expect(aborted.error).toBe('nope');
    expect(limiter.waiting).toBe(1);
    expect(clock.pending).toEqual([1_000]);
    clock.advance(1_000);
    await flush();
    expect(third.grantedAt).toBe(1_000);
    expect(log).toEqual([1, 3]);
  });

  it('rejects at once, without queueing, when the signal is already aborted', async () => {
    const clock = createVirtualClock(0);
    const limiter = limiterOn(clock);
    await expect(limiter.acquire(AbortSignal.abort('early'))).rejects.toBe('early');
    expect(limiter.inFlight).toBe(0);
    expect(limiter.waiting).toBe(0);
  });

  it('halves the rate on each penalty, down to the minimum', () => {
    const clock = createVirtualClock(0);
    const limiter = limiterOn(clock, {
      ratePerSecond: 8,
      burst: 8,
      minRatePerSecond: 1.5,
      recoveryPerSecond: 1,
    });
    expect(limiter.currentRate()).toBe(8);
    limiter.penalize();
    expect(limiter.currentRate()).toBe(4);
    limiter.penalize();
    expect(limiter.currentRate()).toBe(2);
    limiter.penalize();
    expect(limiter.currentRate()).toBe(1.5);
    limiter.penalize();
    expect(limiter.currentRate()).toBe(1.5);
  });

  it('recovers linearly at recoveryPerSecond after a penalty, up to the configured rate', () => {
    const clock = createVirtualClock(0);
    const limiter = limiterOn(clock, {
      ratePerSecond: 10,
      burst: 10,
      minRatePerSecond: 1,
      recoveryPerSecond: 2,
    });
    limiter.penalize();
    expect(limiter.currentRate()).toBe(5);
    clock.advance(500);
    expect(limiter.currentRate()).toBe(6);
    clock.advance(1_000);
    expect(limiter.currentRate()).toBe(8);
    clock.advance(1_000);
    expect(limiter.currentRate()).toBe(10);
    clock.advance(60_000);
    expect(limiter.currentRate()).toBe(10);
  });

  it('halves the recovering rate, not the configured one, on a second penalty', () => {
    const clock = createVirtualClock(0);
    const limiter = limiterOn(clock, {
      ratePerSecond: 16,
      burst: 16,
      minRatePerSecond: 1,
      recoveryPerSecond: 1,
    });
    limiter.penalize();
    clock.advance(4_000);
    expect(limiter.currentRate()).toBe(12);
    limiter.penalize();
    expect(limiter.currentRate()).toBe(6);
  });

  it('works without recovery (recoveryPerSecond: 0): grants the burst at the configured rate', async () => {
    const clock = createVirtualClock(0);
    const limiter = limiterOn(clock, { ratePerSecond: 2, burst: 1, recoveryPerSecond: 0 });
    expect(limiter.currentRate()).toBe(2);
    const log: number[] = [];
    const signal = new AbortController().signal;
    const first = tracked(limiter.acquire(signal), clock, log, 1);
    const second = tracked(limiter.acquire(signal), clock, log, 2);
    await flush();
    expect(first.grantedAt).toBe(0);
    expect(clock.pending).toEqual([500]);
    clock.advance(500);
    await flush();
    expect(second.grantedAt).toBe(500);
    limiter.penalize();
    clock.advance(3_600_000);
    expect(limiter.currentRate()).toBe(1);
  });

  it('spaces grants by the penalized rate', async () => {
    const clock = createVirtualClock(0);
    const limiter = limiterOn(clock, {
      ratePerSecond: 4,
      burst: 1,
      minRatePerSecond: 1,
      recoveryPerSecond: 0,
    });
    const log: number[] = [];
    const signal = new AbortController().signal;
    tracked(limiter.acquire(signal), clock, log, 1);
    limiter.penalize(); // 2 per second: the next token is 500 ms away, not 250 ms
    const second = tracked(limiter.acquire(signal), clock, log, 2);
    await flush();
    expect(clock.pending).toEqual([500]);
    clock.advance(499);
    await flush();
    expect(second.granted).toBe(false);
    clock.advance(1);
    await flush();
    expect(second.grantedAt).toBe(500);
  });
});
