import { type DocumentStatus, parseDocumentStatus } from '@neurostatus/core';
import { createManualClock, createSimulator, DEMO_API_KEY } from '@neurostatus/simulator';
import { describe, expect, it } from 'vitest';
import { batchedDocumentStatuses, requestIdOfBody } from './batched-document-statuses.ts';
import type { FeedMessage } from './feed-message.ts';

// The loop of a document's status object, on real payloads of the simulator: its own polls and
// its request object's feed are scripted, so each test says exactly what each source brings.

const clock = createManualClock(Date.UTC(2026, 0, 1));
const simulator = createSimulator({ clock });

async function get(path: string): Promise<string> {
  const response = await simulator.app.fetch(
    new Request(`http://simulator.invalid/api/v1/${path}`, {
      headers: { authorization: `Bearer ${DEMO_API_KEY}` },
    }),
  );
  expect(response.status).toBe(200);
  return response.text();
}

/**
 * A request of two documents: what the document and its request say while it is processing, and
 * once it has completed (the other document fails).
 */
async function scene() {
  const { requestId, documentIds } = simulator.createRequest({
    apiKey: DEMO_API_KEY,
    documents: [
      { totalPages: 1, pendingMs: 0, processingMs: 10_000 },
      { totalPages: 1, pendingMs: 0, processingMs: 10_000, outcome: 'failed' },
    ],
  });
  const id = documentIds[0]!;
  clock.set(clock.now() + 1_000);
  const processing = parseDocumentStatus(JSON.parse(await get(`document-status/${id}`)));
  const requestProcessing = await get(`request-status/${requestId}`);
  clock.set(clock.now() + 60_000);
  const completed = parseDocumentStatus(JSON.parse(await get(`document-status/${id}`)));
  const requestCompleted = await get(`request-status/${requestId}`);
  const request = JSON.parse(requestProcessing) as { documents: Array<{ document_id: string }> };
  const withoutDocument = JSON.stringify({
    ...request,
    documents: request.documents.filter((entry) => entry.document_id !== id),
  });
  return {
    id,
    requestId,
    processing,
    completed,
    requestProcessing,
    requestCompleted,
    withoutDocument,
  };
}

const status = (body: string, extra: { replay?: true } = {}): FeedMessage => ({
  type: 'status',
  body,
  terminal: false,
  ...extra,
});

/** Runs the loop with scripted sources; what it yielded and what it asked of them. */
async function run(options: {
  readonly id: string;
  readonly requestId?: string | undefined;
  readonly kept?: DocumentStatus | undefined;
  readonly polls: ReadonlyArray<readonly DocumentStatus[]>;
  readonly feeds: Record<string, readonly FeedMessage[]>;
}) {
  const seen = { polls: 0, follows: [] as string[], kept: [] as string[], beats: 0 };
  const iterate = batchedDocumentStatuses({
    documentId: options.id,
    requestId: options.requestId,
    kept: options.kept,
    async *poll() {
      const script = options.polls[seen.polls++] ?? [];
      yield* script;
    },
    async *follow(requestId) {
      seen.follows.push(requestId);
      yield* options.feeds[requestId] ?? [];
    },
    keep: async (kept) => {
      seen.kept.push(kept.status);
      return true;
    },
    beat: () => {
      seen.beats += 1;
    },
  });
  const yielded: string[] = [];
  for await (const each of iterate(new AbortController().signal)) yielded.push(each.status);
  return { yielded, ...seen };
}

describe('a document loop fed by its request', () => {
  it('follows the request its first answer names, and ends with the terminal status the request brings', async () => {
    const s = await scene();
    const result = await run({
      id: s.id,
      // A second poll would be a bug: the loop leaves its own polls once the request is known.
      polls: [[s.processing, s.completed]],
      feeds: {
        [s.requestId]: [
          status(s.requestProcessing, { replay: true }),
          { type: 'beat' },
          status(s.requestProcessing),
          status(s.requestCompleted),
        ],
      },
    });

    expect(result.yielded).toEqual(['processing', 'completed']);
    expect(result.polls).toBe(1);
    expect(result.follows).toEqual([s.requestId]);
    // The replay (older than the document's own poll) is skipped; the rest is kept first.
    expect(result.kept).toEqual(['processing', 'completed']);
    expect(result.beats).toBe(1);
  });

  it('starts from a request already known, with no poll of its own', async () => {
    const s = await scene();
    const result = await run({
      id: s.id,
      requestId: requestIdOfBody(JSON.stringify(s.processing)),
      polls: [],
      feeds: { [s.requestId]: [status(s.requestProcessing, { replay: true })] },
    });

    // The replay is its first news; the feed then ended without the terminal status: own polls.
    expect(result.yielded).toEqual(['processing']);
    expect(result.polls).toBe(1);
  });

  it('skips a replay that would step its kept answer back to an earlier stage', async () => {
    const { requestId, documentIds } = simulator.createRequest({
      apiKey: DEMO_API_KEY,
      documents: [{ totalPages: 1, pendingMs: 5_000, processingMs: 60_000 }],
    });
    const id = documentIds[0]!;
    const requestPending = await get(`request-status/${requestId}`);
    clock.set(clock.now() + 6_000);
    const kept = parseDocumentStatus(JSON.parse(await get(`document-status/${id}`)));
    const requestProcessing = await get(`request-status/${requestId}`);
    expect(kept.status).toBe('processing');
    const result = await run({
      id,
      requestId,
      kept,
      polls: [],
      feeds: {
        // The request object's latest status is older than the kept answer: pending.
        [requestId]: [status(requestPending, { replay: true }), status(requestProcessing)],
      },
    });

    expect(result.yielded).toEqual(['processing']);
    expect(result.kept).toEqual(['processing']);
  });

  it('takes a replay of a later stage after a poll of its own: it is news, not an old status', async () => {
    const { requestId, documentIds } = simulator.createRequest({
      apiKey: DEMO_API_KEY,
      documents: [{ totalPages: 1, pendingMs: 5_000, processingMs: 60_000 }],
    });
    const id = documentIds[0]!;
    const pending = parseDocumentStatus(JSON.parse(await get(`document-status/${id}`)));
    clock.set(clock.now() + 6_000);
    const requestProcessing = await get(`request-status/${requestId}`);
    const result = await run({
      id,
      polls: [[pending]],
      feeds: { [requestId]: [status(requestProcessing, { replay: true })] },
    });

    expect(result.yielded.slice(0, 2)).toEqual(['pending', 'processing']);
  });

  it('never steps back a stage, even on a request status that is no replay', async () => {
    const { requestId, documentIds } = simulator.createRequest({
      apiKey: DEMO_API_KEY,
      documents: [{ totalPages: 1, pendingMs: 5_000, processingMs: 60_000 }],
    });
    const id = documentIds[0]!;
    // A request poll that was out while the document polled lands after it, one stage behind.
    const requestPending = await get(`request-status/${requestId}`);
    clock.set(clock.now() + 6_000);
    const processing = parseDocumentStatus(JSON.parse(await get(`document-status/${id}`)));
    const requestProcessing = await get(`request-status/${requestId}`);
    const result = await run({
      id,
      polls: [[processing]],
      feeds: { [requestId]: [status(requestPending), status(requestProcessing)] },
    });

    expect(result.yielded).toEqual(['processing']);
    expect(result.kept).toEqual(['processing']);
  });

  it('takes a state of no known stage that the request reports after processing (an API addition)', async () => {
    const s = await scene();
    const request = JSON.parse(s.requestProcessing) as {
      documents: Array<{ document_id: string; status: string; result: { status: string } }>;
    };
    const drifted = JSON.stringify({
      ...request,
      documents: request.documents.map((entry) =>
        entry.document_id === s.id
          ? {
              ...entry,
              status: 'postprocessing',
              result: { ...entry.result, status: 'postprocessing' },
            }
          : entry,
      ),
    });
    const result = await run({
      id: s.id,
      polls: [[s.processing]],
      feeds: { [s.requestId]: [status(drifted), status(s.requestCompleted)] },
    });

    expect(result.yielded).toEqual(['processing', 'postprocessing', 'completed']);
  });

  it("polls on its own when the request's list leaves the document out, and follows that request no more", async () => {
    const s = await scene();
    const result = await run({
      id: s.id,
      polls: [[s.processing], [s.processing, s.completed]],
      feeds: { [s.requestId]: [status(s.withoutDocument)] },
    });

    expect(result.yielded).toEqual(['processing', 'completed']);
    expect(result.follows).toEqual([s.requestId]);
    expect(result.polls).toBe(2);
    expect(result.kept).toEqual([]);
  });

  it('polls on its own when the request feed ends or fails without the document terminal', async () => {
    const s = await scene();
    for (const last of [
      { type: 'end' },
      { type: 'error', error: { code: 'NOT_FOUND' } },
    ] as const) {
      const result = await run({
        id: s.id,
        polls: [[s.processing], [s.completed]],
        feeds: { [s.requestId]: [status(s.requestProcessing), last, status(s.requestCompleted)] },
      });

      expect(result.yielded).toEqual(['processing', 'completed']);
      expect(result.polls).toBe(2);
      expect(result.kept).toEqual(['processing']);
    }
  });

  it('takes a replayed terminal status even after a poll of its own: a terminal status never goes back', async () => {
    const s = await scene();
    const result = await run({
      id: s.id,
      polls: [[s.processing]],
      feeds: { [s.requestId]: [status(s.requestCompleted, { replay: true })] },
    });

    expect(result.yielded).toEqual(['processing', 'completed']);
  });

  it('reads no request id from a body that is not a document status naming a valid one', async () => {
    const s = await scene();

    expect(requestIdOfBody(JSON.stringify(s.processing))).toBe(s.requestId);
    expect(
      requestIdOfBody(JSON.stringify({ ...s.processing, request_id: '../x' })),
    ).toBeUndefined();
    expect(requestIdOfBody('not json')).toBeUndefined();
  });
});
