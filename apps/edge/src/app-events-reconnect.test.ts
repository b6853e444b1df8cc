import { driveWhenIdle } from '@neurostatus/poller/test-support/idle-drive';
import { DEMO_API_KEY, DEMO_DOCUMENT_IDS, DEMO_REQUEST_ID } from '@neurostatus/simulator';
import { describe, expect, it } from 'vitest';
import { STREAM_REFUSAL_MS } from './stream-refusals.ts';
import {
  createEdgeHarness,
  type EdgeHarness,
  parseEvents,
  type SseEvent,
} from './test-support/edge-harness.ts';
import { eventLoopUntil } from './test-support/event-loop-until.ts';

const [PURCHASE_ORDER] = DEMO_DOCUMENT_IDS;
const UNKNOWN = '00000000-0000-4000-8000-000000000000';
const events = (kind: 'document' | 'request', id: string) => `/api/v1/${kind}-status/${id}/events`;
const named = (all: SseEvent[]) => all.flatMap((event) => ('event' in event ? [event] : []));

async function stream(h: EdgeHarness, path: string, headers: Record<string, string> = {}) {
  const response = await h.get(path, headers);
  expect(response.status).toBe(200);
  return named(parseEvents(await driveWhenIdle(h.clock, response.text(), h)));
}

const head = (h: EdgeHarness, path: string, headers: Record<string, string> = {}) =>
  Promise.resolve(h.app.request(path, { method: 'HEAD', headers }));

/** The sum of a counter's series whose labels match `labels`. */
function counterSum(metrics: string, name: string, labels: string): number {
  let sum = 0;
  for (const line of metrics.split('\n')) {
    if (line.startsWith(`${name}{`) && line.includes(labels)) sum += Number(line.split(' ').at(-1));
  }
  return sum;
}

describe('reconnecting to a finished request stream', () => {
  it('answers 204 to a client that has the final event, for GET and HEAD, with no upstream call', async () => {
    const h = await createEdgeHarness();
    const all = await stream(h, events('request', DEMO_REQUEST_ID));
    expect(all.at(-1)?.event).toBe('end');
    const lastId = all.filter((event) => event.event === 'status').at(-1)?.id ?? '';
    const calls = h.upstreamCalls;
    // The store write of the final status (a hash on the thread pool) lands within a few turns.
    const probe = () => head(h, events('request', DEMO_REQUEST_ID), { 'last-event-id': lastId });
    await eventLoopUntil(async () => (await probe()).status === 204, 'HEAD answering 204');
    const again = await h.get(events('request', DEMO_REQUEST_ID), { 'last-event-id': lastId });
    expect(again.status).toBe(204);
    expect(h.upstreamCalls).toBe(calls);
  });
});

describe('a stream for an id that never appears', () => {
  it('ends with a `failure` event (not `error`, which EventSource keeps for itself)', async () => {
    const h = await createEdgeHarness();
    const all = await stream(h, events('document', UNKNOWN));
    expect(all.map((event) => event.event)).toEqual(['failure']);
    expect(JSON.parse(all[0]?.data ?? '{}')).toMatchObject({ error: { code: 'NOT_FOUND' } });
    // The same body a status read answers with.
    const read = await h.get(`/api/v1/document-status/${UNKNOWN}`);
    expect(all[0]?.data).toBe(await read.text());
  });

  it('answers the reconnect with 404 JSON (EventSource stops), for GET and HEAD, with no upstream call', async () => {
    const h = await createEdgeHarness();
    await stream(h, events('document', UNKNOWN));
    // EventSource comes back after the `retry:` delay (2 s); the store write (a hash on the
    // platform's thread pool) lands long before that. HEAD asks nothing upstream.
    await eventLoopUntil(
      async () => (await head(h, events('document', UNKNOWN))).status === 404,
      'the stored 404',
    );
    h.clock.advance(2_500);
    const calls = h.upstreamCalls;
    const again = await h.get(events('document', UNKNOWN));
    expect(again.status).toBe(404);
    expect(again.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await again.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
    expect((await head(h, events('document', UNKNOWN))).status).toBe(404);
    expect(h.upstreamCalls).toBe(calls);
  });
});

describe("a stream's not-found and status reads", () => {
  it('keeps the 404 for reconnecting streams only: a read after EDGE_NOT_FOUND_TTL_SECONDS asks again', async () => {
    const h = await createEdgeHarness();
    const { documentIds } = h.simulator.createRequest({
      apiKey: DEMO_API_KEY,
      documents: [{}],
      visibleAfterMs: 15_000,
    });
    const id = documentIds[0] ?? '';
    const all = await stream(h, events('document', id));
    expect(all.map((event) => event.event)).toEqual(['failure']);
    h.clock.advance(15_000);

    const read = await h.get(`/api/v1/document-status/${id}`);
    expect(read.status).toBe(200);
    const again = await h.get(events('document', id));
    expect(again.status).toBe(404);
  });
});

describe('a stream the upstream refuses', () => {
  const WRONG_KEY = 'nl_wrong000000000000000000000000000';
  const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

  it('answers the reconnect of a refused key with its 401 (EventSource stops), for GET and HEAD, with no upstream call', async () => {
    const h = await createEdgeHarness({ EDGE_MODE: 'passthrough' });
    const path = events('document', PURCHASE_ORDER);
    const all = await stream(h, path, bearer(WRONG_KEY));
    expect(all.map((event) => event.event)).toEqual(['failure']);
    expect(JSON.parse(all[0]?.data ?? '{}')).toMatchObject({
      error: { code: 'UPSTREAM_UNAUTHORIZED' },
    });
    h.clock.advance(2_500);
    const calls = h.upstreamCalls;
    const again = await h.get(path, bearer(WRONG_KEY));
    expect(again.status).toBe(401);
    expect(again.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await again.json()).toMatchObject({ error: { code: 'UPSTREAM_UNAUTHORIZED' } });
    expect((await head(h, path, bearer(WRONG_KEY))).status).toBe(401);
    expect(h.upstreamCalls).toBe(calls);

    // Another key is not refused for it: its stream opens and polls.
    const other = await h.get(path, bearer(DEMO_API_KEY));
    expect(other.status).toBe(200);
    await other.body?.cancel();
  });

  it("answers the reconnect with 502 when the upstream refuses the proxy's own key", async () => {
    const h = await createEdgeHarness();
    h.simulator.setFault({ kind: 'status', status: 401, id: PURCHASE_ORDER });
    const path = events('document', PURCHASE_ORDER);
    const all = await stream(h, path);
    expect(JSON.parse(all.at(-1)?.data ?? '{}')).toMatchObject({
      error: { code: 'UPSTREAM_CREDENTIALS_REJECTED' },
    });
    const calls = h.upstreamCalls;
    const again = await h.get(path);
    expect(again.status).toBe(502);
    expect(await again.json()).toMatchObject({ error: { code: 'UPSTREAM_CREDENTIALS_REJECTED' } });
    expect(h.upstreamCalls).toBe(calls);

    // The refusal is remembered for a while, not for ever: the key may be fixed.
    h.simulator.clearFaults();
    h.clock.advance(STREAM_REFUSAL_MS + 1);
    const later = await h.get(path);
    expect(later.status).toBe(200);
    await later.body?.cancel();
  });

  it('does not remember a failure that may pass (the upstream unavailable)', async () => {
    const h = await createEdgeHarness();
    h.simulator.setFault({ kind: 'status', status: 500, id: PURCHASE_ORDER });
    const path = events('document', PURCHASE_ORDER);
    const all = await stream(h, path);
    expect(all.at(-1)?.event).toBe('failure');
    h.simulator.clearFaults();
    const again = await h.get(path);
    expect(again.status).toBe(200);
    await again.body?.cancel();
  });
});

describe('a status read that found nothing yet', () => {
  it("does not stop a stream opened after it: the stream waits for the id like any other (the 404's grace)", async () => {
    const h = await createEdgeHarness();
    const { documentIds } = h.simulator.createRequest({
      apiKey: DEMO_API_KEY,
      documents: [{}],
      visibleAfterMs: 3_000,
    });
    const id = documentIds[0] ?? '';
    const read = await h.get(`/api/v1/document-status/${id}`);
    expect(read.status).toBe(404);
    const all = await stream(h, events('document', id));
    expect(all.filter((event) => event.event === 'status').length).toBeGreaterThan(0);
    expect(all.at(-1)?.event).toBe('end');
  });
});

describe('upstream metrics', () => {
  it('counts every upstream call once, whichever path made it (GET, document and request streams)', async () => {
    const h = await createEdgeHarness();
    await h.get(`/api/v1/document-status/${PURCHASE_ORDER}`);
    await stream(h, events('document', PURCHASE_ORDER));
    await stream(h, events('request', DEMO_REQUEST_ID));
    const metrics = await (await h.get('/metrics')).text();
    const counted = counterSum(metrics, 'neurostatus_edge_upstream_requests_total', 'kind=');
    expect(h.upstreamCalls).toBeGreaterThan(3);
    expect(counted).toBe(h.upstreamCalls);
    const requestCalls = counterSum(
      metrics,
      'neurostatus_edge_upstream_requests_total',
      'kind="request"',
    );
    expect(requestCalls).toBeGreaterThan(0);
  });
});
