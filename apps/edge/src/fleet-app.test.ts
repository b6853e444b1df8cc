// Three proxy instances in one process (each its own app, simulator and Redis connections), one
// real redis-server: what fleet mode changes for clients. The multi-process proofs come with
// test/fleet-processes.test.ts.
import { DEMO_DOCUMENT_IDS } from '@neurostatus/simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEdge, type EdgeInstance } from './create-edge.ts';
import { connectRedis } from './redis-connection.ts';
import { startRedisServer, type TestRedisServer } from './test-support/redis-server.ts';

let server: TestRedisServer;
const edges: EdgeInstance[] = [];

beforeAll(async () => {
  server = await startRedisServer();
});
afterAll(async () => {
  for (const edge of edges) edge.close();
  await server?.stop();
});

async function instances(count: number, env: Record<string, string> = {}) {
  return Promise.all(
    Array.from({ length: count }, async () => {
      const edge = await createEdge(
        { EDGE_LOG: 'off', EDGE_REDIS_URL: server.url, EDGE_RATE_LIMIT_PER_SECOND: '0', ...env },
        { connectFleet: connectRedis },
      );
      edges.push(edge);
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
});
