import { DEMO_DOCUMENT_IDS } from '@neurostatus/simulator';
import { describe, expect, it } from 'vitest';
import { createEdgeHarness } from './test-support/edge-harness.ts';
import { eventLoopUntil } from './test-support/event-loop-until.ts';

const ID = DEMO_DOCUMENT_IDS[0];
const doc = (id: string) => `/api/v1/document-status/${id}`;
/** Long in real time, so only the proxy's own deadline (on virtual time) can end a call. */
const DEADLINE_MS = 60_000;

/** Garbage collection is what lost the abort in issue 9: run one where the platform allows it. */
const collect = (globalThis as { gc?: () => void }).gc;

/** An upstream that answers headers, then never sends the body, until `stalled` is set false. */
function stallingUpstream(realFetch: () => typeof globalThis.fetch) {
  const state = { stalled: true, calls: 0 };
  const upstream = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    state.calls++;
    if (!state.stalled) return realFetch()(input, init);
    return new Response(new ReadableStream({ pull: () => new Promise(() => {}) }), {
      status: 200,
      headers: { 'content-type': 'application/json' },
    });
  };
  return { state, upstream };
}

describe('a stalled upstream body', () => {
  it('runs with forced collections (vitest passes --expose-gc to this project)', () => {
    expect(typeof collect).toBe('function');
  });

  it('holds a key no longer than the upstream deadline: waiters get 504, the key is freed, /metrics counts it', async () => {
    let real: typeof globalThis.fetch = fetch;
    const { state, upstream } = stallingUpstream(() => real);
    const h = await createEdgeHarness({ EDGE_UPSTREAM_TIMEOUT_MS: String(DEADLINE_MS) }, upstream);
    real = (input, init) => Promise.resolve(h.simulator.app.fetch(new Request(input, init)));

    const first = h.get(doc(ID));
    await eventLoopUntil(() => state.calls === 1);
    const joined = h.get(doc(ID));
    collect?.();
    await h.clock.whenSleeping();
    collect?.();
    h.clock.advance(DEADLINE_MS);
    const [a, b] = await Promise.all([first, joined]);
    expect([a.status, b.status]).toEqual([504, 504]);
    expect((await a.json()).error.code).toBe('UPSTREAM_TIMEOUT');

    // The key is free: the next request makes a call of its own and gets its answer.
    state.stalled = false;
    const next = await h.get(doc(ID));
    expect(next.status).toBe(200);
    expect(state.calls).toBe(2);

    const metrics = await (await h.get('/metrics')).text();
    expect(metrics).toContain('neurostatus_edge_upstream_abandoned_total 1');
  });

  it('serves the stale status to the waiters of an abandoned call', async () => {
    let real: typeof globalThis.fetch = fetch;
    const { state, upstream } = stallingUpstream(() => real);
    const h = await createEdgeHarness({ EDGE_UPSTREAM_TIMEOUT_MS: String(DEADLINE_MS) }, upstream);
    real = (input, init) => Promise.resolve(h.simulator.app.fetch(new Request(input, init)));
    state.stalled = false;
    const fresh = await h.get(doc(ID));
    expect(fresh.status).toBe(200);
    const body = await fresh.text();

    // Past freshness and past the stale-while-revalidate window: readers wait for the call.
    h.clock.advance(10_000);
    state.stalled = true;
    const waiting = h.get(doc(ID));
    await eventLoopUntil(() => state.calls === 2);
    collect?.();
    await h.clock.whenSleeping();
    h.clock.advance(DEADLINE_MS);
    const stale = await waiting;
    expect(stale.status).toBe(200);
    expect(stale.headers.get('x-neurostatus-stale')).toBe('upstream-error');
    expect(await stale.text()).toBe(body);
  });
});
