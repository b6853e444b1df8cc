import type { DocumentStatus, RequestDocument } from '@neurostatus/core';
import { DEMO_API_KEY, SECOND_API_KEY } from '@neurostatus/simulator';
import { describe, expect, it } from 'vitest';
import { fixedInterval } from './fixed-interval.ts';
import type { PollContext } from './interval-policy.ts';
import { createPollScheduler } from './poll-scheduler.ts';
import { collect, trackedSetup, twoTenantSetup, useHarness } from './test-support/harness.ts';
import { driveWhenIdle, type StatusReader, trackRequests } from './test-support/idle-drive.ts';
import { waitForDocument } from './wait-for-document.ts';
import { watchMany } from './watch-many.ts';

const harness = useHarness();

const doc = (processingMs: number, extra: Record<string, unknown> = {}) => ({
  totalPages: 1,
  pendingMs: 1_000,
  processingMs,
  ...extra,
});

function submit(documents: Array<Record<string, unknown>>, apiKey = DEMO_API_KEY) {
  return harness.server.simulator.createRequest({ apiKey, documents });
}

const setup = (base?: StatusReader) => trackedSetup(harness, base);

const count = (ids: readonly string[], id: string) => ids.filter((seen) => seen === id).length;

/** The real client, with each request poll's document list rewritten by `rewrite`. */
function rewritingRequests(
  rewrite: (documents: RequestDocument[]) => RequestDocument[],
): StatusReader {
  const base = harness.client();
  return {
    getDocumentStatusWithMeta: (id, options) => base.getDocumentStatusWithMeta(id, options),
    getRequestStatusWithMeta: async (id, options) => {
      const answer = await base.getRequestStatusWithMeta(id, options);
      return { ...answer, data: { ...answer.data, documents: rewrite(answer.data.documents) } };
    },
  };
}

/** Watches every id through one scheduler (with the request id given) to its last status. */
async function watchAll(
  setUp: ReturnType<typeof setup>,
  ids: readonly string[],
  requestId: string,
) {
  const scheduler = createPollScheduler({ clock: setUp.clock, policy: fixedInterval(1_000) });
  const finals = await setUp.run(
    Promise.all(ids.map((id) => collect(scheduler.watch(setUp.client, id, { requestId })))),
  );
  return finals.map((statuses) => statuses.at(-1)?.status);
}

describe('the scheduler polls documents of one request together', () => {
  it('learns the request from the first answer of documents watched together, then polls only the request', async () => {
    const { requestId, documentIds } = submit([doc(6_000), doc(9_000), doc(12_000), doc(15_000)]);
    const { clock, client, log, run } = setup();
    const updates = await run(
      collect(watchMany(client, documentIds, { clock, policy: fixedInterval(1_000) })),
    );
    // The first document's poll names the request; the others' first polls wait for it and are
    // answered by the request's first poll: one document poll in all.
    const [first, ...others] = documentIds as [string, ...string[]];
    expect(log.ids.slice(0, 2)).toEqual([first, requestId]);
    expect(count(log.ids, first)).toBe(1);
    for (const id of others) expect(count(log.ids, id)).toBe(0);
    expect(log.ids.length).toBe(1 + count(log.ids, requestId));
    for (const id of documentIds) {
      const seen = updates.filter((u) => u.documentId === id).map((u) => u.status?.status);
      // Deduplicated changes, ending with the terminal one.
      expect(seen).toEqual(['pending', 'processing', 'completed']);
    }
  });

  it('turns documents that answered on their own into one request poll a round once two name the request', async () => {
    const { requestId, documentIds } = submit([doc(20_000), doc(20_000)]);
    const [early, late] = documentIds as [string, string];
    const { clock, client, log, run } = setup();
    const scheduler = createPollScheduler({ clock, policy: fixedInterval(1_000) });
    const earlyWatch = collect(scheduler.watch(client, early));
    await run(clock.sleep(2_500));
    // Alone so far: polled on its own.
    expect(count(log.ids, early)).toBe(3);
    expect(count(log.ids, requestId)).toBe(0);
    const lateWatch = collect(scheduler.watch(client, late));
    const [a, b] = await run(Promise.all([earlyWatch, lateWatch]));
    expect([a.at(-1)?.status, b.at(-1)?.status]).toEqual(['completed', 'completed']);
    // The late one's own first poll named the same request: from then on, request polls only.
    const pairedAt = log.ids.indexOf(late);
    expect(count(log.ids, late)).toBe(1);
    expect(new Set(log.ids.slice(pairedAt + 1))).toEqual(new Set([requestId]));
  });

  it('releases the held documents the request does not list to polls of their own', async () => {
    const first = submit([doc(5_000), doc(6_000)]);
    const second = submit([doc(7_000)]);
    const ids = [...first.documentIds, ...second.documentIds];
    const { clock, client, log, run } = setup();
    const updates = await run(
      collect(watchMany(client, ids, { clock, policy: fixedInterval(1_000) })),
    );
    const [pioneer, sibling, stranger] = ids as [string, string, string];
    expect(log.ids.slice(0, 3)).toEqual([pioneer, first.requestId, stranger]);
    expect(count(log.ids, sibling)).toBe(0);
    expect(count(log.ids, second.requestId)).toBe(0);
    expect(updates.filter((u) => u.status?.status === 'completed')).toHaveLength(3);
  });

  it('does not hold the others up behind an id that answers 404: they poll on their own at once', async () => {
    const { documentIds } = submit([doc(5_000), doc(6_000)]);
    const unknown = '00000000-0000-4000-8000-00000000dead';
    const { clock, client, log, run } = setup();
    const start = clock.now();
    const updates = await run(
      collect(
        watchMany(client, [unknown, ...documentIds], {
          clock,
          notFoundGraceMs: 5_000,
          policy: fixedInterval(1_000),
        }),
      ),
    );
    for (const id of documentIds) {
      const firstPoll = log.ids.indexOf(id);
      expect(firstPoll).toBeGreaterThan(0);
      expect(log.startedAt[firstPoll]).toBe(start);
    }
    expect(updates.filter((u) => u.status?.status === 'completed')).toHaveLength(2);
    expect(updates.filter((u) => u.error !== undefined)).toHaveLength(1);
  });

  it('releases the documents held behind a first poll whose consumer leaves before its answer', async () => {
    const [gone, held] = submit([doc(4_000), doc(5_000)]).documentIds as [string, string];
    harness.server.simulator.setFault({ kind: 'hang', id: gone });
    const { clock, client, log, run } = setup();
    const scheduler = createPollScheduler({ clock, policy: fixedInterval(1_000) });
    const unsubscribe = scheduler.subscribe(client, gone, {
      status: () => {},
      end: () => {},
      error: () => {},
    });
    const heldWatch = collect(scheduler.watch(client, held));
    // The first poll is out (and hangs); the second document waits for its answer.
    await expect.poll(() => harness.requestsFor(gone)).toBe(1);
    expect(count(log.ids, held)).toBe(0);
    unsubscribe();
    const statuses = await run(heldWatch);
    expect(statuses.at(-1)?.status).toBe('completed');
    expect(count(log.ids, held)).toBeGreaterThan(0);
    expect(log.inFlight).toBe(0);
  });

  it('releases the documents held behind a first poll that a request poll took over', async () => {
    // A (request id given) and P share a request; Q is of another request. P's first poll is the
    // one Q waits behind, but the request poll for A lists P and answers for it first.
    const { requestId, documentIds } = submit([doc(4_000), doc(5_000)]);
    const [a, p] = documentIds as [string, string];
    const q = submit([doc(6_000)]).documentIds[0] as string;
    const s = submit([doc(7_000)]).documentIds[0] as string;
    const { clock, client, log, run } = setup();
    const scheduler = createPollScheduler({ clock, policy: fixedInterval(1_000), concurrency: 1 });
    const watches = [
      collect(scheduler.watch(client, a, { requestId })),
      collect(scheduler.watch(client, p)),
      collect(scheduler.watch(client, q)),
    ];
    // A document watched after the take-over must not strand the ones still held.
    await expect.poll(() => count(log.ids, requestId) === 1 && log.inFlight === 0).toBe(true);
    watches.push(collect(scheduler.watch(client, s)));
    const finals = (await run(Promise.all(watches))).map((statuses) => statuses.at(-1)?.status);
    expect(finals).toEqual(['completed', 'completed', 'completed', 'completed']);
    expect(count(log.ids, p)).toBe(0);
    // Q polls right after the request poll that answered for P, not once P is done.
    expect(log.ids.indexOf(q)).toBeGreaterThan(0);
    expect(log.ids.indexOf(q)).toBeLessThanOrEqual(2);
  });

  it('answers the documents held behind a first poll whose consumer leaves right after its answer', async () => {
    const { requestId, documentIds } = submit([doc(4_000), doc(5_000), doc(6_000)]);
    const [pioneer, ...held] = documentIds as [string, ...string[]];
    const { clock, client, log, run } = setup();
    const scheduler = createPollScheduler({ clock, policy: fixedInterval(1_000) });
    // The pioneer's consumer has what it wanted (its request) after the first answer, and leaves
    // soon after (not from inside the callback: by then the pioneer has joined the batch).
    let leave: () => void = () => {};
    leave = scheduler.subscribe(client, pioneer, {
      status: () => queueMicrotask(() => leave()),
      end: () => {},
      error: () => {},
    });
    const finals = await run(Promise.all(held.map((id) => collect(scheduler.watch(client, id)))));
    expect(finals.map((statuses) => statuses.at(-1)?.status)).toEqual(['completed', 'completed']);
    // The request poll its answer set off still answered the others: no poll of their own.
    expect(log.ids.slice(0, 2)).toEqual([pioneer, requestId]);
    for (const id of held) expect(count(log.ids, id)).toBe(0);
  });

  it('makes no request poll for held documents that all left before it could start', async () => {
    const { documentIds } = submit([doc(4_000), doc(5_000)]);
    const [pioneer, held] = documentIds as [string, string];
    const { clock, client, log, run } = setup();
    // One slot: the request poll the pioneer's answer sets off must wait for the pioneer's to end.
    const scheduler = createPollScheduler({ clock, policy: fixedInterval(1_000), concurrency: 1 });
    const noop = { status: () => {}, end: () => {}, error: () => {} };
    let leaveHeld: () => void = () => {};
    let leavePioneer: () => void = () => {};
    leavePioneer = scheduler.subscribe(client, pioneer, {
      ...noop,
      // Everyone leaves with the pioneer's first answer, before its request poll has a slot.
      status: () => {
        leavePioneer();
        leaveHeld();
      },
    });
    leaveHeld = scheduler.subscribe(client, held, noop);
    await run(clock.sleep(5_000));
    expect(log.ids).toEqual([pioneer]);
    expect(scheduler.stats()).toMatchObject({ loops: 0, batches: 0, inFlight: 0 });
  });

  it("never holds a document behind another client's first poll", async () => {
    const { documentIds } = submit([doc(4_000)]);
    const theirs = submit([doc(4_000)], SECOND_API_KEY).documentIds[0]!;
    harness.server.simulator.setFault({ kind: 'hang', id: theirs });
    const clock = harness.clock();
    const owner = trackRequests(clock, harness.client());
    const other = trackRequests(clock, harness.client({ apiKey: SECOND_API_KEY }));
    const scheduler = createPollScheduler({ clock, policy: fixedInterval(1_000) });
    const stuck = scheduler.watch(other.client, theirs)[Symbol.asyncIterator]();
    const stuckNext = stuck.next();
    const mine = await driveWhenIdle(
      clock,
      collect(scheduler.watch(owner.client, documentIds[0] as string)),
      owner.log,
    );
    expect(mine.at(-1)?.status).toBe('completed');
    await stuck.return?.();
    await stuckNext;
  });

  it('tells the policy how many unfinished documents a request poll answers for', async () => {
    const { requestId, documentIds } = submit([doc(3_000), doc(6_000), doc(9_000)]);
    const { clock, client, run } = setup();
    const seen = new Set<number>();
    const policy = (context: PollContext) => {
      seen.add(context.sharedBy);
      return 1_000;
    };
    await run(collect(watchMany(client, documentIds, { clock, requestId, policy })));
    // Three, then two and one as the documents finish.
    expect([...seen].sort()).toEqual([1, 2, 3]);
    seen.clear();
    const alone = submit([doc(3_000)]).documentIds[0]!;
    await run(collect(watchMany(client, [alone], { clock, policy })));
    expect([...seen]).toEqual([1]);
  });

  it("polls a batch at its documents' policy's pace, with no ceiling of its own", async () => {
    const { requestId, documentIds } = submit([doc(30_000), doc(40_000)]);
    const { clock, client, log, run } = setup();
    await run(
      collect(watchMany(client, documentIds, { clock, requestId, policy: fixedInterval(10_000) })),
    );
    const times = log.startedAt.filter((_, i) => log.ids[i] === requestId);
    const gaps = times.slice(1).map((at, i) => at - times[i]!);
    expect(gaps.length).toBeGreaterThan(2);
    for (const gap of gaps) expect(gap).toBe(10_000);
  });

  it('makes far fewer calls than a loop per document for the same statuses', async () => {
    const documents = Array.from({ length: 10 }, (_, i) => doc(5_000 + 2_000 * i));
    const calls = async (batchByRequest: boolean) => {
      const { documentIds } = submit(documents);
      const { clock, client, log, run } = setup();
      const scheduler = createPollScheduler({
        clock,
        batchByRequest,
        policy: fixedInterval(1_000),
      });
      const updates = await run(collect(watchMany(client, documentIds, { scheduler })));
      return {
        calls: log.ids.length,
        terminal: updates.filter((u) => u.status?.status === 'completed').length,
      };
    };
    const batched = await calls(true);
    const alone = await calls(false);
    expect(batched.terminal).toBe(10);
    expect(alone.terminal).toBe(10);
    expect(batched.calls * 3).toBeLessThan(alone.calls);
  });

  it('with the request id given up front, polls no document on its own', async () => {
    const { requestId, documentIds } = submit([
      doc(4_000),
      doc(7_000),
      doc(3_000, { outcome: 'failed' }),
    ]);
    const { clock, client, log, run } = setup();
    const scheduler = createPollScheduler({ clock, policy: fixedInterval(1_000) });
    const finals = await run(
      Promise.all(documentIds.map((id) => collect(scheduler.watch(client, id, { requestId })))),
    );
    expect(finals.map((statuses) => statuses.at(-1)?.status)).toEqual([
      'completed',
      'completed',
      'failed',
    ]);
    expect(new Set(log.ids)).toEqual(new Set([requestId]));
    expect(scheduler.stats()).toMatchObject({ loops: 0, batches: 0 });
  });

  it('sees a failure at the next request poll, long before the window its pages predict', async () => {
    // 8 pages: the prior expects about 145 s; this one fails after 10 s of processing.
    const { documentIds } = submit([
      doc(150_000, { totalPages: 8 }),
      doc(10_000, { totalPages: 8, outcome: 'failed' }),
      doc(140_000, { totalPages: 8 }),
    ]);
    const { clock, client, run } = setup();
    const lags: number[] = [];
    const stream = watchMany(client, documentIds, { clock });
    await run(
      (async () => {
        for await (const update of stream) {
          const status = update.status as DocumentStatus;
          if (status.status === 'failed')
            lags.push(clock.now() - Date.parse(status.completed_at ?? ''));
        }
      })(),
    );
    expect(lags).toHaveLength(1);
    // At most the default policy's longest wait (3.75 s) late.
    expect(lags[0]).toBeLessThanOrEqual(3_750);
  });

  it('polls a document on its own when the request list leaves it out', async () => {
    const { requestId, documentIds } = submit([doc(4_000), doc(6_000), doc(8_000)]);
    const [kept, , dropped] = documentIds as [string, string, string];
    const watching = setup(
      rewritingRequests((documents) => documents.filter((d) => d.document_id !== dropped)),
    );
    expect(await watchAll(watching, documentIds, requestId)).toEqual(Array(3).fill('completed'));
    const { log } = watching;
    expect(count(log.ids, kept)).toBe(0);
    expect(count(log.ids, dropped)).toBeGreaterThan(3);
  });

  it('polls a document on its own when its entry fails validation', async () => {
    const { requestId, documentIds } = submit([doc(4_000), doc(6_000)]);
    const [good, bad] = documentIds as [string, string];
    const watching = setup(
      rewritingRequests((documents) =>
        documents.map((d) =>
          d.document_id === bad ? { ...d, result: { ...d.result, document_id: undefined } } : d,
        ),
      ),
    );
    expect(await watchAll(watching, documentIds, requestId)).toEqual(['completed', 'completed']);
    const { log } = watching;
    expect(count(log.ids, good)).toBe(0);
    expect(count(log.ids, bad)).toBeGreaterThan(0);
  });

  it('yields no status twice when the request lists fewer fields than a document poll', async () => {
    const { documentIds } = submit([doc(4_000), doc(6_000), doc(8_000)]);
    // Request entries without `completed_at`, `results` and `document_page_url`.
    harness.server.simulator.setFault({
      route: 'request-status',
      kind: 'drift',
      drift: 'missing-fields',
    });
    const { clock, client, log, run } = setup();
    const updates = await run(
      collect(watchMany(client, documentIds, { clock, policy: fixedInterval(1_000) })),
    );
    const [pioneer] = documentIds as [string];
    // The pioneer's first status came from its own poll, the rest from the request's.
    expect(count(log.ids, pioneer)).toBe(1);
    for (const id of documentIds) {
      const seen = updates.filter((u) => u.documentId === id).map((u) => u.status?.status);
      expect(seen).toEqual(['pending', 'processing', 'completed']);
    }
    // What the entries leave out is kept from the document's own answer.
    for (const update of updates.filter((u) => u.documentId === pioneer))
      expect(update.status?.document_page_url).toBeDefined();
  });

  it('goes back to document polls when the request cannot be polled', async () => {
    const { requestId, documentIds } = submit([doc(4_000), doc(6_000)]);
    harness.server.simulator.setFault({ route: 'request-status', kind: 'status', status: 403 });
    const watching = setup();
    expect(await watchAll(watching, documentIds, requestId)).toEqual(['completed', 'completed']);
    const { log } = watching;
    // One failed request poll; never tried again for this request.
    expect(count(log.ids, requestId)).toBe(1);
  });

  it('makes no request poll for a single watched document', async () => {
    const { requestId, documentIds } = submit([doc(4_000), doc(6_000)]);
    const { clock, client, log, run } = setup();
    const scheduler = createPollScheduler({ clock, policy: fixedInterval(1_000) });
    const statuses = await run(collect(scheduler.watch(client, documentIds[0] as string)));
    expect(statuses.at(-1)?.status).toBe('completed');
    expect(count(log.ids, requestId)).toBe(0);
  });

  it('never mixes clients in a batch: another key gets its own NOT_FOUND, the owner its statuses', async () => {
    const { requestId, documentIds } = submit([doc(4_000), doc(6_000)]);
    const { clock, owner, other, run } = twoTenantSetup(harness);
    const scheduler = createPollScheduler({
      clock,
      policy: fixedInterval(1_000),
      notFoundGraceMs: 0,
    });
    const [mine, theirs] = await run(
      Promise.all([
        Promise.all(documentIds.map((id) => collect(scheduler.watch(owner.client, id)))),
        Promise.all(
          documentIds.map((id) =>
            collect(scheduler.watch(other.client, id, { requestId })).catch(
              (error: { code?: string }) => error.code,
            ),
          ),
        ),
      ]),
    );
    for (const statuses of mine) expect(statuses.at(-1)?.status).toBe('completed');
    expect(theirs).toEqual(['NOT_FOUND', 'NOT_FOUND']);
    // The other key's request poll was refused; its documents were then tried on their own.
    expect(count(other.log.ids, requestId)).toBe(1);
    expect(count(owner.log.ids, requestId)).toBeGreaterThan(0);
  });

  it('watchMany with a requestId polls only the request', async () => {
    const { requestId, documentIds } = submit([doc(3_000), doc(5_000), doc(7_000)]);
    const { clock, client, log, run } = setup();
    const updates = await run(
      collect(watchMany(client, documentIds, { clock, requestId, policy: fixedInterval(1_000) })),
    );
    expect(updates.filter((u) => u.status?.status === 'completed')).toHaveLength(3);
    expect(new Set(log.ids)).toEqual(new Set([requestId]));
  });

  it('waitForDocument over many ids through one scheduler shares the request polls', async () => {
    const { requestId, documentIds } = submit(
      Array.from({ length: 6 }, (_, i) => doc(4_000 + 1_000 * i)),
    );
    const { clock, client, log, run } = setup();
    const scheduler = createPollScheduler({ clock, policy: fixedInterval(1_000) });
    const finals = await run(
      Promise.all(documentIds.map((id) => waitForDocument(client, id, { scheduler }))),
    );
    expect(finals.map((status) => status.status)).toEqual(Array(6).fill('completed'));
    for (const id of documentIds) expect(count(log.ids, id)).toBeLessThanOrEqual(1);
    expect(count(log.ids, requestId)).toBeGreaterThan(0);
  });
});
