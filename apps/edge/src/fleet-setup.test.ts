import { DEMO_DOCUMENT_IDS } from '@neurostatus/simulator';
import { describe, expect, it } from 'vitest';
import { ConfigError } from './config.ts';
import { createEdge } from './create-edge.ts';
import type { LogRecord } from './log-record.ts';
import { connectRedis } from './redis-connection.ts';
import { freePort, startRedisServer } from './test-support/redis-server.ts';
import { useRedisServer } from './test-support/use-redis-server.ts';

const PATH = `/api/v1/document-status/${DEMO_DOCUMENT_IDS[0]}`;
const SECRET = 'fleet-test-secret-0123456789abcdef0123';
const redisServer = useRedisServer();

async function edge(env: Record<string, string>, logs: LogRecord[] = []) {
  const built = await createEdge(
    { EDGE_LOG: 'off', EDGE_SECRET: SECRET, ...env },
    { connectFleet: connectRedis, log: (record) => logs.push(record) },
  );
  redisServer.closeAtEnd(built);
  return built;
}

describe('createEdge in fleet mode (EDGE_REDIS_URL)', () => {
  it('serves an answer another instance stored in Redis without asking its own upstream', async () => {
    const a = await edge({ EDGE_REDIS_URL: redisServer.url });
    const b = await edge({ EDGE_REDIS_URL: redisServer.url });
    await b.fleet?.store.listening;
    const first = await a.app.request(PATH);
    expect(first.status).toBe(200);
    const second = await b.app.request(PATH);
    expect(second.status).toBe(200);
    expect(await second.text()).toBe(await first.text());
    expect(a.simulator?.stats().total).toBe(1);
    expect(b.simulator?.stats().total).toBe(0);
    const metrics = await (await b.app.request('/metrics')).text();
    expect(metrics).toMatch(/^neurostatus_edge_fleet_degraded 0$/m);
  });

  it('starts without Redis: one log line, per-instance answers, the degraded gauge at 1', async () => {
    const logs: LogRecord[] = [];
    const port = await freePort();
    const alone = await edge({ EDGE_REDIS_URL: `redis://:pw-secret@127.0.0.1:${port}` }, logs);
    expect(logs.map((record) => record.msg)).toEqual([
      'fleet: Redis unreachable at startup, running per instance',
    ]);
    expect(JSON.stringify(logs)).not.toContain('pw-secret');
    expect((await alone.app.request(PATH)).status).toBe(200);
    expect((await alone.app.request(PATH)).headers.get('cache-status')).toMatch(/hit/);
    const metrics = await (await alone.app.request('/metrics')).text();
    expect(metrics).toMatch(/^neurostatus_edge_fleet_degraded 1$/m);
  });

  it('refuses EDGE_REDIS_URL on a runtime that cannot connect to Redis', async () => {
    const error = await createEdge({ EDGE_LOG: 'off', EDGE_REDIS_URL: redisServer.url }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe('EDGE_REDIS_URL');
  });
});

describe('createEdge when Redis goes away at run time', () => {
  it('answers without a 5xx while Redis is down, and shares entries again once it is back', async () => {
    const own = await startRedisServer();
    try {
      const logs: LogRecord[] = [];
      const a = await edge({ EDGE_REDIS_URL: own.url }, logs);
      const b = await edge({ EDGE_REDIS_URL: own.url });
      expect((await a.app.request(PATH)).status).toBe(200);
      await own.stop();
      await expect.poll(() => a.fleet?.degraded).toBe(true);
      const statuses = await Promise.all(
        [...DEMO_DOCUMENT_IDS, ...DEMO_DOCUMENT_IDS].map(async (id, index) => {
          const instance = index % 2 === 0 ? a : b;
          return (await instance.app.request(`/api/v1/document-status/${id}`)).status;
        }),
      );
      expect(statuses.every((status) => status === 200)).toBe(true);
      expect(await (await a.app.request('/metrics')).text()).toMatch(
        /^neurostatus_edge_fleet_degraded 1$/m,
      );

      await own.restart();
      await expect
        .poll(() => a.fleet?.degraded === false && b.fleet?.degraded === false, {
          timeout: 10_000,
        })
        .toBe(true);
      const id = DEMO_DOCUMENT_IDS[1];
      // Redis came back empty and each in-process tier starts over: one upstream call between them.
      b.simulator?.resetStats();
      a.simulator?.resetStats();
      expect((await a.app.request(`/api/v1/document-status/${id}`)).status).toBe(200);
      expect((await b.app.request(`/api/v1/document-status/${id}`)).status).toBe(200);
      expect((a.simulator?.stats().total ?? 0) + (b.simulator?.stats().total ?? 0)).toBe(1);
      expect(logs.map((record) => record.msg)).toContain('fleet: Redis lost, running per instance');
    } finally {
      await own.stop();
    }
  });
});
