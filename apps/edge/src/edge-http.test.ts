// The proxy and the simulator over real HTTP on 127.0.0.1, both on one virtual clock: sockets,
// keep-alive and streaming are real; time only moves when a test moves it.
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { parseDocumentStatus } from '@neurostatus/core';
import { createVirtualClock, type VirtualClock } from '@neurostatus/poller';
import { driveWhenIdle } from '@neurostatus/poller/test-support/idle-drive';
import {
  createManualClock,
  DEMO_API_KEY,
  DEMO_DOCUMENT_IDS,
  SECOND_API_KEY,
} from '@neurostatus/simulator';
import { type RunningSimulator, startSimulator } from '@neurostatus/simulator/node';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { EdgeEnv } from './config.ts';
import { createEdge } from './create-edge.ts';
import { mintStatusToken } from './status-token.ts';
import { parseEvents, TEST_SECRET } from './test-support/edge-harness.ts';

const START = Date.UTC(2026, 0, 1);
const [PURCHASE_ORDER] = DEMO_DOCUMENT_IDS;

interface Running {
  readonly url: string;
  readonly upstream: RunningSimulator;
  readonly clock: VirtualClock;
  readonly inFlight: number;
  /** Requests the simulator received. */
  upstreamTotal(): number;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startProxy(env: EdgeEnv = {}): Promise<Running> {
  const simulatorClock = createManualClock(START);
  const upstream = await startSimulator({ demo: true, clock: simulatorClock });
  cleanups.push(() => upstream.close());
  const clock = createVirtualClock(START, (now) => simulatorClock.set(now));
  const mode = env.EDGE_MODE ?? 'open';
  let inFlight = 0;
  const { app } = await createEdge(
    {
      NEUROLINKER_BASE_URL: upstream.apiBaseUrl,
      EDGE_SECRET: TEST_SECRET,
      EDGE_LOG: 'off',
      EDGE_RATE_LIMIT_PER_SECOND: '0',
      ...(mode === 'passthrough' ? {} : { NEUROLINKER_API_KEY: DEMO_API_KEY }),
      ...(mode === 'open' ? { EDGE_ALLOW_OPEN: 'true' } : {}),
      EDGE_MODE: mode,
      ...env,
    },
    {
      clock,
      fetch: async (input, init) => {
        inFlight++;
        try {
          return await fetch(input, init);
        } finally {
          inFlight--;
        }
      },
    },
  );
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as unknown as { closeAllConnections(): void }).closeAllConnections();
      }),
  );
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    upstream,
    clock,
    get inFlight() {
      return inFlight;
    },
    upstreamTotal: () => upstream.simulator.stats().total,
  };
}

const docPath = (id: string) => `/api/v1/document-status/${id}`;

describe('over real HTTP', () => {
  it('turns 1,000 concurrent polls for one document into exactly one upstream call', async () => {
    const proxy = await startProxy();
    const responses = await Promise.all(
      Array.from({ length: 1_000 }, () => fetch(proxy.url + docPath(PURCHASE_ORDER))),
    );
    const bodies = await Promise.all(responses.map((response) => response.text()));
    expect(responses.every((response) => response.status === 200)).toBe(true);
    expect(new Set(bodies).size).toBe(1);
    expect(parseDocumentStatus(JSON.parse(bodies[0] ?? '')).document_id).toBe(PURCHASE_ORDER);
    expect(proxy.upstream.simulator.stats().byId[PURCHASE_ORDER]).toBe(1);
    const outcomes = new Set(
      responses.map(
        (response) => /stored|collapsed|hit/.exec(response.headers.get('cache-status') ?? '')?.[0],
      ),
    );
    expect(outcomes.has('stored')).toBe(true);
    expect([...outcomes].every((outcome) => outcome !== undefined)).toBe(true);
    // 1,000 real connections take about 4 s on this 2-core machine alone, more beside other test
    // files: the limit guards against a hang, not speed (that is `pnpm bench`'s business).
  }, 30_000);

  it('never shows one passthrough tenant the other tenant’s data, however they interleave', async () => {
    const proxy = await startProxy({ EDGE_MODE: 'passthrough' });
    const {
      documentIds: [secondsDocument],
    } = proxy.upstream.simulator.createRequest({ apiKey: SECOND_API_KEY, documents: [{}] });
    const owner = new Map([
      [PURCHASE_ORDER, DEMO_API_KEY],
      [secondsDocument as string, SECOND_API_KEY],
    ]);
    const calls = Array.from({ length: 400 }, (_, i) => ({
      key: i % 2 === 0 ? DEMO_API_KEY : SECOND_API_KEY,
      id: i % 3 === 0 ? PURCHASE_ORDER : (secondsDocument as string),
    }));
    const results = await Promise.all(
      calls.map(async ({ key, id }) => {
        const response = await fetch(proxy.url + docPath(id), {
          headers: { authorization: `Bearer ${key}` },
        });
        return { key, id, status: response.status, body: await response.text() };
      }),
    );
    for (const { key, id, status, body } of results) {
      if (owner.get(id) === key) {
        expect(status).toBe(200);
        expect(JSON.parse(body).document_id).toBe(id);
      } else {
        expect(status).toBe(404);
        expect(body).not.toContain('user_uid');
      }
    }
  });

  it('serves stale when the upstream fails or drops the connection, and recovers', async () => {
    const proxy = await startProxy();
    const first = await (await fetch(proxy.url + docPath(PURCHASE_ORDER))).text();
    for (const fault of [
      { kind: 'status', status: 503 },
      { kind: 'drop' },
      { kind: 'html' },
    ] as const) {
      proxy.clock.advance(5_000);
      proxy.upstream.simulator.setFault({ ...fault, times: 1 });
      const stale = await fetch(proxy.url + docPath(PURCHASE_ORDER));
      expect(stale.status).toBe(200);
      expect(stale.headers.get('cache-status')).toMatch(/detail=upstream-error$/);
      expect(await stale.text()).toBe(first);
    }
    const fresh = await fetch(proxy.url + docPath(PURCHASE_ORDER));
    expect(fresh.headers.get('cache-status')).toMatch(/fwd=miss/);
  });

  it('holds off after an upstream 429 and asks again only after Retry-After', async () => {
    const proxy = await startProxy();
    proxy.upstream.simulator.setFault({ kind: 'status', status: 429, retryAfter: '30', times: 1 });
    const limited = await fetch(proxy.url + docPath(PURCHASE_ORDER));
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('30');
    for (let i = 0; i < 50; i++) {
      const held = await fetch(proxy.url + docPath(PURCHASE_ORDER));
      expect(held.status).toBe(429);
      await held.body?.cancel();
    }
    expect(proxy.upstreamTotal()).toBe(1);
    proxy.clock.advance(30_000);
    expect((await fetch(proxy.url + docPath(PURCHASE_ORDER))).status).toBe(200);
    expect(proxy.upstreamTotal()).toBe(2);
  });

  it('streams every transition of a document as Server-Sent Events, then ends', async () => {
    const proxy = await startProxy();
    const response = await fetch(`${proxy.url}${docPath(PURCHASE_ORDER)}/events`);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const text = await driveWhenIdle(proxy.clock, response.text(), proxy);
    const events = parseEvents(text).flatMap((event) => ('event' in event ? [event] : []));
    expect(events.map((event) => event.event)).toEqual(['status', 'status', 'end']);
    expect(
      events.map((event) => (event.event === 'status' ? JSON.parse(event.data).status : 'end')),
    ).toEqual(['processing', 'completed', 'end']);
  });

  it('lets no malformed id and no bad token reach the upstream', async () => {
    const proxy = await startProxy({ EDGE_MODE: 'scoped-token' });
    const token = await mintStatusToken({ secret: TEST_SECRET, documentIds: [PURCHASE_ORDER] });
    const hostile = fc.sample(
      fc.oneof(
        fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }).map((s) => `${s}/..`),
        fc.constantFrom('..', '%2e%2e', 'a%2fb', 'a%252fb', '%00', 'a b', 'x'.repeat(200)),
        fc.string({ unit: 'binary', minLength: 1 }).map((s) => `${s}\u0000`),
      ),
      { numRuns: 150, seed: 4 },
    );
    for (const id of hostile) {
      const response = await fetch(
        `${proxy.url}/api/v1/document-status/${encodeURIComponent(id)}`,
        {
          headers: { authorization: `Bearer ${token}` },
        },
      );
      expect([400, 404]).toContain(response.status);
      await response.body?.cancel();
    }
    for (const authorization of [
      '',
      'Bearer nope',
      `Bearer ${token}x`,
      `Bearer ${token.slice(0, -2)}`,
    ]) {
      const response = await fetch(proxy.url + docPath(PURCHASE_ORDER), {
        headers: { authorization },
      });
      expect(response.status).toBe(401);
      await response.body?.cancel();
    }
    expect(proxy.upstreamTotal()).toBe(0);
    expect(
      (
        await fetch(proxy.url + docPath(PURCHASE_ORDER), {
          headers: { authorization: `Bearer ${token}` },
        })
      ).status,
    ).toBe(200);
    expect(proxy.upstreamTotal()).toBe(1);
  });
});
