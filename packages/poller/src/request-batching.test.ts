import type { DocumentStatus, RequestDocument } from '@neurostatus/core';
import { DEMO_API_KEY, SECOND_API_KEY } from '@neurostatus/simulator';
import { describe, expect, it } from 'vitest';
import { fixedInterval } from './fixed-interval.ts';
import { createPollScheduler } from './poll-scheduler.ts';
import { collect, trackedSetup, useHarness } from './test-support/harness.ts';
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
  it('turns per-document polls into one request poll a round once two documents name the request', async () => {
    const { requestId, documentIds } = submit([doc(6_000), doc(9_000), doc(12_000), doc(15_000)]);
    const { clock, client, log, run } = setup();
    const updates = await run(
      collect(watchMany(client, documentIds, { clock, policy: fixedInterval(1_000) })),
    );
    // Each document: its first poll of its own, then nothing but request polls.
    for (const id of documentIds) expect(count(log.ids, id)).toBe(1);
    expect(count(log.ids, requestId)).toBeGreaterThan(5);
    expect(log.ids.length).toBe(documentIds.length + count(log.ids, requestId));
    for (const id of documentIds) {
      const seen = updates.filter((u) => u.documentId === id).map((u) => u.status?.status);
      // Deduplicated changes, ending with the terminal one.
      expect(seen).toEqual(['pending', 'processing', 'completed']);
    }
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
    // At most one request-poll interval (4 s by default) late.
    expect(lags[0]).toBeLessThanOrEqual(4_000);
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
    const clock = harness.clock();
    const owner = trackRequests(clock, harness.client());
    const other = trackRequests(clock, harness.client({ apiKey: SECOND_API_KEY }));
    const inFlight = {
      get inFlight() {
        return owner.log.inFlight + other.log.inFlight;
      },
    };
    const scheduler = createPollScheduler({
      clock,
      policy: fixedInterval(1_000),
      notFoundGraceMs: 0,
    });
    const [mine, theirs] = await driveWhenIdle(
      clock,
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
      inFlight,
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
