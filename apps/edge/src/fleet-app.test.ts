// Three proxy instances in one process (each its own app, simulator and Redis connections), one
// real redis-server: what fleet mode changes for clients. The multi-process proofs come with
// test/fleet-processes.test.ts.

import { createPollScheduler, fixedInterval } from '@neurostatus/poller';
import {
  createSimulator,
  DEMO_API_KEY,
  DEMO_DOCUMENT_IDS,
  DEMO_REQUEST_ID,
} from '@neurostatus/simulator';
import { describe, expect, it } from 'vitest';
import { createEdge, type EdgeInstance } from './create-edge.ts';
import { connectRedis } from './redis-connection.ts';
import { parseEvents, TEST_BASE_URL, TEST_SECRET } from './test-support/edge-harness.ts';
import { useRedisServer } from './test-support/use-redis-server.ts';

const redisServer = useRedisServer();

async function instances(count: number, env: Record<string, string> = {}) {
  return Promise.all(
    Array.from({ length: count }, async () => {
      const edge = await createEdge(
        {
          EDGE_LOG: 'off',
          EDGE_REDIS_URL: redisServer.url,
          EDGE_RATE_LIMIT_PER_SECOND: '0',
          ...env,
        },
        { connectFleet: connectRedis },
      );
      redisServer.closeAtEnd(edge);
      await edge.fleet?.store.listening;
      return edge;
    }),
  );
}

const upstreamCalls = (fleet: readonly EdgeInstance[]) =>
  fleet.reduce((sum, edge) => sum + (edge.simulator?.stats().total ?? 0), 0);

describe('three instances on one Redis', () => {
  it('make one upstream call for 1,000 concurrent polls of one document spread over them', async () => {
    const fleet = await instances(3);
    const path = `/api/v1/document-status/${DEMO_DOCUMENT_IDS[2]}`;
    const responses = await Promise.all(
      Array.from({ length: 1_000 }, (_, index) => fleet[index % 3]!.app.request(path)),
    );
    expect(responses.map((response) => response.status).every((status) => status === 200)).toBe(
      true,
    );
    const bodies = new Set(await Promise.all(responses.map((response) => response.text())));
    expect(bodies.size).toBe(1);
    expect(upstreamCalls(fleet)).toBe(1);
  });

  it('share what one instance’s request read learnt: its documents are hits on the others', async () => {
    const [reader, other] = await instances(2);
    expect((await reader!.app.request(`/api/v1/request-status/${DEMO_REQUEST_ID}`)).status).toBe(
      200,
    );
    // The request's answer is served once its documents are in the fleet's store: no wait.
    for (const id of DEMO_DOCUMENT_IDS) {
      const response = await other!.app.request(`/api/v1/document-status/${id}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-status')).toMatch(/; hit/);
    }
    expect(other!.simulator?.stats().total).toBe(0);
  });
});

describe('document streams of one request, led by different instances', () => {
  // Each upstream its own seed: ids, hence the fleet's Redis keys, never repeat between tests.
  let seed = 1_000;
  const freshSimulator = () => createSimulator({ seed: ++seed });

  /** One instance of a fleet on the test's Redis, whose upstream calls go to `upstream`. */
  async function fleetInstance(upstream: (request: Request) => Promise<Response>) {
    const edge = await createEdge(
      {
        EDGE_LOG: 'off',
        EDGE_REDIS_URL: redisServer.url,
        EDGE_RATE_LIMIT_PER_SECOND: '0',
        NEUROLINKER_BASE_URL: TEST_BASE_URL,
        NEUROLINKER_API_KEY: DEMO_API_KEY,
        EDGE_SECRET: TEST_SECRET,
        EDGE_MODE: 'open',
        EDGE_ALLOW_OPEN: 'true',
      },
      {
        connectFleet: connectRedis,
        // A brisk fixed pace, so that a few seconds make many rounds to count.
        scheduler: createPollScheduler({ policy: fixedInterval(500) }),
        fetch: (input, init) => upstream(new Request(input, init)),
      },
    );
    redisServer.closeAtEnd(edge);
    await edge.fleet?.store.listening;
    return edge;
  }

  /** Two instances on one Redis and one upstream (real time). */
  async function sharedUpstreamFleet() {
    const simulator = freshSimulator();
    const upstream = async (request: Request) => simulator.app.fetch(request);
    const edges = await Promise.all([fleetInstance(upstream), fleetInstance(upstream)]);
    return { simulator, edges };
  }

  /** Streams each document of a fresh request on the instance `on(index)` picks; the finals. */
  async function streamRequest(
    fleet: Awaited<ReturnType<typeof sharedUpstreamFleet>>,
    on: (index: number) => number,
  ) {
    const { requestId, documentIds } = fleet.simulator.createRequest({
      apiKey: DEMO_API_KEY,
      documents: [3_000, 3_500, 4_000, 4_500].map((processingMs) => ({
        totalPages: 1,
        pendingMs: 500,
        processingMs,
      })),
    });
    const before = fleet.simulator.stats().byId[requestId] ?? 0;
    const responses = await Promise.all(
      documentIds.map((id, index) =>
        fleet.edges[on(index)]!.app.request(`/api/v1/document-status/${id}/events`),
      ),
    );
    const finals = await Promise.all(
      responses.map(async (response) => {
        expect(response.status).toBe(200);
        const statuses = parseEvents(await response.text()).flatMap((event) =>
          'event' in event && event.event === 'status' ? [JSON.parse(event.data).status] : [],
        );
        return statuses.at(-1);
      }),
    );
    expect(finals).toEqual(['completed', 'completed', 'completed', 'completed']);
    for (const id of documentIds) {
      expect(fleet.simulator.stats().byId[id] ?? 0).toBeLessThanOrEqual(2);
    }
    return (fleet.simulator.stats().byId[requestId] ?? 0) - before;
  }

  it('are fed by one request loop for the whole fleet, not one per leading instance', async () => {
    const fleet = await sharedUpstreamFleet();
    // Every stream on one instance: one batch, one request poll a round.
    const together = await streamRequest(fleet, () => 0);
    // Half of them on each: still one request loop (its leader may change hands once its own
    // documents are done), plus the first poll each instance makes for documents held behind a
    // sibling's first answer; a loop per leading instance would double the count (21 against 12
    // when measured).
    const spread = await streamRequest(fleet, (index) => index % 2);
    expect(together).toBeGreaterThan(5);
    expect(spread).toBeLessThanOrEqual(together + 4);
  }, 30_000);

  /** One fleet instance on its own upstream, whose first request poll is slow. */
  async function slowFirstRequestPoll(delayMs: number) {
    const simulator = freshSimulator();
    let first = true;
    const edge = await fleetInstance(async (request) => {
      if (first && new URL(request.url).pathname.includes('/request-status/')) {
        first = false;
        await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
      return simulator.app.fetch(request);
    });
    return { simulator, edge };
  }

  const statusesOf = (text: string) =>
    parseEvents(text).flatMap((event) =>
      'event' in event && event.event === 'status' ? [JSON.parse(event.data).status] : [],
    );

  it('never skips a stage the request saw after the document’s own poll', async () => {
    // The document turns processing between its own first poll and the request's (slow) first
    // poll: that poll is news, not a stale replay, and the stream shows every stage.
    const { simulator, edge } = await slowFirstRequestPoll(1_500);
    const { documentIds } = simulator.createRequest({
      apiKey: DEMO_API_KEY,
      documents: [{ totalPages: 1, pendingMs: 1_000, processingMs: 3_000 }],
    });
    const response = await edge.app.request(`/api/v1/document-status/${documentIds[0]}/events`);
    expect(statusesOf(await response.text())).toEqual(['pending', 'processing', 'completed']);
  }, 20_000);

  it('ends a stream that follows its request with `end` when the proxy closes', async () => {
    const { simulator, edge } = await slowFirstRequestPoll(0);
    const { documentIds } = simulator.createRequest({
      apiKey: DEMO_API_KEY,
      documents: [{ totalPages: 1, pendingMs: 200, processingMs: 60_000 }],
    });
    const response = await edge.app.request(`/api/v1/document-status/${documentIds[0]}/events`);
    const reading = response.text();
    // Following the request by now: its feed is led here.
    await expect.poll(() => edge.fleet?.feeds.leading, { timeout: 5_000 }).toBe(2);
    edge.close();
    const events = parseEvents(await reading);
    expect(events.at(-1)).toMatchObject({ event: 'end' });
    expect(events.some((event) => 'event' in event && event.event === 'failure')).toBe(false);
  }, 20_000);
});
