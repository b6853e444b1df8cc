import type { RequestStatus } from '@neurostatus/core';
import {
  createSimulator,
  DEMO_API_KEY,
  DEMO_DOCUMENT_IDS,
  DEMO_REQUEST_ID,
} from '@neurostatus/simulator';
import { describe, expect, it } from 'vitest';
import { requestLearningClients } from './request-learning-clients.ts';
import { createUpstreamClients } from './upstream-clients.ts';

function setUp(learn: (tenant: string, request: RequestStatus) => Promise<unknown>) {
  const simulator = createSimulator({ demo: true });
  const clients = createUpstreamClients({
    baseUrl: 'http://simulator.test/api/v1',
    timeoutMs: 5_000,
    fetch: async (input, init) => simulator.app.fetch(new Request(input, init)),
  });
  return requestLearningClients(clients, learn);
}

describe('requestLearningClients', () => {
  it('hands each fetched request status to `learn`, with the tenant the client was made for', async () => {
    const learnt: Array<[string, string]> = [];
    const clients = setUp(async (tenant, request) => learnt.push([tenant, request.request_id]));
    const client = clients.clientFor('tenant-a', DEMO_API_KEY);
    const { data } = await client.getRequestStatusWithMeta(DEMO_REQUEST_ID);
    expect(data.request_id).toBe(DEMO_REQUEST_ID);
    expect((await client.getRequestStatus(DEMO_REQUEST_ID)).request_id).toBe(DEMO_REQUEST_ID);
    await client.getDocumentStatus(DEMO_DOCUMENT_IDS[0]);
    expect(learnt).toEqual([
      ['tenant-a', DEMO_REQUEST_ID],
      ['tenant-a', DEMO_REQUEST_ID],
    ]);
  });

  it('returns the same client for the same tenant, so poll loops stay shared', () => {
    const clients = setUp(async () => undefined);
    const first = clients.clientFor('tenant-a', DEMO_API_KEY);
    expect(clients.clientFor('tenant-a', DEMO_API_KEY)).toBe(first);
    expect(clients.clientFor('tenant-b', DEMO_API_KEY)).not.toBe(first);
  });

  it('answers only once `learn` has settled, so what it stored is there for the caller', async () => {
    let stored = false;
    const clients = setUp(async () => {
      for (let turn = 0; turn < 5; turn++) await new Promise((done) => setImmediate(done));
      stored = true;
    });
    await clients.clientFor('tenant-a', DEMO_API_KEY).getRequestStatusWithMeta(DEMO_REQUEST_ID);
    expect(stored).toBe(true);
  });

  it('answers the poll even when `learn` fails', async () => {
    const clients = setUp(() => Promise.reject(new Error('store down')));
    const client = clients.clientFor('tenant-a', DEMO_API_KEY);
    expect((await client.getRequestStatus(DEMO_REQUEST_ID)).request_id).toBe(DEMO_REQUEST_ID);
  });
});
