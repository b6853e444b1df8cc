import { describe, expect, it } from 'vitest';
import { createManualClock } from './create-manual-clock.ts';
import type { SimulatedDocumentInput } from './create-request-input.ts';
import { createSimulator } from './create-simulator.ts';
import { DEMO_API_KEY } from './default-accounts.ts';
import type { RequestStatusPayload } from './request-status-payload.ts';
import { aggregateRequestStatus } from './request-status-payload.ts';
import { statusRequest } from './test-support/status-request.ts';

function setUp(documents: SimulatedDocumentInput[]) {
  const clock = createManualClock();
  const simulator = createSimulator({ clock });
  const { requestId, documentIds } = simulator.createRequest({ apiKey: DEMO_API_KEY, documents });
  const read = async () => {
    const res = await simulator.app.fetch(statusRequest(`/api/v1/request-status/${requestId}`));
    expect(res.status).toBe(200);
    return (await res.json()) as RequestStatusPayload;
  };
  return { clock, requestId, documentIds, read };
}

describe('aggregateRequestStatus', () => {
  it.each([
    [['pending', 'completed'], 'processing'],
    [['processing', 'failed'], 'processing'],
    [['completed', 'completed'], 'completed'],
    [['failed', 'failed'], 'failed'],
    [['completed', 'failed'], 'partial'],
  ] as const)('turns %j into %s', (statuses, expected) => {
    expect(aggregateRequestStatus(statuses)).toBe(expected);
  });
});

describe('GET request-status', () => {
  const documents: SimulatedDocumentInput[] = [
    { fileName: 'one.pdf', fileSizeBytes: 100, pendingMs: 0, processingMs: 1_000 },
    { fileName: 'two.pdf', fileSizeBytes: 200, pendingMs: 500, processingMs: 3_000 },
    {
      fileName: 'three.pdf',
      fileSizeBytes: 300,
      pendingMs: 1_000,
      processingMs: 500,
      outcome: 'failed',
    },
  ];

  it('counts pending documents as processing and leaves completed_at null while in progress', async () => {
    const { read, requestId, documentIds } = setUp(documents);
    const body = await read();
    expect(body).toMatchObject({
      success: true,
      request_id: requestId,
      status: 'processing',
      total: 3,
      completed: 0,
      failed: 0,
      processing: 3,
      job_page_url: `https://neurolinker.ainexxo.com/job/${requestId}`,
      total_size_bytes: 600,
      started_at: expect.stringMatching(/\.\d{6}Z$/),
      completed_at: null,
    });
    expect(
      body.documents.map((entry) => [entry.document_id, entry.filename, entry.status]),
    ).toEqual([
      [documentIds[0], 'one.pdf', 'processing'],
      [documentIds[1], 'two.pdf', 'pending'],
      [documentIds[2], 'three.pdf', 'pending'],
    ]);
  });

  it('nests the full document-status object as each document result', async () => {
    const { read, clock } = setUp(documents);
    clock.advance(1_600);
    const body = await read();
    const [first] = body.documents;
    expect(first?.result).toMatchObject({
      success: true,
      status: 'completed',
      file_name: 'one.pdf',
    });
    expect(first?.result.results.storage_path).toMatch(/\/$/);
  });

  it('stays processing while a document is in progress even if another has failed', async () => {
    const { read, clock } = setUp(documents);
    clock.advance(1_600);
    const body = await read();
    expect(body).toMatchObject({ status: 'processing', completed: 1, failed: 1, processing: 1 });
    expect(body.completed_at).toBeNull();
  });

  it('ends partial when some failed and the rest completed, with the latest completion time', async () => {
    const { read, clock } = setUp(documents);
    clock.advance(4_000);
    const body = await read();
    expect(body).toMatchObject({ status: 'partial', completed: 2, failed: 1, processing: 0 });
    const latest = Math.max(
      ...body.documents.map((entry) => Date.parse(entry.result.completed_at ?? '')),
    );
    expect(Date.parse(body.completed_at ?? '')).toBe(latest);
  });

  it('ends completed when every document completed', async () => {
    const { read, clock } = setUp([{ pendingMs: 0, processingMs: 10 }, {}]);
    clock.advance(10 * 60_000);
    expect(await read()).toMatchObject({
      status: 'completed',
      completed: 2,
      failed: 0,
      processing: 0,
    });
  });

  it('ends failed when every document failed', async () => {
    const { read, clock } = setUp([{ outcome: 'failed' }, { outcome: 'failed' }]);
    clock.advance(10 * 60_000);
    expect(await read()).toMatchObject({
      status: 'failed',
      completed: 0,
      failed: 2,
      processing: 0,
    });
  });
});
