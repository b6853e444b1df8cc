import { DEMO_API_KEY } from '@neurostatus/simulator';
import { describe, expect, it } from 'vitest';
import { fixedInterval } from './fixed-interval.ts';
import { collect, trackedSetup, useHarness } from './test-support/harness.ts';
import { type RequestProgress, watchRequest } from './watch-request.ts';

const harness = useHarness();

/** Done at 6 s, failed at 17 s (a pinned processingMs is the time to failure), done at 22 s. */
const THREE_DOCUMENTS = [
  { totalPages: 1, pendingMs: 1_000, processingMs: 5_000 },
  { totalPages: 2, pendingMs: 1_000, processingMs: 16_000, outcome: 'failed' },
  { totalPages: 3, pendingMs: 2_000, processingMs: 20_000 },
];

function submit(documents: Array<Record<string, unknown>> = THREE_DOCUMENTS) {
  return harness.server.simulator.createRequest({ apiKey: DEMO_API_KEY, documents });
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

const setup = () => trackedSetup(harness);

/** Checks what must hold for every progress, whatever the moment. */
function expectConsistent(progress: RequestProgress) {
  const count = (state: string) =>
    progress.request.documents.filter((document) => document.status === state).length;
  expect(progress.total).toBe(3);
  expect(progress.completed).toBe(count('completed'));
  expect(progress.failed).toBe(count('failed'));
  expect(progress.processing).toBe(3 - progress.completed - progress.failed);
  expect(progress.fraction).toBeCloseTo((progress.completed + progress.failed) / 3, 12);
  expect(progress.fraction).toBeGreaterThanOrEqual(0);
  expect(progress.fraction).toBeLessThanOrEqual(1);
}

describe('watchRequest over real HTTP', () => {
  it('reports the progress of a request whose documents finish one by one, one failing', async () => {
    const { requestId, documentIds } = submit();
    const [quick, failing, slow] = documentIds as [string, string, string];
    const { clock, client, run } = setup();
    const start = clock.now();
    const stamped: Array<{ at: number; progress: RequestProgress }> = [];
    await run(
      (async () => {
        for await (const progress of watchRequest(client, requestId, {
          clock,
          policy: fixedInterval(1_000),
        })) {
          stamped.push({ at: clock.now() - start, progress });
        }
      })(),
    );
    const all = stamped.map(({ progress }) => progress);
    for (const progress of all) expectConsistent(progress);

    // Counts end at 2 completed and 1 failed, and the fraction only grows, from 0 to 1.
    const fractions = all.map((progress) => progress.fraction);
    expect(fractions[0]).toBe(0);
    expect(fractions.at(-1)).toBe(1);
    for (let i = 1; i < fractions.length; i++) {
      expect(fractions[i]).toBeGreaterThanOrEqual(fractions[i - 1]!);
    }
    expect(all.at(-1)).toMatchObject({ completed: 2, failed: 1, processing: 0, fraction: 1 });

    // Each finished document is reported exactly once, when it finished.
    expect(all.flatMap((progress) => progress.newlyCompleted)).toEqual([quick, slow]);
    expect(all.flatMap((progress) => progress.newlyFailed)).toEqual([failing]);
    const whenNewly = (id: string) =>
      stamped.find(
        ({ progress }) => progress.newlyCompleted.includes(id) || progress.newlyFailed.includes(id),
      )?.at;
    expect(whenNewly(quick)).toBe(6_000);
    expect(whenNewly(failing)).toBe(17_000);
    expect(whenNewly(slow)).toBe(22_000);

    // Only the last progress is terminal, and the request ended `partial`.
    expect(all.map((progress) => progress.terminal)).toEqual([
      ...all.slice(1).map(() => false),
      true,
    ]);
    expect(all.at(-1)?.request.status).toBe('partial');
    expect(all.slice(0, -1).every((progress) => progress.request.status === 'processing')).toBe(
      true,
    );

    // Pages are known from the start, so there is an ETA throughout; 0 at the end.
    for (const progress of all.slice(0, -1)) {
      expect(progress.etaMs).toEqual(expect.any(Number));
      expect(progress.etaMs).toBeGreaterThanOrEqual(0);
    }
    expect(all.at(-1)?.etaMs).toBe(0);
    expect(clock.pending).toEqual([]);
  });

  it('reports each finished document once with emit: every, though it yields every poll', async () => {
    const { requestId, documentIds } = submit();
    const [quick, failing, slow] = documentIds as [string, string, string];
    const { clock, client, log, run } = setup();
    const all = await run(
      collect(
        watchRequest(client, requestId, { clock, emit: 'every', policy: fixedInterval(1_000) }),
      ),
    );
    expect(all).toHaveLength(log.startedAt.length);
    expect(all.length).toBeGreaterThan(20);
    expect(all.flatMap((progress) => progress.newlyCompleted)).toEqual([quick, slow]);
    expect(all.flatMap((progress) => progress.newlyFailed)).toEqual([failing]);
    expect(all.filter((progress) => progress.terminal)).toHaveLength(1);
    expect(all.at(-1)?.terminal).toBe(true);
  });

  it('yields only changes by default: fewer progresses than polls', async () => {
    const { requestId } = submit();
    const { clock, client, log, run } = setup();
    const all = await run(
      collect(watchRequest(client, requestId, { clock, policy: fixedInterval(1_000) })),
    );
    // First sight, the processing starts (1 s and 2 s), three finishes: 6 changes at most.
    expect(all.length).toBeLessThanOrEqual(6);
    expect(log.startedAt.length).toBeGreaterThan(all.length);
    expect(log.ids.every((id) => id === requestId)).toBe(true);
  });

  it('stops polling at break', async () => {
    const { requestId } = submit();
    const { clock, client } = setup();
    for await (const progress of watchRequest(client, requestId, { clock })) {
      expect(progress.fraction).toBe(0);
      break;
    }
    expect(clock.pending).toEqual([]);
    clock.advance(10 * 60_000);
    await flush();
    expect(harness.requestsFor(requestId)).toBe(1);
  });

  it('throws the signal reason when aborted while sleeping', async () => {
    const { requestId } = submit();
    const { clock, client } = setup();
    const controller = new AbortController();
    const watching = collect(watchRequest(client, requestId, { clock, signal: controller.signal }));
    await clock.whenSleeping();
    controller.abort('enough');
    await expect(watching).rejects.toBe('enough');
    expect(clock.pending).toEqual([]);
  });

  it('rejects a malformed request id at once', () => {
    expect(() => watchRequest(harness.client(), 'no/slashes')).toThrow(/Invalid request id/);
  });
});
