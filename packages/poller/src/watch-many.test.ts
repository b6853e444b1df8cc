import { type DocumentStatus, InvalidIdError } from '@neurostatus/core';
import { DEMO_API_KEY } from '@neurostatus/simulator';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isWatchTimeoutError } from './errors.ts';
import { fixedInterval } from './fixed-interval.ts';
import { createPollScheduler, type PollScheduler } from './poll-scheduler.ts';
import { collect, trackedSetup, useHarness } from './test-support/harness.ts';
import { type WatchManyUpdate, watchMany } from './watch-many.ts';

// Pass-through spy, to get hold of the private scheduler a stream creates for itself.
vi.mock('./poll-scheduler.ts', async (importOriginal) => {
  const original = await importOriginal<typeof import('./poll-scheduler.ts')>();
  return { ...original, createPollScheduler: vi.fn(original.createPollScheduler) };
});

const harness = useHarness();
afterEach(() => {
  vi.mocked(createPollScheduler).mockClear();
});

const QUICK = { totalPages: 1, pendingMs: 2_000, processingMs: 10_000 };
const FAST_POLLS = { policy: fixedInterval(1_000) };

function submit(documents: Array<Record<string, unknown>> = [QUICK]) {
  return harness.server.simulator.createRequest({ apiKey: DEMO_API_KEY, documents });
}

let unknownCount = 0;
/** An id nobody submitted, fresh per test so the simulator's per-id counts start at 0. */
const unknownId = () => `never-submitted-${unknownCount++}`;

const flush = () => new Promise((resolve) => setImmediate(resolve));

const setup = () => trackedSetup(harness);

/** The statuses of each document, in the order the stream gave them. */
function byDocument(updates: readonly WatchManyUpdate[]) {
  const statuses = new Map<string, string[]>();
  for (const update of updates) {
    if (update.status === undefined) continue;
    statuses.set(update.documentId, [
      ...(statuses.get(update.documentId) ?? []),
      update.status.status,
    ]);
  }
  return Object.fromEntries(statuses);
}

/** The private scheduler the n-th `watchMany` call of this test created. */
function privateScheduler(call = 0): PollScheduler {
  return vi.mocked(createPollScheduler).mock.results[call]?.value as PollScheduler;
}

describe('watchMany over real HTTP', () => {
  it('streams every document and ends once all are terminal', async () => {
    const ids = submit([
      QUICK,
      { totalPages: 1, pendingMs: 1_000, processingMs: 5_000 },
      { totalPages: 2, pendingMs: 1_000, processingMs: 8_000, outcome: 'failed' },
    ]).documentIds;
    const { clock, client, run } = setup();
    const updates = await run(collect(watchMany(client, ids, { clock, ...FAST_POLLS })));
    expect(byDocument(updates)).toEqual({
      [ids[0]!]: ['pending', 'processing', 'completed'],
      [ids[1]!]: ['pending', 'processing', 'completed'],
      [ids[2]!]: ['pending', 'processing', 'failed'],
    });
    expect(updates.every((update) => update.error === undefined)).toBe(true);
    // Updates come as they happen: the 6-second document finishes first.
    const terminalOrder = updates
      .filter((update) => ['completed', 'failed'].includes(update.status?.status ?? ''))
      .map((update) => update.documentId);
    expect(terminalOrder).toEqual([ids[1], ids[2], ids[0]]);
    expect(clock.pending).toEqual([]);
  });

  it('ends at once for no documents', async () => {
    const { clock, client } = setup();
    await expect(collect(watchMany(client, [], { clock }))).resolves.toEqual([]);
  });

  it('starts watching documents added while it runs, once each', async () => {
    const [first, second] = submit([QUICK, QUICK]).documentIds as [string, string];
    const { clock, client, run } = setup();
    const stream = watchMany(client, [first], { clock, ...FAST_POLLS });
    const updates: WatchManyUpdate[] = [];
    const consuming = (async () => {
      for await (const update of stream) {
        updates.push(update);
        if (updates.length === 1) stream.add(second, first, second);
      }
    })();
    await run(consuming);
    expect(byDocument(updates)).toEqual({
      [first]: ['pending', 'processing', 'completed'],
      [second]: ['pending', 'processing', 'completed'],
    });
    // Added later, so its first poll came after the first document's.
    expect(updates[0]?.documentId).toBe(first);
    // An id added after the end is refused loudly, not dropped: no request.
    const late = submit().documentIds[0]!;
    expect(() => stream.add(late)).toThrow(/has ended/);
    await flush();
    expect(harness.requestsFor(late)).toBe(0);
  });

  it('reports an unknown id as { documentId, error } once notFoundGraceMs is over, and carries on with the others', async () => {
    const good = submit().documentIds[0]!;
    const unknown = unknownId();
    const { clock, client, run } = setup();
    const start = clock.now();
    const updates: Array<WatchManyUpdate & { at: number }> = [];
    const stream = watchMany(client, [unknown, good], {
      clock,
      notFoundGraceMs: 5_000,
      ...FAST_POLLS,
    });
    await run(
      (async () => {
        for await (const update of stream) updates.push({ ...update, at: clock.now() });
      })(),
    );
    const failures = updates.filter((update) => update.error !== undefined);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ documentId: unknown, error: { code: 'NOT_FOUND' } });
    expect(failures[0]?.status).toBeUndefined();
    expect(failures[0]!.at - start).toBeGreaterThanOrEqual(5_000);
    expect(harness.requestsFor(unknown)).toBeGreaterThan(1);
    expect(byDocument(updates)).toEqual({ [good]: ['pending', 'processing', 'completed'] });
    // The good document finished after the unknown one failed: one error did not end the stream.
    expect(updates.at(-1)).toMatchObject({ documentId: good, status: { status: 'completed' } });
  });

  it('reports a per-document timeout as a WatchTimeoutError update', async () => {
    const [quick, slow] = submit([QUICK, { totalPages: 50 }]).documentIds as [string, string];
    const { clock, client, run } = setup();
    const updates = await run(
      collect(watchMany(client, [quick, slow], { clock, timeoutMs: 20_000, ...FAST_POLLS })),
    );
    const failure = updates.find((update) => update.error !== undefined);
    expect(failure?.documentId).toBe(slow);
    expect(isWatchTimeoutError(failure?.error)).toBe(true);
    expect(byDocument(updates)[quick]).toEqual(['pending', 'processing', 'completed']);
    expect(clock.pending).toEqual([]);
  });

  it('closes its private scheduler when it ends', async () => {
    const id = submit().documentIds[0]!;
    const { clock, client, run } = setup();
    await run(collect(watchMany(client, [id], { clock, ...FAST_POLLS })));
    expect(createPollScheduler).toHaveBeenCalledTimes(1);
    expect(() => privateScheduler().watch(client, id)).toThrow(/closed/);
  });

  it('closes its private scheduler on break too', async () => {
    const id = submit().documentIds[0]!;
    const { clock, client } = setup();
    for await (const update of watchMany(client, [id], { clock })) {
      expect(update.status?.status).toBe('pending');
      break;
    }
    expect(() => privateScheduler().watch(client, id)).toThrow(/closed/);
  });

  it('leaves a shared scheduler open, and its other watches running, when it ends or breaks', async () => {
    const [one, two] = submit([QUICK, { ...QUICK, processingMs: 120_000 }]).documentIds as [
      string,
      string,
    ];
    const { clock, client, run } = setup();
    const scheduler = createPollScheduler({ clock, ...FAST_POLLS });
    vi.mocked(createPollScheduler).mockClear();
    const bystander = collect(scheduler.watch(client, two));

    const updates = await run(collect(watchMany(client, [one], { scheduler })));
    expect(createPollScheduler).not.toHaveBeenCalled();
    expect(byDocument(updates)).toEqual({ [one]: ['pending', 'processing', 'completed'] });

    for await (const update of watchMany(client, [two], { scheduler })) {
      expect(update.documentId).toBe(two);
      break;
    }
    expect(scheduler.stats()).toMatchObject({ loops: 1, consumers: 1 });
    const statuses: DocumentStatus[] = await run(bystander);
    expect(statuses.at(-1)?.status).toBe('completed');
    expect(() => scheduler.watch(client, one)).not.toThrow();
    scheduler.close();
  });

  it('reports every document as failed when the shared scheduler is already closed', async () => {
    const [one, two] = submit([QUICK, QUICK]).documentIds as [string, string];
    const { clock, client } = setup();
    const scheduler = createPollScheduler({ clock });
    scheduler.close();
    const updates = await collect(watchMany(client, [one, two], { scheduler }));
    expect(updates).toEqual([
      { documentId: one, error: expect.any(TypeError) },
      { documentId: two, error: expect.any(TypeError) },
    ]);
  });

  it('stops all polling on break: no request afterwards and no pending sleep', async () => {
    const ids = submit([QUICK, QUICK, QUICK]).documentIds;
    const { clock, client, log } = setup();
    const stream = watchMany(client, ids, { clock });
    let seen = 0;
    for await (const update of stream) {
      expect(update.status?.status).toBe('pending');
      if (++seen === 3) break;
    }
    await expect.poll(() => log.inFlight).toBe(0);
    expect(clock.pending).toEqual([]);
    // The first document's poll, then one poll of their request for the other two.
    const calls = log.ids.length;
    expect(calls).toBe(2);
    clock.advance(10 * 60_000);
    await flush();
    expect(log.ids.length).toBe(calls);
  });

  it('aborts in-flight requests when the consumer breaks during a poll', async () => {
    const [quick, hanging] = submit([QUICK, QUICK]).documentIds as [string, string];
    harness.server.simulator.setFault({ kind: 'hang', id: hanging });
    const { clock, client, log } = setup();
    for await (const update of watchMany(client, [quick, hanging], { clock })) {
      expect(update.documentId).toBe(quick);
      break;
    }
    await expect.poll(() => log.inFlight).toBe(0);
    expect(clock.pending).toEqual([]);
  });

  it('throws InvalidIdError at once for a malformed id, from watchMany and from add()', async () => {
    const id = submit().documentIds[0]!;
    const { clock, client, run } = setup();
    expect(() => watchMany(client, [id, '../etc/passwd'], { clock })).toThrow(InvalidIdError);
    await flush();
    expect(harness.requestsFor(id)).toBe(0);

    const stream = watchMany(client, [id], { clock, ...FAST_POLLS });
    const other = submit().documentIds[0]!;
    expect(() => stream.add(other, 'a/b')).toThrow(InvalidIdError);
    const updates = await run(collect(stream));
    // Nothing of a rejected batch was added.
    expect(Object.keys(byDocument(updates))).toEqual([id]);
    expect(harness.requestsFor(other)).toBe(0);
  });

  it("throws the signal's reason and stops polling when the signal aborts", async () => {
    const ids = submit([QUICK, QUICK]).documentIds;
    const { clock, client, log } = setup();
    const controller = new AbortController();
    const seen: WatchManyUpdate[] = [];
    const consuming = (async () => {
      for await (const update of watchMany(client, ids, { clock, signal: controller.signal })) {
        seen.push(update);
      }
    })();
    // The scheduler sleeps on a single timer: wait until both documents were polled once.
    await expect.poll(() => seen.length).toBe(2);
    await clock.whenSleeping();
    const reason = new Error('shutting down');
    controller.abort(reason);
    await expect(consuming).rejects.toBe(reason);
    expect(seen).toHaveLength(2);
    await expect.poll(() => log.inFlight).toBe(0);
    expect(clock.pending).toEqual([]);
    const calls = log.ids.length;
    clock.advance(60_000);
    await flush();
    expect(log.ids.length).toBe(calls);
  });

  it('throws an already-aborted signal reason before any update', async () => {
    const id = submit().documentIds[0]!;
    const { clock, client } = setup();
    const stream = watchMany(client, [id], { clock, signal: AbortSignal.abort('no thanks') });
    await expect(collect(stream)).rejects.toBe('no thanks');
    await flush();
    expect(clock.pending).toEqual([]);
  });
});
