import { parseRequestStatus, type RequestStatus } from '@neurostatus/core';
import { createManualClock, createSimulator, DEMO_API_KEY } from '@neurostatus/simulator';
import { describe, expect, it } from 'vitest';
import { cacheKey } from './cache-key.ts';
import { createHoldOff } from './hold-off.ts';
import { createMemoryStore } from './memory-store.ts';
import { rememberRequestBody, rememberRequestDocuments } from './remember-request-documents.ts';
import { type CacheTtl, createStatusCache } from './status-cache.ts';

const START = Date.UTC(2026, 0, 1);
const TTL: CacheTtl = { terminalMs: 60_000, activeMs: 2_000, notFoundMs: 2_000, staleMs: 30_000 };

/** A real request answer from the simulator: one document done, one still processing. */
async function requestAnswer(): Promise<RequestStatus> {
  const clock = createManualClock(START);
  const simulator = createSimulator({ clock });
  const { requestId } = simulator.createRequest({
    apiKey: DEMO_API_KEY,
    documents: [
      { pendingMs: 1_000, processingMs: 1_000 },
      { pendingMs: 1_000, processingMs: 60_000 },
    ],
  });
  clock.set(START + 5_000);
  const res = await simulator.app.request(`/api/v1/request-status/${requestId}`, {
    headers: { authorization: `Bearer ${DEMO_API_KEY}` },
  });
  return parseRequestStatus(await res.json());
}

function setUp() {
  const now = () => START;
  const cache = createStatusCache({
    store: createMemoryStore({ now }),
    ttl: TTL,
    holdOff: createHoldOff({ now }),
    now,
    deadlineMs: 10_000,
  });
  const stored = async (tenant: string, id: string) =>
    (await cache.fresh(cacheKey({ tenant, kind: 'document', id })))?.body;
  return { cache, stored };
}

const ids = (request: RequestStatus) => request.documents.map((entry) => entry.document_id);

describe('rememberRequestDocuments', () => {
  it('stores each listed document status under the tenant’s document key', async () => {
    const request = await requestAnswer();
    const { cache, stored } = setUp();
    expect(await rememberRequestDocuments(cache, 'tenant-a', request)).toBe(2);
    for (const entry of request.documents) {
      expect(JSON.parse((await stored('tenant-a', entry.document_id)) ?? 'null')).toEqual(
        entry.result,
      );
      expect(await stored('tenant-b', entry.document_id)).toBeUndefined();
    }
    const done = await cache.fresh(
      cacheKey({ tenant: 'tenant-a', kind: 'document', id: ids(request)[0] as string }),
    );
    expect(done?.terminal).toBe(true);
  });

  it('skips entries that cannot stand for a document poll', async () => {
    const request = await requestAnswer();
    const [first, second] = request.documents as [
      RequestStatus['documents'][number],
      RequestStatus['documents'][number],
    ];
    const { cache, stored } = setUp();
    const odd: RequestStatus = {
      ...request,
      documents: [
        { ...first, result: null },
        // A result for another request: the document moved, its own poll must say so.
        { ...second, result: { ...second.result, request_id: first.document_id } },
      ],
    };
    expect(await rememberRequestDocuments(cache, 'tenant-a', odd)).toBe(0);
    for (const id of ids(request)) expect(await stored('tenant-a', id)).toBeUndefined();
  });

  it('never replaces a final status with an older request answer', async () => {
    const request = await requestAnswer();
    const [, slow] = ids(request) as [string, string];
    const { cache, stored } = setUp();
    const final = JSON.stringify({ ...request.documents[1]?.result, status: 'completed' });
    await cache.remember(cacheKey({ tenant: 'tenant-a', kind: 'document', id: slow }), {
      status: 200,
      body: final,
      terminal: true,
    });
    await rememberRequestDocuments(cache, 'tenant-a', request);
    expect(await stored('tenant-a', slow)).toBe(final);
  });
});

describe('rememberRequestBody', () => {
  it('stores the documents of a served request body, and nothing for a body that is not one', async () => {
    const request = await requestAnswer();
    const { cache, stored } = setUp();
    expect(await rememberRequestBody(cache, 'tenant-a', '{"not":"a request"}')).toBe(0);
    expect(await rememberRequestBody(cache, 'tenant-a', 'not json')).toBe(0);
    expect(await stored('tenant-a', ids(request)[0] as string)).toBeUndefined();
    expect(await rememberRequestBody(cache, 'tenant-a', JSON.stringify(request))).toBe(2);
    expect(await stored('tenant-a', ids(request)[0] as string)).toBeDefined();
  });
});
