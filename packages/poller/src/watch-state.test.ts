import { fc, test } from '@fast-check/vitest';
import { type DocumentStatus, RateLimitError, ServerError, type WithMeta } from '@neurostatus/core';
import { describe, expect, it } from 'vitest';
import { WatchTimeoutError } from './errors.ts';
import { fixedInterval } from './fixed-interval.ts';
import { MAX_TIMER_MS } from './interval-policy.ts';
import type { StatusSource } from './status-source.ts';
import { createVirtualClock } from './virtual-clock.ts';
import { resolveWatchOptions, type WatchOptions } from './watch-options.ts';
import { createWatchState } from './watch-state.ts';

const status = (state: string): DocumentStatus => ({
  document_id: 'd',
  request_id: 'r',
  status: state,
  started_at: null,
  completed_at: null,
  results: {},
});

/** A status with the freshness a proxy would report for it. */
class Fresh {
  readonly fresh: number;
  readonly status: DocumentStatus;
  constructor(fresh: number, status: DocumentStatus) {
    this.fresh = fresh;
    this.status = status;
  }
}

/** A source answering from a script: a status (possibly `Fresh`) or an error to throw. */
function scripted(answers: Array<DocumentStatus | Fresh | Error>) {
  const calls: Array<number | undefined> = [];
  const source: StatusSource<DocumentStatus> = {
    subject: 'document d',
    async fetch(_signal, deadlineMs): Promise<WithMeta<DocumentStatus>> {
      calls.push(deadlineMs);
      const answer = answers.shift() ?? status('pending');
      if (answer instanceof Error) throw answer;
      const [data, freshForMs] =
        answer instanceof Fresh ? [answer.status, answer.fresh] : [answer, undefined];
      return { data, meta: { freshForMs, requestId: undefined, attempts: 1 } };
    },
    isTerminal: (value) => value.status === 'completed',
    describe: (value) => ({ status: value, expected: undefined }),
  };
  return { source, calls };
}

function stateFor(source: StatusSource<DocumentStatus>, options: WatchOptions = {}) {
  const clock = createVirtualClock(0);
  const random = () => 0.5;
  return {
    clock,
    state: createWatchState(
      source,
      resolveWatchOptions({ clock, random, policy: fixedInterval(1_000), ...options }),
    ),
  };
}

const signal = new AbortController().signal;

describe('createWatchState: the next wait', () => {
  it('is the policy wish when nothing else speaks', async () => {
    const { state } = stateFor(scripted([status('pending')]).source);
    await state.poll(signal);
    expect(state.nextDelayMs()).toBe(1_000);
  });

  it('waits until fresh data can exist when a proxy says how fresh its answer is', async () => {
    const { state } = stateFor(scripted([new Fresh(1_700, status('pending'))]).source);
    await state.poll(signal);
    expect(state.nextDelayMs()).toBe(1_700);
  });

  it('keeps the policy wish when it is longer than the freshness', async () => {
    const { state } = stateFor(scripted([new Fresh(300, status('pending'))]).source);
    await state.poll(signal);
    expect(state.nextDelayMs()).toBe(1_000);
  });

  it('waits at least the Retry-After of a rate-limited poll, even beyond maxIntervalMs', async () => {
    const limited = new RateLimitError('slow down', { status: 429, retryAfterMs: 90_000 });
    const { state } = stateFor(scripted([limited]).source, { maxIntervalMs: 30_000 });
    expect(await state.poll(signal)).toBeUndefined();
    expect(state.nextDelayMs()).toBe(90_000);
  });

  it('ignores a hint that is not a finite, non-negative number', async () => {
    for (const fresh of [Number.NaN, Number.POSITIVE_INFINITY, -5]) {
      const { state } = stateFor(scripted([new Fresh(fresh, status('pending'))]).source);
      await state.poll(signal);
      expect(state.nextDelayMs()).toBe(1_000);
    }
  });

  it('backs off after transient errors and forgets them after a success', async () => {
    const failure = new ServerError('502', { status: 502 });
    const { source } = scripted([failure, failure, failure, status('pending')]);
    const { state } = stateFor(source, { random: () => 0.999 });
    const waits: number[] = [];
    for (let i = 0; i < 4; i++) {
      await state.poll(signal);
      waits.push(state.nextDelayMs());
    }
    // Full jitter (drawn near the top here): up to 1 s, 2 s, 4 s after 1, 2, 3 errors; then the policy.
    expect(waits).toEqual([1_000, 1_998, 3_996, 1_000]);
  });

  it('never runs past the deadline, then throws WatchTimeoutError with the last status', async () => {
    const { clock, state } = stateFor(scripted([status('pending')]).source, { timeoutMs: 2_500 });
    await state.poll(signal);
    clock.advance(2_000);
    expect(state.nextDelayMs()).toBe(500);
    clock.advance(500);
    const error = await state.poll(signal).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WatchTimeoutError);
    expect((error as WatchTimeoutError).lastStatus?.status).toBe('pending');
  });

  it('bounds each call by what is left of the deadline', async () => {
    const { source, calls } = scripted([status('pending'), status('pending')]);
    const { clock, state } = stateFor(source, { timeoutMs: 10_000 });
    await state.poll(signal);
    clock.advance(4_000);
    await state.poll(signal);
    expect(calls).toEqual([10_000, 6_000]);
  });

  it('reports as cause only an error from after the last success', async () => {
    const failure = new ServerError('502', { status: 502 });
    const { clock, state } = stateFor(scripted([failure, status('pending')]).source, {
      timeoutMs: 5_000,
    });
    await state.poll(signal);
    await state.poll(signal);
    clock.advance(5_000);
    const error = (await state
      .poll(signal)
      .catch((caught: unknown) => caught)) as WatchTimeoutError;
    expect(error.cause).toBeUndefined();
  });

  test.prop([
    fc.oneof(fc.double(), fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, -1, 0, 1e300)),
    fc.option(fc.oneof(fc.double(), fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY)), {
      nil: undefined,
    }),
    fc.integer({ min: 1, max: 60_000 }),
  ])(
    'always waits a finite, positive time no longer than timers accept',
    async (wish, fresh, minIntervalMs) => {
      const answers =
        fresh === undefined ? [status('pending')] : [new Fresh(fresh, status('pending'))];
      const { state } = stateFor(scripted(answers).source, {
        policy: () => wish,
        minIntervalMs,
        maxIntervalMs: 120_000,
      });
      await state.poll(signal);
      const delay = state.nextDelayMs();
      expect(Number.isFinite(delay)).toBe(true);
      expect(delay).toBeGreaterThanOrEqual(minIntervalMs);
      expect(delay).toBeLessThanOrEqual(MAX_TIMER_MS);
    },
  );
});

describe('createWatchState and clock skew', () => {
  it("gives the policy the server's time when the client clock is off", async () => {
    const clock = createVirtualClock(1_000_000);
    const seen: number[] = [];
    const source: StatusSource<DocumentStatus> = {
      subject: 'document d',
      // The server's clock is 60 s behind ours.
      fetch: async () => ({
        data: status('pending'),
        meta: {
          freshForMs: undefined,
          requestId: undefined,
          attempts: 1,
          serverDateMs: 1_000_000 - 60_000,
        },
      }),
      isTerminal: () => false,
      describe: (value) => ({ status: value, expected: undefined }),
    };
    const state = createWatchState(
      source,
      resolveWatchOptions({
        clock,
        policy: ({ now }) => {
          seen.push(now);
          return 1_000;
        },
      }),
    );
    await state.poll(signal);
    state.nextDelayMs();
    expect(seen[0]).toBe(1_000_000 - 60_000 + 500);
    expect(state.clockOffsetMs).toBe(59_500);
  });

  it('ignores a difference below the resolution of the Date header', async () => {
    const clock = createVirtualClock(1_000_400);
    const source: StatusSource<DocumentStatus> = {
      subject: 'document d',
      fetch: async () => ({
        data: status('pending'),
        meta: { freshForMs: undefined, requestId: undefined, attempts: 1, serverDateMs: 1_000_000 },
      }),
      isTerminal: () => false,
      describe: (value) => ({ status: value, expected: undefined }),
    };
    const state = createWatchState(source, resolveWatchOptions({ clock }));
    await state.poll(signal);
    expect(state.clockOffsetMs).toBe(0);
  });
});
