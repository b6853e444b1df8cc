import { type DocumentStatus, RateLimitError, type WithMeta } from '@neurostatus/core';
import { describe, expect, it } from 'vitest';
import type { DocumentStatusReader } from './document-source.ts';
import { fixedInterval } from './fixed-interval.ts';
import { createPollScheduler } from './poll-scheduler.ts';
import { createRateLimiter } from './rate-limiter.ts';
import { collect } from './test-support/harness.ts';
import { createVirtualClock } from './virtual-clock.ts';
import { watchMany } from './watch-many.ts';
import { watchStatus } from './watch-status.ts';

const pending = (id: string): DocumentStatus => ({
  document_id: id,
  request_id: 'r',
  status: 'pending',
  started_at: null,
  completed_at: null,
  results: {},
});

/** A reader that answers at once with `answer(id)` (a status, or an error to throw), counting calls. */
function fakeReader(answer: (id: string) => DocumentStatus | Error = pending) {
  const calls: string[] = [];
  const reader: DocumentStatusReader = {
    async getDocumentStatusWithMeta(id): Promise<WithMeta<DocumentStatus>> {
      calls.push(id);
      const result = answer(id);
      if (result instanceof Error) throw result;
      return { data: result, meta: { freshForMs: undefined, requestId: undefined, attempts: 1 } };
    },
  };
  return { reader, calls };
}

const flush = async () => {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
};

describe('createPollScheduler at the edges', () => {
  it('halves its rate once for a wave of 429s, not once per request in the wave', async () => {
    const clock = createVirtualClock(0);
    const { reader } = fakeReader(() => new RateLimitError('slow down', { status: 429 }));
    const scheduler = createPollScheduler({ clock, ratePerSecond: 8, burst: 8, concurrency: 8 });
    const ids = Array.from({ length: 8 }, (_, i) => `doc-${i}`);
    const stops = ids.map((id) =>
      scheduler.subscribe(reader, id, { status: () => {}, end: () => {}, error: () => {} }),
    );
    await flush();
    expect(scheduler.stats().requests).toBe(8);
    expect(scheduler.stats().ratePerSecond).toBe(4);
    for (const stop of stops) stop();
    scheduler.close();
  });

  it('detaches a listener that throws, tells it through error(), and keeps serving the others', async () => {
    const clock = createVirtualClock(0);
    const { reader } = fakeReader();
    const scheduler = createPollScheduler({ clock, policy: fixedInterval(1_000) });
    const errors: unknown[] = [];
    const seen: string[] = [];
    scheduler.subscribe(reader, 'doc', {
      status: () => {
        throw new Error('listener bug');
      },
      end: () => {},
      error: (error) => errors.push(error),
    });
    scheduler.subscribe(reader, 'doc', {
      status: (status) => seen.push(status.status),
      end: () => {},
      error: () => {},
    });
    await flush();
    expect((errors[0] as Error).message).toBe('listener bug');
    expect(seen).toEqual(['pending']);
    expect(scheduler.stats()).toMatchObject({ loops: 1, consumers: 1 });
    scheduler.close();
  });

  it('polls nothing for a watch that is never iterated', async () => {
    const clock = createVirtualClock(0);
    const { reader, calls } = fakeReader();
    const scheduler = createPollScheduler({ clock });
    scheduler.watch(reader, 'doc');
    watchMany(reader, ['a', 'b'], { scheduler });
    await flush();
    expect(calls).toEqual([]);
    expect(scheduler.stats()).toMatchObject({ loops: 0, consumers: 0 });
  });

  it('keeps a consumer deadline longer than timers accept, instead of firing at once', async () => {
    const clock = createVirtualClock(0);
    const { reader } = fakeReader();
    const scheduler = createPollScheduler({ clock, policy: fixedInterval(60_000) });
    const thirtyDays = 30 * 24 * 60 * 60 * 1000;
    const iterator = scheduler
      .watch(reader, 'doc', { timeoutMs: thirtyDays })
      [Symbol.asyncIterator]();
    expect((await iterator.next()).value?.status).toBe('pending');
    expect(clock.pending).toContain(thirtyDays);
    await iterator.return?.();
    expect(clock.pending).toEqual([]);
  });

  it('refuses watch options that a shared scheduler would silently ignore', () => {
    const { reader } = fakeReader();
    const scheduler = createPollScheduler();
    expect(() => watchStatus(reader, 'doc', { scheduler, policy: fixedInterval(5) })).toThrow(
      /on the scheduler/,
    );
    expect(() => watchMany(reader, ['doc'], { scheduler, ratePerSecond: 99 })).toThrow(
      /on the scheduler/,
    );
    expect(() =>
      watchStatus(reader, 'doc', { scheduler, timeoutMs: 5, emit: 'every' }),
    ).not.toThrow();
  });

  it('refuses, in every consumer method, options that belong to the scheduler or to nothing', () => {
    const { reader } = fakeReader();
    const client = {
      ...reader,
      getRequestStatusWithMeta: () => Promise.reject(new Error('not called')),
    };
    const scheduler = createPollScheduler();
    const noop = { status: () => {}, end: () => {}, error: () => {} };
    const misplaced: Array<Record<string, unknown>> = [
      { policy: fixedInterval(5) },
      { minIntervalMs: 5 },
      { maxConsecutiveErrors: 1 },
      { notFoundGraceMs: 1 },
      { clock: createVirtualClock(0) },
      { bogus: 1 },
    ];
    for (const options of misplaced) {
      const bad = options as never;
      expect(() => scheduler.watch(client, 'doc', bad)).toThrow(TypeError);
      expect(() => scheduler.subscribe(client, 'doc', noop, bad)).toThrow(/on the scheduler/);
      expect(() => scheduler.watchRequest(client, 'req', bad)).toThrow(/on the scheduler/);
      expect(() => scheduler.subscribeRequest(client, 'req', noop, bad)).toThrow(TypeError);
    }
    // What each takes, and `undefined` for anything, pass.
    expect(() =>
      scheduler.watch(client, 'doc', { timeoutMs: 5, policy: undefined } as never),
    ).not.toThrow();
    expect(() =>
      scheduler.watchRequest(client, 'req', { emit: 'every', signal: undefined } as never),
    ).not.toThrow();
    // Only the document methods know a request id.
    expect(() => scheduler.watchRequest(client, 'req', { requestId: 'r' } as never)).toThrow(
      TypeError,
    );
    expect(() =>
      scheduler.subscribeRequest(client, 'req', noop, { timeoutMs: 5 } as never),
    ).toThrow(TypeError);
    expect(() =>
      scheduler.subscribe(client, 'doc', noop, { signal: undefined, timeoutMs: 5 } as never),
    ).toThrow(TypeError);
    expect(() => scheduler.watch(client, 'doc', { signal: 'no' } as never)).toThrow(/signal/);
    scheduler.close();
  });

  it('drops the queued poll of a document nobody watches any more, and its timer', async () => {
    const clock = createVirtualClock(0);
    const { reader, calls } = fakeReader();
    // One token per 1,000 s: the second poll waits in the queue.
    const scheduler = createPollScheduler({
      clock,
      ratePerSecond: 0.001,
      burst: 1,
      policy: fixedInterval(1_000),
    });
    const statuses = collect(scheduler.watch(reader, 'doc', { timeoutMs: 4_000 })).catch(
      (error: { code?: string }) => error.code,
    );
    await flush();
    clock.advance(1_000);
    await flush();
    expect(scheduler.stats().queued).toBe(1);
    clock.advance(3_000);
    expect(await statuses).toBe('WATCH_TIMEOUT');
    expect(scheduler.stats()).toMatchObject({ loops: 0, queued: 0 });
    expect(clock.pending).toEqual([]);
    expect(calls).toEqual(['doc']);
  });

  it('starts nothing for watchMany when its signal is already aborted', async () => {
    const { reader, calls } = fakeReader();
    const stream = watchMany(reader, ['a', 'b'], { signal: AbortSignal.abort('no') });
    await expect(stream[Symbol.asyncIterator]().next()).rejects.toBe('no');
    await flush();
    expect(calls).toEqual([]);
  });
});

describe('createRateLimiter when the clock steps backwards', () => {
  it('takes no tokens away for the lost time', () => {
    let now = 1_000_000;
    const clock = { now: () => now, sleep: () => new Promise<void>(() => {}) };
    const limiter = createRateLimiter({
      clock,
      concurrency: 100,
      ratePerSecond: 10,
      burst: 2,
      minRatePerSecond: 1,
      recoveryPerSecond: 1,
    });
    expect(limiter.tryAcquire()).toBe(true);
    expect(limiter.tryAcquire()).toBe(true);
    now -= 3_600_000; // an NTP step an hour back
    expect(limiter.msUntilToken()).toBeLessThanOrEqual(100);
    now += 100;
    expect(limiter.tryAcquire()).toBe(true);
  });
});
