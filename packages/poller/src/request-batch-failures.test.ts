import { type DocumentStatus, TimeoutError } from '@neurostatus/core';
import { DEMO_API_KEY, type FaultBehaviour } from '@neurostatus/simulator';
import { describe, expect, it } from 'vitest';
import { fixedInterval } from './fixed-interval.ts';
import { createPollScheduler } from './poll-scheduler.ts';
import { collect, trackedSetup, useHarness } from './test-support/harness.ts';
import type { StatusReader } from './test-support/idle-drive.ts';
import type { VirtualClock } from './virtual-clock.ts';
import { watchMany } from './watch-many.ts';

const harness = useHarness();

/** The default policy's longest wait: no document is seen later than this, batched or not. */
const CEILING_MS = 3_750;

const doc = (processingMs: number) => ({ totalPages: 1, pendingMs: 1_000, processingMs });

function submit(count: number, extra: Record<string, unknown> = {}) {
  const documents = Array.from({ length: count }, (_, i) => doc(4_000 + 1_500 * i));
  return harness.server.simulator.createRequest({ apiKey: DEMO_API_KEY, documents, ...extra });
}

const count = (ids: readonly string[], id: string) => ids.filter((seen) => seen === id).length;

/** `client`, with every request poll timing out after `timeoutMs` of virtual time (a hang). */
function timingOutRequests(client: StatusReader, clock: VirtualClock, timeoutMs = 1_000) {
  return {
    getDocumentStatusWithMeta: client.getDocumentStatusWithMeta,
    getRequestStatusWithMeta: async (_id: string, options?: { signal?: AbortSignal }) => {
      await clock.sleep(timeoutMs, options?.signal);
      throw new TimeoutError(`Timed out after ${timeoutMs} ms.`, { timeoutMs });
    },
  } as StatusReader;
}

interface Seen {
  readonly documentId: string;
  readonly status: DocumentStatus;
  readonly at: number;
}

/** Watches `ids` with `watchMany` (default policy), noting when each status was seen. */
async function watchSeen(
  setUp: ReturnType<typeof trackedSetup>,
  ids: readonly string[],
  options: { requestId?: string; client?: StatusReader } = {},
): Promise<Seen[]> {
  const { clock, run } = setUp;
  const seen: Seen[] = [];
  const stream = watchMany(options.client ?? setUp.client, ids, {
    clock,
    ...(options.requestId === undefined ? {} : { requestId: options.requestId }),
  });
  await run(
    (async () => {
      for await (const update of stream) {
        if (update.status === undefined) throw update.error;
        seen.push({ documentId: update.documentId, status: update.status, at: clock.now() });
      }
    })(),
  );
  return seen;
}

/** How late each terminal status was seen after the document finished, in ms. */
const terminalLags = (seen: readonly Seen[]) =>
  seen
    .filter((s) => s.status.completed_at !== null)
    .map((s) => s.at - Date.parse(s.status.completed_at as string));

// Found by audit: a request poll that kept failing (500, a hang, an invalid payload, a 404 within
// the grace period) held its documents' statuses back until it failed for good, 10 to 30 s,
// although each document's own poll worked.
describe('a request poll that fails hands its documents back to their own polls at once', () => {
  const faults: Array<[string, FaultBehaviour | 'timeout', number]> = [
    ['a 500', { kind: 'status', status: 500 }, 0],
    ['an invalid payload', { kind: 'drift', drift: 'wrong-types' }, 0],
    ['a 404 within the grace period', { kind: 'status', status: 404 }, 0],
    ['a timeout (a hang)', 'timeout', 1_000],
  ];

  it.each(faults)(
    'after %s, each document is seen within its own policy ceiling',
    async (_, fault, pollMs) => {
      const { documentIds } = submit(3);
      if (fault !== 'timeout')
        harness.server.simulator.setFault({ route: 'request-status', ...fault });
      const setUp = trackedSetup(harness);
      const client = fault === 'timeout' ? timingOutRequests(setUp.client, setUp.clock) : undefined;
      const seen = await watchSeen(setUp, documentIds, client === undefined ? {} : { client });
      const lags = terminalLags(seen);
      expect(lags).toHaveLength(3);
      // At most one failed request poll (and its own time) on top of the document's ceiling.
      for (const lag of lags) expect(lag).toBeLessThanOrEqual(CEILING_MS + pollMs);
    },
  );

  it('polls documents given a wrong request id on their own at once, then batches them on their real request', async () => {
    const { requestId, documentIds } = submit(3);
    const wrong = '00000000-0000-4000-8000-00000000beef';
    const setUp = trackedSetup(harness);
    const start = setUp.clock.now();
    const seen = await watchSeen(setUp, documentIds, { requestId: wrong });
    for (const id of documentIds) {
      const first = seen.find((s) => s.documentId === id);
      expect(first?.at).toBe(start);
    }
    for (const lag of terminalLags(seen)) expect(lag).toBeLessThanOrEqual(CEILING_MS);
    // One 404 of the wrong request; their answers name the real one, which then answers for them.
    expect(count(setUp.log.ids, wrong)).toBe(1);
    expect(count(setUp.log.ids, requestId)).toBeGreaterThan(0);
  });

  it('takes the documents back into the batch once the request answers again', async () => {
    const { requestId, documentIds } = submit(3);
    harness.server.simulator.setFault({
      route: 'request-status',
      kind: 'status',
      status: 503,
      times: 1,
    });
    const setUp = trackedSetup(harness);
    const seen = await watchSeen(setUp, documentIds, { requestId });
    expect(seen.filter((s) => s.status.status === 'completed')).toHaveLength(3);
    const { ids } = setUp.log;
    // The failed poll, then the documents' own polls, then the request's answer takes them back.
    const recovered = ids.indexOf(requestId, ids.indexOf(requestId) + 1);
    expect(recovered).toBeGreaterThan(0);
    expect(new Set(ids.slice(recovered))).toEqual(new Set([requestId]));
    for (const id of documentIds) expect(count(ids, id)).toBeGreaterThan(0);
  });

  // Found by review: a 429 on the request poll handed its documents back to polls of their own at
  // once, so the client asked again for every document right after being told to wait.
  it.each([
    ['a 429', 429],
    ['a 503', 503],
  ])(
    'waits out the Retry-After of %s, then lets the request poll answer for the documents',
    async (_, status) => {
      const { requestId, documentIds } = submit(3);
      harness.server.simulator.setFault({
        route: 'request-status',
        kind: 'status',
        status,
        retryAfter: '5',
        times: 1,
      });
      const setUp = trackedSetup(harness);
      const seen = await watchSeen(setUp, documentIds, { requestId });
      expect(seen.filter((s) => s.status.status === 'completed')).toHaveLength(3);
      const { ids, startedAt } = setUp.log;
      const refusedAt = startedAt[ids.indexOf(requestId)] as number;
      const after = ids.map((id, i) => ({ id, at: startedAt[i] as number })).slice(1);
      expect(after.length).toBeGreaterThan(0);
      for (const call of after) expect(call.at - refusedAt).toBeGreaterThanOrEqual(5_000);
      // Found by review: every document asked at the end of the hold too, though the request's own
      // poll then answered for all of them.
      expect(new Set(after.map((call) => call.id))).toEqual(new Set([requestId]));
    },
  );

  it('hands the documents back after the Retry-After of the 429 that ends the request poll', async () => {
    const { requestId, documentIds } = submit(3);
    harness.server.simulator.setFault({
      route: 'request-status',
      kind: 'status',
      status: 429,
      retryAfter: '5',
    });
    const setUp = trackedSetup(harness);
    const { clock, client, log, run } = setUp;
    // No error is waited out: the first 429 ends the request poll for good.
    const scheduler = createPollScheduler({ clock, maxConsecutiveErrors: 0 });
    const statuses = await run(
      Promise.all(documentIds.map((id) => collect(scheduler.watch(client, id, { requestId })))),
    );
    for (const list of statuses) expect(list.at(-1)?.status).toBe('completed');
    const refusedAt = log.startedAt[log.ids.indexOf(requestId)] as number;
    expect(count(log.ids, requestId)).toBe(1);
    for (const at of log.startedAt.slice(1)) expect(at - refusedAt).toBeGreaterThanOrEqual(5_000);
  });

  it('lets a document that joins while the request is held off wait out the rest of its Retry-After', async () => {
    const { requestId, documentIds } = submit(4);
    const [late, ...early] = documentIds as [string, ...string[]];
    harness.server.simulator.setFault({
      route: 'request-status',
      kind: 'status',
      status: 429,
      retryAfter: '5',
      times: 1,
    });
    const setUp = trackedSetup(harness);
    const { clock, client, log, run } = setUp;
    const scheduler = createPollScheduler({ clock });
    const watched = early.map((id) => collect(scheduler.watch(client, id, { requestId })));
    const joined = clock
      .sleep(2_000)
      .then(() => collect(scheduler.watch(client, late, { requestId })));
    const statuses = await run(Promise.all([...watched, joined]));
    for (const list of statuses) expect(list.at(-1)?.status).toBe('completed');
    const refusedAt = log.startedAt[log.ids.indexOf(requestId)] as number;
    // Nothing is asked before the hold is out: not the late document, nor the others.
    for (const at of log.startedAt.slice(1)) expect(at - refusedAt).toBeGreaterThanOrEqual(5_000);
  });

  it('lets a document whose own answer names a held-off request wait out the rest of the hold', async () => {
    const { requestId, documentIds } = submit(4);
    const [unnamed, ...early] = documentIds as [string, ...string[]];
    harness.server.simulator.setFault({
      route: 'request-status',
      kind: 'status',
      status: 429,
      retryAfter: '10',
      times: 1,
    });
    const setUp = trackedSetup(harness);
    const { clock, client, log, run } = setUp;
    const scheduler = createPollScheduler({ clock });
    const watched = early.map((id) => collect(scheduler.watch(client, id, { requestId })));
    // Watched without its request id: its first poll asks, and its answer names the request.
    const joined = clock.sleep(1_000).then(() => collect(scheduler.watch(client, unnamed)));
    const statuses = await run(Promise.all([...watched, joined]));
    for (const list of statuses) expect(list.at(-1)?.status).toBe('completed');
    const refusedAt = log.startedAt[log.ids.indexOf(requestId)] as number;
    const ownPolls = log.startedAt.filter((_, i) => log.ids[i] === unnamed);
    expect(ownPolls[0]).toBe(refusedAt + 1_000);
    for (const at of ownPolls.slice(1)) expect(at - refusedAt).toBeGreaterThanOrEqual(10_000);
  });

  it('batches documents given their request id once the request becomes visible', async () => {
    const { requestId, documentIds } = submit(3, { visibleAfterMs: 3_000 });
    const setUp = trackedSetup(harness);
    const seen = await watchSeen(setUp, documentIds, { requestId });
    expect(seen.filter((s) => s.status.status === 'completed')).toHaveLength(3);
    const { ids } = setUp.log;
    const lastDocumentPoll = Math.max(...documentIds.map((id) => ids.lastIndexOf(id)));
    // Polls of their own while the request is not visible; once it answers, it serves them all.
    expect(ids.slice(lastDocumentPoll + 1).length).toBeGreaterThan(1);
    expect(new Set(ids.slice(lastDocumentPoll + 1))).toEqual(new Set([requestId]));
  });

  it('keeps request watchers on the request poll with its own error handling, and refuses the request for the documents after it fails for good', async () => {
    const { requestId, documentIds } = submit(3);
    harness.server.simulator.setFault({ route: 'request-status', kind: 'status', status: 500 });
    const setUp = trackedSetup(harness);
    const { clock, client, log, run } = setUp;
    const scheduler = createPollScheduler({ clock, policy: fixedInterval(1_000) });
    const watcher = collect(scheduler.watchRequest(client, requestId)).then(
      () => 'ended',
      (error: { code?: string }) => error.code,
    );
    const documents = Promise.all(
      documentIds.map((id) => collect(scheduler.watch(client, id, { requestId }))),
    );
    const [code, statuses] = await run(Promise.all([watcher, documents]));
    // The watcher got the request's own verdict: too many errors in a row (5 by default).
    expect(code).toBe('SERVER_ERROR');
    expect(count(log.ids, requestId)).toBe(6);
    for (const list of statuses) expect(list.at(-1)?.status).toBe('completed');
    expect(scheduler.stats()).toMatchObject({ loops: 0, batches: 0 });
  });
});
