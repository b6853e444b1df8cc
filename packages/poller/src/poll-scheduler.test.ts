import type { DocumentStatus } from '@neurostatus/core';
import { DEMO_API_KEY, SECOND_API_KEY } from '@neurostatus/simulator';
import { describe, expect, it } from 'vitest';
import { isWatchTimeoutError, WatchTimeoutError } from './errors.ts';
import { fixedInterval } from './fixed-interval.ts';
import { createPollScheduler } from './poll-scheduler.ts';
import { collect, trackedSetup, useHarness } from './test-support/harness.ts';
import { driveWhenIdle, type StatusReader, trackRequests } from './test-support/idle-drive.ts';

const harness = useHarness();

const QUICK = { totalPages: 1, pendingMs: 2_000, processingMs: 10_000 };

function submit(documents: Array<Record<string, unknown>> = [QUICK], apiKey = DEMO_API_KEY) {
  return harness.server.simulator.createRequest({ apiKey, documents });
}

/** Lets pending I/O callbacks and promise jobs run; no virtual time passes. */
const flush = () => new Promise((resolve) => setImmediate(resolve));

/** Everything left in an iterator, as an array. */
async function rest<T>(iterator: AsyncIterator<T>): Promise<T[]> {
  const items: T[] = [];
  for (let result = await iterator.next(); !result.done; result = await iterator.next()) {
    items.push(result.value);
  }
  return items;
}

const states = (statuses: readonly DocumentStatus[]) => statuses.map((status) => status.status);

/**
 * A fresh virtual clock, a tracked client on it, and `run(work)`, which drives `work` on virtual
 * time, firing sleeps only while no request is in flight.
 */
const setup = (base?: StatusReader) => trackedSetup(harness, base);

describe('createPollScheduler over real HTTP', () => {
  it('shares one poll loop between two consumers of the same document', async () => {
    const id = submit().documentIds[0]!;
    const { clock, client, run } = setup();
    const scheduler = createPollScheduler({ clock, policy: fixedInterval(1_000) });
    const first = collect(scheduler.watch(client, id));
    const second = collect(scheduler.watch(client, id));
    expect(scheduler.stats()).toMatchObject({ loops: 1, consumers: 2 });
    const [a, b] = await run(Promise.all([first, second]));
    expect(states(a)).toEqual(['pending', 'processing', 'completed']);
    expect(b).toEqual(a);
    const shared = harness.requestsFor(id);
    expect(scheduler.stats().requests).toBe(shared);

    // The same document watched alone makes exactly as many requests.
    const twin = submit().documentIds[0]!;
    const alone = setup();
    const solo = createPollScheduler({ clock: alone.clock, policy: fixedInterval(1_000) });
    const statuses = await alone.run(collect(solo.watch(alone.client, twin)));
    expect(states(statuses)).toEqual(['pending', 'processing', 'completed']);
    expect(harness.requestsFor(twin)).toBe(shared);
    expect(shared).toBeGreaterThan(3);
    expect(scheduler.stats()).toMatchObject({ loops: 0, consumers: 0, inFlight: 0, queued: 0 });
    expect(clock.pending).toEqual([]);
  });

  it('gives a late joiner the latest known status at once, without a request', async () => {
    const id = submit().documentIds[0]!;
    const { clock, client, run } = setup();
    const scheduler = createPollScheduler({ clock, policy: fixedInterval(1_000) });
    const early = scheduler.watch(client, id)[Symbol.asyncIterator]();
    const firstSeen = await early.next();
    expect(firstSeen.value?.status).toBe('pending');
    await clock.whenSleeping();
    const requestsBefore = harness.requestsFor(id);

    const late = scheduler.watch(client, id)[Symbol.asyncIterator]();
    const lateFirst = await late.next();
    expect(lateFirst).toEqual(firstSeen);
    expect(harness.requestsFor(id)).toBe(requestsBefore);
    expect(scheduler.stats()).toMatchObject({ loops: 1, consumers: 2 });

    const [earlyRest, lateRest] = await run(Promise.all([rest(early), rest(late)]));
    expect(states(earlyRest)).toEqual(['processing', 'completed']);
    expect(lateRest).toEqual(earlyRest);
  });

  it('never shares a loop between two clients: another tenant gets NOT_FOUND, the owner its statuses', async () => {
    const id = submit().documentIds[0]!;
    const clock = harness.clock();
    const owner = trackRequests(clock, harness.client());
    const stranger = trackRequests(clock, harness.client({ apiKey: SECOND_API_KEY }));
    const scheduler = createPollScheduler({
      clock,
      notFoundGraceMs: 0,
      policy: fixedInterval(1_000),
    });
    const mine = collect(scheduler.watch(owner.client, id));
    const theirs = collect(scheduler.watch(stranger.client, id));
    expect(scheduler.stats()).toMatchObject({ loops: 2, consumers: 2 });
    const both = {
      get inFlight() {
        return owner.log.inFlight + stranger.log.inFlight;
      },
    };
    const [ownerResult, strangerResult] = await driveWhenIdle(
      clock,
      Promise.allSettled([mine, theirs]),
      both,
    );
    expect(strangerResult).toMatchObject({ status: 'rejected', reason: { code: 'NOT_FOUND' } });
    expect(stranger.log.startedAt).toHaveLength(1);
    expect(ownerResult.status).toBe('fulfilled');
    const statuses = ownerResult.status === 'fulfilled' ? ownerResult.value : [];
    expect(states(statuses)).toEqual(['pending', 'processing', 'completed']);
    expect(statuses.every((status) => status.document_id === id)).toBe(true);
  });

  it('keeps one loop per client object, even for the same key', async () => {
    const id = submit().documentIds[0]!;
    const clock = harness.clock();
    const one = trackRequests(clock, harness.client());
    const two = trackRequests(clock, harness.client());
    const scheduler = createPollScheduler({ clock, policy: fixedInterval(1_000) });
    const watches = [one, two].map(({ client }) => collect(scheduler.watch(client, id)));
    expect(scheduler.stats()).toMatchObject({ loops: 2, consumers: 2 });
    const both = {
      get inFlight() {
        return one.log.inFlight + two.log.inFlight;
      },
    };
    const [a, b] = await driveWhenIdle(clock, Promise.all(watches), both);
    expect(states(a ?? [])).toEqual(['pending', 'processing', 'completed']);
    expect(b).toEqual(a);
    expect(one.log.startedAt.length).toBe(two.log.startedAt.length);
    expect(harness.requestsFor(id)).toBe(2 * one.log.startedAt.length);
  });

  it('keeps polling for the others when one consumer breaks', async () => {
    const id = submit().documentIds[0]!;
    const { clock, client, run } = setup();
    const scheduler = createPollScheduler({ clock, policy: fixedInterval(1_000) });
    const stays = collect(scheduler.watch(client, id));
    const leaverSaw: string[] = [];
    for await (const status of scheduler.watch(client, id)) {
      leaverSaw.push(status.status);
      break;
    }
    expect(leaverSaw).toEqual(['pending']);
    expect(scheduler.stats()).toMatchObject({ loops: 1, consumers: 1 });
    expect(clock.pending).toHaveLength(1);
    const statuses = await run(stays);
    expect(states(statuses)).toEqual(['pending', 'processing', 'completed']);
  });

  it('stops polling when the last consumer leaves: no later request, no pending sleep', async () => {
    const id = submit().documentIds[0]!;
    const { clock, client } = setup();
    const scheduler = createPollScheduler({ clock });
    const first = scheduler.watch(client, id)[Symbol.asyncIterator]();
    const second = scheduler.watch(client, id)[Symbol.asyncIterator]();
    expect((await first.next()).value?.status).toBe('pending');
    expect((await second.next()).value?.status).toBe('pending');
    await first.return?.();
    expect(clock.pending).toHaveLength(1);
    await second.return?.();
    expect(clock.pending).toEqual([]);
    expect(scheduler.stats()).toMatchObject({ loops: 0, consumers: 0, inFlight: 0, queued: 0 });
    clock.advance(10 * 60_000);
    await flush();
    expect(harness.requestsFor(id)).toBe(1);
    expect(scheduler.stats().requests).toBe(1);
  });

  it('aborts the in-flight request when the last consumer leaves during a poll', async () => {
    const id = submit().documentIds[0]!;
    harness.server.simulator.setFault({ kind: 'hang', id });
    const { clock, client, log } = setup();
    const scheduler = createPollScheduler({ clock });
    const iterator = scheduler.watch(client, id)[Symbol.asyncIterator]();
    const waiting = iterator.next();
    await expect.poll(() => harness.requestsFor(id)).toBe(1);
    expect(scheduler.stats().inFlight).toBe(1);
    await iterator.return?.();
    await expect(waiting).resolves.toEqual({ value: undefined, done: true });
    await expect.poll(() => log.inFlight).toBe(0);
    expect(scheduler.stats().inFlight).toBe(0);
    expect(clock.pending).toEqual([]);
    expect(scheduler.stats()).toMatchObject({ loops: 0, consumers: 0, requests: 1 });
  });

  it("throws a consumer's signal reason to that consumer only", async () => {
    const id = submit().documentIds[0]!;
    const { clock, client, run } = setup();
    const scheduler = createPollScheduler({ clock, policy: fixedInterval(1_000) });
    const controller = new AbortController();
    const aborted = collect(scheduler.watch(client, id, { signal: controller.signal }));
    const other = collect(scheduler.watch(client, id));
    await clock.whenSleeping();
    const reason = new Error('user cancelled');
    controller.abort(reason);
    await expect(aborted).rejects.toBe(reason);
    expect(scheduler.stats()).toMatchObject({ loops: 1, consumers: 1 });
    expect(states(await run(other))).toEqual(['pending', 'processing', 'completed']);
  });

  it('throws an already-aborted signal reason without a request', async () => {
    const id = submit().documentIds[0]!;
    const { clock, client } = setup();
    const scheduler = createPollScheduler({ clock });
    const watching = collect(
      scheduler.watch(client, id, { signal: AbortSignal.abort('too late') }),
    );
    await expect(watching).rejects.toBe('too late');
    await flush();
    expect(harness.requestsFor(id)).toBe(0);
    expect(scheduler.stats()).toMatchObject({ loops: 0, consumers: 0, requests: 0 });
    expect(clock.pending).toEqual([]);
  });

  it('ends a consumer with a WatchTimeoutError when its timeoutMs passes, and only that one', async () => {
    const id = submit([{ totalPages: 50 }]).documentIds[0]!;
    const { clock, client, run } = setup();
    const start = clock.now();
    const scheduler = createPollScheduler({ clock, policy: fixedInterval(1_000) });
    const patient = scheduler.watch(client, id)[Symbol.asyncIterator]();
    // Watches subscribe on their first next().
    const patientFirst = patient.next();
    const timed = collect(scheduler.watch(client, id, { timeoutMs: 30_000 }));
    const error = await run(timed).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WatchTimeoutError);
    expect(isWatchTimeoutError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'WATCH_TIMEOUT', timeoutMs: 30_000 });
    expect((error as WatchTimeoutError).lastStatus).toMatchObject({
      document_id: id,
      status: 'processing',
    });
    expect(clock.now() - start).toBe(30_000);
    expect(scheduler.stats()).toMatchObject({ loops: 1, consumers: 1 });
    expect((await patientFirst).value?.status).toBe('pending');
    await patient.return?.();
    expect(clock.pending).toEqual([]);
  });

  it('leaves nothing behind when its only consumer times out', async () => {
    const id = submit([{ totalPages: 50 }]).documentIds[0]!;
    const { clock, client, run } = setup();
    const scheduler = createPollScheduler({ clock });
    const timed = collect(scheduler.watch(client, id, { timeoutMs: 20_000 }));
    await expect(run(timed)).rejects.toBeInstanceOf(WatchTimeoutError);
    expect(clock.pending).toEqual([]);
    expect(scheduler.stats()).toMatchObject({ loops: 0, consumers: 0 });
    const requests = harness.requestsFor(id);
    clock.advance(60_000);
    await flush();
    expect(harness.requestsFor(id)).toBe(requests);
  });

  it('reports loops, consumers, in-flight and queued polls, the rate and the request count', async () => {
    const [hanging, waiting] = submit([QUICK, QUICK]).documentIds as [string, string];
    harness.server.simulator.setFault({ kind: 'hang', id: hanging });
    const { clock, client } = setup();
    // One loop per document here (holding first polls behind a sibling's, and batches by
    // request, have tests of their own).
    const scheduler = createPollScheduler({
      clock,
      batchByRequest: false,
      concurrency: 1,
      ratePerSecond: 4,
    });
    expect(scheduler.stats()).toEqual({
      loops: 0,
      batches: 0,
      consumers: 0,
      inFlight: 0,
      queued: 0,
      ratePerSecond: 4,
      requests: 0,
    });
    const stuck = scheduler.watch(client, hanging)[Symbol.asyncIterator]();
    const stuckNext = stuck.next();
    const b = scheduler.watch(client, waiting)[Symbol.asyncIterator]();
    const c = scheduler.watch(client, waiting)[Symbol.asyncIterator]();
    const bFirst = b.next();
    const cFirst = c.next();
    await expect.poll(() => harness.requestsFor(hanging)).toBe(1);
    expect(scheduler.stats()).toEqual({
      loops: 2,
      batches: 0,
      consumers: 3,
      inFlight: 1,
      queued: 1,
      ratePerSecond: 4,
      requests: 1,
    });
    // The slot frees when the hanging watch goes: the queued poll runs.
    await stuck.return?.();
    await expect(stuckNext).resolves.toMatchObject({ done: true });
    expect((await bFirst).value?.status).toBe('pending');
    expect((await cFirst).value?.status).toBe('pending');
    expect(harness.requestsFor(waiting)).toBe(1);
    expect(scheduler.stats()).toEqual({
      loops: 1,
      batches: 0,
      consumers: 2,
      inFlight: 0,
      queued: 0,
      ratePerSecond: 4,
      requests: 2,
    });
    scheduler.close();
    expect(scheduler.stats()).toMatchObject({ loops: 0, consumers: 0 });
  });

  it('ends every consumer without error on close(), stops polling and refuses new watches', async () => {
    const [one, two] = submit([QUICK, QUICK]).documentIds as [string, string];
    const { clock, client } = setup();
    // One loop per document here (holding first polls behind a sibling's, and batches by
    // request, have tests of their own).
    const scheduler = createPollScheduler({ clock, batchByRequest: false });
    const watches = [
      collect(scheduler.watch(client, one)),
      collect(scheduler.watch(client, one)),
      collect(scheduler.watch(client, two)),
    ];
    // The scheduler sleeps on a single timer: wait until both loops have polled once.
    await expect.poll(() => harness.requestsFor(one) + harness.requestsFor(two)).toBe(2);
    await clock.whenSleeping();
    scheduler.close();
    const results = await Promise.all(watches);
    expect(results.map(states)).toEqual([['pending'], ['pending'], ['pending']]);
    expect(clock.pending).toEqual([]);
    expect(scheduler.stats()).toMatchObject({ loops: 0, consumers: 0 });
    expect(() => scheduler.watch(client, one)).toThrow(TypeError);
    clock.advance(60_000);
    await flush();
    expect(harness.requestsFor(one) + harness.requestsFor(two)).toBe(2);
  });

  it('holds the concurrency cap and the request-rate budget across 30 documents', async () => {
    const documents = Array.from({ length: 30 }, (_, i) => ({
      totalPages: 1,
      pendingMs: 1_000 + 100 * i,
      processingMs: 8_000 + 500 * i,
    }));
    const ids = submit(documents).documentIds;
    const { clock, client, log, run } = setup();
    // A greedy policy: every watch wants a poll per second, 15 times the budget. One loop per
    // document here (batches by request have tests of their own).
    const scheduler = createPollScheduler({
      clock,
      batchByRequest: false,
      ratePerSecond: 2,
      burst: 2,
      concurrency: 2,
      policy: fixedInterval(1_000),
    });
    const statuses = await run(Promise.all(ids.map((id) => collect(scheduler.watch(client, id)))));
    for (const watched of statuses) expect(watched.at(-1)?.status).toBe('completed');

    const times = log.startedAt;
    expect(times.length).toBe(scheduler.stats().requests);
    expect(ids.reduce((sum, id) => sum + harness.requestsFor(id), 0)).toBe(times.length);
    // None is done at submission: each needs a first poll and a terminal one at least.
    expect(times.length).toBeGreaterThanOrEqual(60);
    // No 1-second window holds more than rate + burst requests ...
    const worstWindow = Math.max(
      ...times.map((start) => times.filter((t) => t >= start && t <= start + 1_000).length),
    );
    expect(worstWindow).toBeLessThanOrEqual(4);
    // ... and, as a token bucket promises, n requests in a row span at least (n - burst) / rate s.
    let tightest = Number.POSITIVE_INFINITY;
    for (let i = 0; i < times.length; i++) {
      for (let j = i + 2; j < times.length; j++) {
        const slackMs = times[j]! - times[i]! - ((j - i + 1 - 2) / 2) * 1_000;
        tightest = Math.min(tightest, slackMs);
      }
    }
    expect(tightest).toBeGreaterThanOrEqual(-1e-6);
    // The budget was the bottleneck: the requests came at about the configured rate.
    const seconds = (times.at(-1)! - times[0]!) / 1_000;
    expect(times.length / seconds).toBeGreaterThan(1.8);
    expect(log.maxInFlight).toBeLessThanOrEqual(2);
    expect(log.maxInFlight).toBe(2);
    expect(scheduler.stats()).toMatchObject({ loops: 0, inFlight: 0, queued: 0 });
    expect(clock.pending).toEqual([]);
  });

  it('holds the concurrency cap when the rate is no constraint', async () => {
    const documents = Array.from({ length: 12 }, () => QUICK);
    const ids = submit(documents).documentIds;
    const { clock, client, log, run } = setup();
    // One loop per document here (holding first polls behind a sibling's, and batches by
    // request, have tests of their own).
    const scheduler = createPollScheduler({
      clock,
      batchByRequest: false,
      ratePerSecond: 1_000,
      concurrency: 3,
      policy: fixedInterval(1_000),
    });
    const seenQueued: number[] = [];
    const watching = Promise.all(ids.map((id) => collect(scheduler.watch(client, id))));
    seenQueued.push(scheduler.stats().queued);
    await run(watching);
    expect(log.maxInFlight).toBe(3);
    // All 12 first polls asked at once: 3 went, 9 waited for a slot.
    expect(seenQueued).toEqual([9]);
  });

  it('halves the rate on a 429 and lets it recover over time', async () => {
    const id = submit().documentIds[0]!;
    harness.server.simulator.setFault({
      kind: 'status',
      status: 429,
      retryAfter: '2',
      id,
      times: 1,
    });
    const { clock, client, run } = setup();
    const start = clock.now();
    const scheduler = createPollScheduler({
      clock,
      ratePerSecond: 10,
      recoveryPerSecond: 1,
      policy: fixedInterval(1_000),
    });
    const watching = collect(scheduler.watch(client, id));
    await clock.whenSleeping();
    expect(scheduler.stats().ratePerSecond).toBe(5);
    // The Retry-After of 2 s outweighs the 1 s policy.
    expect(clock.pending).toEqual([start + 2_000]);
    clock.advance(3_000);
    expect(scheduler.stats().ratePerSecond).toBe(8);
    clock.advance(2_000);
    expect(scheduler.stats().ratePerSecond).toBe(10);
    clock.advance(60_000);
    expect(scheduler.stats().ratePerSecond).toBe(10);
    expect(states(await run(watching)).at(-1)).toBe('completed');
  });

  it('recovers at ratePerSecond / 30 per second by default', async () => {
    const id = submit().documentIds[0]!;
    harness.server.simulator.setFault({ kind: 'status', status: 429, id, times: 1 });
    const { clock, client, run } = setup();
    const scheduler = createPollScheduler({ clock, ratePerSecond: 6 });
    const watching = collect(scheduler.watch(client, id));
    await clock.whenSleeping();
    expect(scheduler.stats().ratePerSecond).toBe(3);
    clock.advance(15_000);
    expect(scheduler.stats().ratePerSecond).toBeCloseTo(6 / 2 + (6 / 30) * 15, 9);
    expect(states(await run(watching)).at(-1)).toBe('completed');
  });

  it('halves again on each further 429, but never below minRatePerSecond', async () => {
    const id = submit().documentIds[0]!;
    harness.server.simulator.setFault({ kind: 'status', status: 429, id, times: 3 });
    const { clock, client, run } = setup();
    const scheduler = createPollScheduler({
      clock,
      ratePerSecond: 8,
      minRatePerSecond: 3,
      recoveryPerSecond: 0,
      policy: fixedInterval(1_000),
    });
    const rates: number[] = [];
    const watching = collect(scheduler.watch(client, id));
    for (let i = 0; i < 3; i++) {
      await clock.whenSleeping();
      rates.push(scheduler.stats().ratePerSecond);
      clock.fireNext();
    }
    expect(rates).toEqual([4, 3, 3]);
    expect(states(await run(watching)).at(-1)).toBe('completed');
    expect(scheduler.stats().ratePerSecond).toBe(3);
  });

  it('rejects a malformed id and nonsense options at once', () => {
    const scheduler = createPollScheduler();
    const client = harness.client();
    expect(() => scheduler.watch(client, '../etc/passwd')).toThrow(/Invalid document id/);
    expect(() => scheduler.watch(client, 'abc', { emit: 'sometimes' as never })).toThrow(TypeError);
    expect(() => scheduler.watch(client, 'abc', { timeoutMs: -1 })).toThrow(TypeError);
    expect(() => scheduler.watch(client, 'abc', { timeoutMs: Number.NaN })).toThrow(TypeError);
    expect(scheduler.stats()).toMatchObject({ loops: 0, consumers: 0 });
    expect(() => createPollScheduler({ ratePerSecond: 0 })).toThrow(TypeError);
    expect(() => createPollScheduler({ ratePerSecond: Number.NaN })).toThrow(TypeError);
    expect(() => createPollScheduler({ concurrency: 1.5 })).toThrow(TypeError);
    expect(() => createPollScheduler({ concurrency: 0 })).toThrow(TypeError);
    expect(() => createPollScheduler({ minIntervalMs: -1 })).toThrow(TypeError);
  });
});
