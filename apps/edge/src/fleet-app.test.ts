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
  /** Two instances on one Redis and one upstream (real time); request polls counted by instance. */
  async function sharedUpstreamFleet() {
    const simulator = createSimulator();
    const requestPolls = [0, 0];
    const edges = await Promise.all(
      [0, 1].map(async (index) => {
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
            fetch: async (input, init) => {
              const sent = new Request(input, init);
              if (new URL(sent.url).pathname.includes('/request-status/')) {
                requestPolls[index] = (requestPolls[index] ?? 0) + 1;
              }
              return simulator.app.fetch(sent);
            },
          },
        );
        redisServer.closeAtEnd(edge);
        await edge.fleet?.store.listening;
        return edge;
      }),
    );
    return { simulator, edges, requestPolls };
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
    // sibling's first answer; a loop per leading instance would double the count.
    fleet.requestPolls.fill(0);
    const spread = await streamRequest(fleet, (index) => index % 2);
    expect(together).toBeGreaterThan(5);
    expect(spread).toBeLessThanOrEqual(together + 3);
  }, 30_000);
});
