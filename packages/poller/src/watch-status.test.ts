import { DEMO_API_KEY, SECOND_API_KEY } from '@neurostatus/simulator';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { isWatchTimeoutError, WatchTimeoutError } from './errors.ts';
import { fixedInterval } from './fixed-interval.ts';
import { collect, drive, useHarness } from './test-support/harness.ts';
import { watchStatus } from './watch-status.ts';

const harness = useHarness();

function submit(
  documents: Array<Record<string, unknown>> = [
    { totalPages: 1, pendingMs: 2_000, processingMs: 20_000 },
  ],
  extra = {},
) {
  return harness.server.simulator.createRequest({ apiKey: DEMO_API_KEY, documents, ...extra });
}

describe('watchStatus over real HTTP', () => {
  it('yields the first status, each change and the terminal status, then ends', async () => {
    const { documentIds } = submit();
    const id = documentIds[0]!;
    const clock = harness.clock();
    const statuses = await drive(clock, collect(watchStatus(harness.client(), id, { clock })));
    expect(statuses.map((status) => status.status)).toEqual(['pending', 'processing', 'completed']);
    expect(statuses.at(-1)?.completed_at).toEqual(expect.any(String));
    // Changes only: far fewer yields than polls.
    expect(harness.requestsFor(id)).toBeGreaterThan(3);
    expect(clock.pending).toEqual([]);
  });

  it('yields every poll with emit: every', async () => {
    const id = submit().documentIds[0]!;
    const clock = harness.clock();
    const statuses = await drive(
      clock,
      collect(watchStatus(harness.client(), id, { clock, emit: 'every' })),
    );
    expect(statuses).toHaveLength(harness.requestsFor(id));
  });

  it('types each yielded value as a DocumentStatus', () => {
    const iterable = watchStatus(harness.client(), 'some-id');
    expectTypeOf(iterable).toEqualTypeOf<
      AsyncIterable<import('@neurostatus/core').DocumentStatus>
    >();
  });

  it('stops at break: no later request and no pending timer', async () => {
    const id = submit().documentIds[0]!;
    const clock = harness.clock();
    for await (const status of watchStatus(harness.client(), id, { clock })) {
      expect(status.status).toBe('pending');
      break;
    }
    expect(harness.requestsFor(id)).toBe(1);
    expect(clock.pending).toEqual([]);
    clock.advance(10 * 60_000);
    await new Promise((resolve) => setImmediate(resolve));
    expect(harness.requestsFor(id)).toBe(1);
  });

  it('throws the signal reason promptly when aborted while sleeping, and polls no more', async () => {
    const id = submit().documentIds[0]!;
    const clock = harness.clock();
    const controller = new AbortController();
    const seen: string[] = [];
    const watching = (async () => {
      for await (const status of watchStatus(harness.client(), id, {
        clock,
        signal: controller.signal,
      })) {
        seen.push(status.status);
      }
    })();
    await clock.whenSleeping();
    controller.abort(new Error('user cancelled'));
    await expect(watching).rejects.toThrow('user cancelled');
    expect(seen).toEqual(['pending']);
    expect(clock.pending).toEqual([]);
    expect(harness.requestsFor(id)).toBe(1);
  });

  it('aborts the in-flight request when the signal fires during a poll', async () => {
    const id = submit().documentIds[0]!;
    harness.server.simulator.setFault({ kind: 'hang', id });
    const clock = harness.clock();
    const controller = new AbortController();
    const watching = collect(
      watchStatus(harness.client(), id, { clock, signal: controller.signal }),
    );
    await expect.poll(() => harness.requestsFor(id)).toBe(1);
    controller.abort('stop');
    await expect(watching).rejects.toBe('stop');
    expect(clock.pending).toEqual([]);
    // Nothing more after the stop: the clock moves on, and the simulator sees no new request.
    clock.advance(10 * 60_000);
    await new Promise((resolve) => setImmediate(resolve));
    expect(harness.requestsFor(id)).toBe(1);
  });

  it('ends with a WatchTimeoutError carrying the last status when timeoutMs passes', async () => {
    const id = submit([{ totalPages: 50 }]).documentIds[0]!;
    const clock = harness.clock();
    const start = clock.now();
    const error = await drive(
      clock,
      collect(watchStatus(harness.client(), id, { clock, timeoutMs: 30_000 })),
    ).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WatchTimeoutError);
    expect(isWatchTimeoutError(error)).toBe(true);
    expect((error as WatchTimeoutError).lastStatus?.document_id).toBe(id);
    expect(clock.now() - start).toBe(30_000);
    expect(clock.pending).toEqual([]);
  });

  it('retries transient failures and carries on', async () => {
    const id = submit().documentIds[0]!;
    harness.server.simulator.setFault({ kind: 'status', status: 503, id, times: 2 });
    const clock = harness.clock();
    const statuses = await drive(clock, collect(watchStatus(harness.client(), id, { clock })));
    expect(statuses.at(-1)?.status).toBe('completed');
  });

  it('gives up after maxConsecutiveErrors transient failures with the last error', async () => {
    const id = submit().documentIds[0]!;
    harness.server.simulator.setFault({ kind: 'status', status: 502, id });
    const clock = harness.clock();
    const watching = drive(
      clock,
      collect(watchStatus(harness.client(), id, { clock, maxConsecutiveErrors: 3 })),
    );
    await expect(watching).rejects.toMatchObject({ code: 'SERVER_ERROR', status: 502 });
    expect(harness.requestsFor(id)).toBe(4);
  });

  it('throws a permanent error at once', async () => {
    const id = submit().documentIds[0]!;
    const clock = harness.clock();
    const wrongKey = harness.client({ apiKey: 'nl_nobodynobodynobodynobodynobody00' });
    await expect(drive(clock, collect(watchStatus(wrongKey, id, { clock })))).rejects.toMatchObject(
      {
        code: 'AUTHENTICATION_FAILED',
      },
    );
    expect(harness.requestsFor(id)).toBe(1);
  });

  it('treats a 404 as "not visible yet" during notFoundGraceMs', async () => {
    const id = submit(undefined, { visibleAfterMs: 4_000 }).documentIds[0]!;
    const clock = harness.clock();
    const statuses = await drive(
      clock,
      collect(watchStatus(harness.client(), id, { clock, notFoundGraceMs: 10_000 })),
    );
    expect(statuses.at(-1)?.status).toBe('completed');
  });

  it('throws NotFoundError once notFoundGraceMs has passed, and at once for another tenant', async () => {
    const clock = harness.clock();
    const unknown = drive(
      clock,
      collect(watchStatus(harness.client(), 'never-submitted', { clock, notFoundGraceMs: 5_000 })),
    );
    await expect(unknown).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(harness.requestsFor('never-submitted')).toBeGreaterThan(1);
    const id = submit().documentIds[0]!;
    const foreign = harness.client({ apiKey: SECOND_API_KEY });
    await expect(
      drive(clock, collect(watchStatus(foreign, id, { clock, notFoundGraceMs: 0 }))),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('waits at least the Retry-After of a 429 before the next poll', async () => {
    const id = submit().documentIds[0]!;
    harness.server.simulator.setFault({
      kind: 'status',
      status: 429,
      retryAfter: '7',
      id,
      times: 1,
    });
    const clock = harness.clock();
    const start = clock.now();
    const watching = collect(
      watchStatus(harness.client(), id, { clock, policy: fixedInterval(1_000) }),
    );
    await clock.whenSleeping();
    expect(clock.pending).toEqual([start + 7_000]);
    await drive(clock, watching);
  });

  it('rejects a malformed id at once, before any request', () => {
    expect(() => watchStatus(harness.client(), '../etc/passwd')).toThrow(/Invalid document id/);
  });

  it('rejects nonsense options with a TypeError', () => {
    expect(() => watchStatus(harness.client(), 'abc', { emit: 'sometimes' as never })).toThrow(
      TypeError,
    );
    expect(() => watchStatus(harness.client(), 'abc', { timeoutMs: -1 })).toThrow(TypeError);
    expect(() => watchStatus(harness.client(), 'abc', { maxConsecutiveErrors: 1.5 })).toThrow(
      TypeError,
    );
    expect(() =>
      watchStatus(harness.client(), 'abc', { minIntervalMs: 10_000, maxIntervalMs: 1_000 }),
    ).toThrow(TypeError);
  });
});

describe('watchStatus timeoutMs over real HTTP', () => {
  it('bounds a hanging request too, and reports the timeout of the last poll as the cause', async () => {
    const id = submit().documentIds[0]!;
    harness.server.simulator.setFault({ kind: 'hang', id });
    const clock = harness.clock();
    // The deadline is enforced on the hanging request by the client's real per-call timer.
    const error = await drive(
      clock,
      collect(watchStatus(harness.client(), id, { clock, timeoutMs: 150 })),
    ).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WatchTimeoutError);
    expect((error as WatchTimeoutError).cause).toMatchObject({ code: 'TIMEOUT' });
    expect(harness.requestsFor(id)).toBe(1);
  });
});
