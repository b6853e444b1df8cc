// Three proxy instances in one process (each its own app, simulator and Redis connections), one
// real redis-server: what fleet mode changes for clients. The multi-process proofs come with
// test/fleet-processes.test.ts.
import { DEMO_DOCUMENT_IDS, DEMO_REQUEST_ID } from '@neurostatus/simulator';
import { describe, expect, it } from 'vitest';
import { createEdge, type EdgeInstance } from './create-edge.ts';
import { connectRedis } from './redis-connection.ts';
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
