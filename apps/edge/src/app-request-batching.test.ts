import { parseDocumentStatus, parseRequestStatus, type RequestStatus } from '@neurostatus/core';
import type { VirtualClock } from '@neurostatus/poller';
import { driveWhenIdle } from '@neurostatus/poller/test-support/idle-drive';
import { DEMO_API_KEY, SECOND_API_KEY } from '@neurostatus/simulator';
import { describe, expect, it } from 'vitest';
import { createMemoryStore } from './memory-store.ts';
import type { StatusStore } from './status-store.ts';
import { createEdgeHarness, type EdgeHarness, parseEvents } from './test-support/edge-harness.ts';

// Issue 13, item 3: document streams of one request are fed by request polls, and every document
// status a request poll brings is stored for that tenant, so a plain GET of it is a hit.

const doc = (processingMs: number) => ({ totalPages: 1, pendingMs: 1_000, processingMs });

const statusPath = (kind: 'document' | 'request', id: string) => `/api/v1/${kind}-status/${id}`;
const eventsPath = (kind: 'document' | 'request', id: string) => `${statusPath(kind, id)}/events`;
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

/** Opens the streams together and reads each to its end, on virtual time; the last statuses. */
async function streamAll(
  h: EdgeHarness,
  paths: readonly string[],
  headers: Record<string, string> = {},
): Promise<string[]> {
  const responses = await Promise.all(paths.map((path) => h.get(path, headers)));
  for (const response of responses) expect(response.status).toBe(200);
  const texts = await driveWhenIdle(
    h.clock,
    Promise.all(responses.map((response) => response.text())),
    h,
  );
  return texts.map((text) => {
    const statuses = parseEvents(text).flatMap((event) =>
      'event' in event && event.event === 'status' ? [JSON.parse(event.data).status] : [],
    );
    return statuses.at(-1);
  });
}

/** Asserts that a GET of each document is a cache hit, with no upstream call; the bodies. */
async function expectHits(
  h: EdgeHarness,
  documentIds: readonly string[],
  headers: Record<string, string> = {},
) {
  const calls = h.upstreamCalls;
  const bodies = [];
  for (const id of documentIds) {
    const res = await h.get(statusPath('document', id), headers);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-status')).toMatch(/; hit/);
    bodies.push(parseDocumentStatus(await res.json()));
  }
  expect(h.upstreamCalls).toBe(calls);
  return bodies;
}

describe('document streams of one request', () => {
  it('are fed by request polls, not by a poll of each document every round', async () => {
    const documents = Array.from({ length: 10 }, (_, i) => doc(20_000 + 2_000 * i));
    // Today's cost without batching: each document streamed alone, by a loop of its own.
    let alone = 0;
    for (const [index, input] of documents.entries()) {
      const solo = await createEdgeHarness();
      const { documentIds } = solo.simulator.createRequest({
        apiKey: DEMO_API_KEY,
        documents: [input],
      });
      expect(await streamAll(solo, [eventsPath('document', documentIds[0] as string)])).toEqual([
        'completed',
      ]);
      alone += solo.simulator.stats().total;
      expect(solo.simulator.stats().byRoute['request-status'], `document ${index}`).toBe(0);
    }
    const h = await createEdgeHarness();
    const { requestId, documentIds } = h.simulator.createRequest({
      apiKey: DEMO_API_KEY,
      documents,
    });
    const finals = await streamAll(
      h,
      documentIds.map((id) => eventsPath('document', id)),
    );
    expect(finals).toEqual(Array(10).fill('completed'));
    const { byRoute, byId, total } = h.simulator.stats();
    // Each document is asked on its own at most once (its first answer names the request);
    // everything else is request polls, one a round for all ten: a third of today's calls at most.
    for (const id of documentIds) expect(byId[id] ?? 0).toBeLessThanOrEqual(1);
    expect(byRoute['request-status']).toBe(byId[requestId]);
    expect(byRoute['request-status']).toBeGreaterThan(3);
    expect(total * 3).toBeLessThanOrEqual(alone);
  });

  it('start with request polls when the cache already knows their request', async () => {
    const h = await createEdgeHarness();
    const { requestId, documentIds } = h.simulator.createRequest({
      apiKey: DEMO_API_KEY,
      documents: [doc(20_000), doc(24_000), doc(28_000)],
    });
    // A read of the request stores its documents, with the request they belong to.
    expect((await h.get(statusPath('request', requestId))).status).toBe(200);
    const finals = await streamAll(
      h,
      documentIds.map((id) => eventsPath('document', id)),
    );
    expect(finals).toEqual(Array(3).fill('completed'));
    expect(h.simulator.stats().byRoute['document-status']).toBe(0);
  });

  it('ignore a cached request id that is not a valid id, and still stream', async () => {
    const h = await createEdgeHarness({}, async (input, init) => {
      const response = await h.simulator.app.fetch(new Request(input, init));
      if (response.status !== 200) return response;
      // An upstream whose documents name a request by an id no request may have.
      return Response.json({ ...(await response.json()), request_id: '../elsewhere' });
    });
    const { documentIds } = h.simulator.createRequest({
      apiKey: DEMO_API_KEY,
      documents: [doc(4_000)],
    });
    const id = documentIds[0] as string;
    expect((await h.get(statusPath('document', id))).status).toBe(200);
    expect(await streamAll(h, [eventsPath('document', id)])).toEqual(['completed']);
  });

  it('store what each request poll says of the request’s other documents', async () => {
    const h = await createEdgeHarness();
    const { documentIds } = h.simulator.createRequest({
      apiKey: DEMO_API_KEY,
      documents: [doc(30_000), doc(30_000), doc(5_000)],
    });
    const [first, second, unwatched] = documentIds as [string, string, string];
    const finals = await streamAll(h, [
      eventsPath('document', first),
      eventsPath('document', second),
    ]);
    expect(finals).toEqual(['completed', 'completed']);
    // Nobody streamed or read the third document, yet its final status is in the cache.
    const [stored] = await expectHits(h, [unwatched]);
    expect(stored?.status).toBe('completed');
    expect(h.simulator.stats().byId[unwatched]).toBeUndefined();
  });

  it('poll a document on its own when the request’s list leaves it out', async () => {
    let dropped = '';
    const rewriting = await createEdgeHarness({}, async (input, init) => {
      const sent = new Request(input, init);
      const response = await rewriting.simulator.app.fetch(sent);
      if (!new URL(sent.url).pathname.includes('/request-status/') || response.status !== 200) {
        return response;
      }
      const request = (await response.json()) as RequestStatus;
      const documents = request.documents.filter((entry) => entry.document_id !== dropped);
      return Response.json({ ...request, documents }, { headers: response.headers });
    });
    const { documentIds } = rewriting.simulator.createRequest({
      apiKey: DEMO_API_KEY,
      documents: [doc(20_000), doc(24_000), doc(28_000)],
    });
    dropped = documentIds[2] as string;
    const finals = await streamAll(
      rewriting,
      documentIds.map((id) => eventsPath('document', id)),
    );
    expect(finals).toEqual(Array(3).fill('completed'));
    const { byId } = rewriting.simulator.stats();
    expect(byId[dropped]).toBeGreaterThan(3);
    expect(byId[documentIds[0] as string] ?? 0).toBeLessThanOrEqual(1);
  });
});

describe('a request stream and the document streams of its request', () => {
  it('share one request poll a round, not one loop each', async () => {
    const documents = [doc(20_000), doc(26_000), doc(32_000)];
    /** Streams `paths(ids)` of a fresh request in a fresh proxy; the upstream calls by route. */
    const callsFor = async (
      paths: (ids: { requestId: string; documentIds: readonly string[] }) => string[],
    ) => {
      const h = await createEdgeHarness();
      const request = h.simulator.createRequest({ apiKey: DEMO_API_KEY, documents });
      const finals = await streamAll(h, paths(request));
      expect(finals.every((status) => status === 'completed')).toBe(true);
      return h.simulator.stats().byRoute;
    };
    const requestAlone = await callsFor(({ requestId }) => [eventsPath('request', requestId)]);
    const documentsAlone = await callsFor(({ documentIds }) =>
      documentIds.map((id) => eventsPath('document', id)),
    );
    const together = await callsFor(({ requestId, documentIds }) => [
      eventsPath('request', requestId),
      ...documentIds.map((id) => eventsPath('document', id)),
    ]);
    const requestPolls = (routes: Record<string, number>) => routes['request-status'] ?? 0;
    // One poll serves both kinds of stream: about what the busier of the two needs alone, far
    // from the sum of two loops.
    const busier = Math.max(requestPolls(requestAlone), requestPolls(documentsAlone));
    expect(requestPolls(together)).toBeLessThanOrEqual(busier + 2);
    expect(requestPolls(together)).toBeLessThan(
      0.8 * (requestPolls(requestAlone) + requestPolls(documentsAlone)),
    );
    expect(together['document-status'] ?? 0).toBeLessThanOrEqual(documents.length);
  });
});

describe('what a request poll learns about its documents', () => {
  it('makes a GET of each document a hit after a GET of the request', async () => {
    const h = await createEdgeHarness();
    const { requestId, documentIds } = h.simulator.createRequest({
      apiKey: DEMO_API_KEY,
      documents: [doc(2_000), doc(60_000), { ...doc(3_000), outcome: 'failed' as const }],
    });
    h.clock.advance(5_000);
    const res = await h.get(statusPath('request', requestId));
    const request = parseRequestStatus(await res.json());
    const bodies = await expectHits(h, documentIds);
    // The same status a document poll would have brought: the request's own entry for it.
    expect(bodies).toEqual(request.documents.map((entry) => parseDocumentStatus(entry.result)));
    expect(bodies.map((body) => body.status)).toEqual(['completed', 'processing', 'failed']);
    expect(h.simulator.stats().byRoute['document-status']).toBe(0);
  });

  it('makes a GET of each document a hit after a GET of the request, however slow the store', async () => {
    // A store that settles each document write a few turns of the event loop late (a remote store,
    // or a digest on a busy thread pool): the request's answer must still wait for what it taught.
    const slowDocumentWrites = (clock: VirtualClock): StatusStore => {
      const store = createMemoryStore({ now: () => clock.now() });
      return {
        get: (key) => store.get(key),
        delete: (key) => store.delete(key),
        async set(key, entry) {
          if (key.includes(':document:')) {
            for (let turn = 0; turn < 5; turn++) await new Promise((done) => setImmediate(done));
          }
          return store.set(key, entry);
        },
      };
    };
    const h = await createEdgeHarness({}, undefined, { store: slowDocumentWrites });
    const { requestId, documentIds } = h.simulator.createRequest({
      apiKey: DEMO_API_KEY,
      documents: [doc(2_000), doc(60_000)],
    });
    h.clock.advance(5_000);
    expect((await h.get(statusPath('request', requestId))).status).toBe(200);
    const bodies = await expectHits(h, documentIds);
    expect(bodies.map((body) => body.status)).toEqual(['completed', 'processing']);
  });

  it('makes a GET of each document a hit after a request event stream', async () => {
    const h = await createEdgeHarness();
    const { requestId, documentIds } = h.simulator.createRequest({
      apiKey: DEMO_API_KEY,
      documents: [doc(4_000), doc(8_000)],
    });
    await streamAll(h, [eventsPath('request', requestId)]);
    const bodies = await expectHits(h, documentIds);
    expect(bodies.map((body) => body.status)).toEqual(['completed', 'completed']);
    expect(h.simulator.stats().byRoute['document-status']).toBe(0);
  });

  it('keeps each tenant’s documents under its own key', async () => {
    const h = await createEdgeHarness({ EDGE_MODE: 'passthrough' });
    const mine = h.simulator.createRequest({
      apiKey: DEMO_API_KEY,
      documents: [doc(60_000), doc(60_000)],
    });
    const theirs = h.simulator.createRequest({ apiKey: SECOND_API_KEY, documents: [doc(60_000)] });
    expect((await h.get(statusPath('request', mine.requestId), bearer(DEMO_API_KEY))).status).toBe(
      200,
    );
    expect(
      (await h.get(statusPath('request', theirs.requestId), bearer(SECOND_API_KEY))).status,
    ).toBe(200);
    await expectHits(h, mine.documentIds, bearer(DEMO_API_KEY));
    await expectHits(h, theirs.documentIds, bearer(SECOND_API_KEY));
    // The other key's reads never find them: they go upstream, which does not show them.
    for (const [id, key] of [
      [mine.documentIds[0], SECOND_API_KEY],
      [theirs.documentIds[0], DEMO_API_KEY],
    ] as const) {
      const calls = h.upstreamCalls;
      const res = await h.get(statusPath('document', id as string), bearer(key));
      expect(res.status).toBe(404);
      expect(res.headers.get('cache-status')).not.toMatch(/; hit/);
      expect(h.upstreamCalls).toBe(calls + 1);
    }
  });

  it('batches each tenant’s document streams with its own key only', async () => {
    const h = await createEdgeHarness({ EDGE_MODE: 'passthrough' });
    const mine = h.simulator.createRequest({
      apiKey: DEMO_API_KEY,
      documents: [doc(20_000), doc(24_000)],
    });
    const theirs = h.simulator.createRequest({
      apiKey: SECOND_API_KEY,
      documents: [doc(20_000), doc(24_000)],
    });
    const [myFinals, theirFinals] = await Promise.all([
      streamAll(
        h,
        mine.documentIds.map((id) => eventsPath('document', id)),
        bearer(DEMO_API_KEY),
      ),
      streamAll(
        h,
        theirs.documentIds.map((id) => eventsPath('document', id)),
        bearer(SECOND_API_KEY),
      ),
    ]);
    expect([...myFinals, ...theirFinals]).toEqual(Array(4).fill('completed'));
    const { byId, byStatus } = h.simulator.stats();
    expect(byId[mine.requestId]).toBeGreaterThan(1);
    expect(byId[theirs.requestId]).toBeGreaterThan(1);
    // No call was ever made with the wrong key.
    expect(byStatus['404']).toBeUndefined();
    await expectHits(h, mine.documentIds, bearer(DEMO_API_KEY));
    await expectHits(h, theirs.documentIds, bearer(SECOND_API_KEY));
  });
});
