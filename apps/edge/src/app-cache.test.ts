import { parseDocumentStatus } from '@neurostatus/core';
import { DEMO_DOCUMENT_IDS, DOCUMENTED_EXAMPLE } from '@neurostatus/simulator';
import { describe, expect, it, vi } from 'vitest';
import { createEdgeHarness } from './test-support/edge-harness.ts';
import { eventLoopUntil } from './test-support/event-loop-until.ts';

const PROCESSING = DEMO_DOCUMENT_IDS[0];
const COMPLETED = DOCUMENTED_EXAMPLE.document_id;
const UNKNOWN = '00000000-0000-4000-8000-000000000000';
const doc = (id: string) => `/api/v1/document-status/${id}`;

describe('caching', () => {
  it('answers the first poll from upstream and the next ones from the cache', async () => {
    const h = await createEdgeHarness();
    const first = await h.get(doc(PROCESSING));
    expect(first.status).toBe(200);
    expect(first.headers.get('cache-status')).toBe(
      'neurostatus-edge; fwd=miss; fwd-status=200; stored; ttl=2',
    );
    const body = await first.text();
    expect(parseDocumentStatus(JSON.parse(body)).status).toBe('processing');
    h.clock.advance(1_000);
    const second = await h.get(doc(PROCESSING));
    expect(second.headers.get('cache-status')).toBe('neurostatus-edge; hit; ttl=1');
    expect(second.headers.get('age')).toBe('1');
    // The entry's whole lifetime with its Age, so a client subtracts the age once (RFC 9111 4.2).
    expect(second.headers.get('cache-control')).toBe('private, max-age=2');
    expect(second.headers.get('etag')).toBe(first.headers.get('etag'));
    expect(await second.text()).toBe(body);
    expect(h.upstreamCalls).toBe(1);
  });

  it('keeps a terminal status fresh for 24 hours by default', async () => {
    const h = await createEdgeHarness();
    await h.get(doc(COMPLETED));
    h.clock.advance(23 * 60 * 60 * 1000);
    const later = await h.get(doc(COMPLETED));
    expect(later.headers.get('cache-status')).toMatch(/; hit; /);
    expect(later.headers.get('cache-control')).toBe(`private, max-age=${24 * 60 * 60}`);
    expect(later.headers.get('age')).toBe(String(23 * 60 * 60));
    expect(h.upstreamCalls).toBe(1);
    h.clock.advance(60 * 60 * 1000);
    expect((await h.get(doc(COMPLETED))).headers.get('cache-status')).toMatch(/fwd=miss/);
    expect(h.upstreamCalls).toBe(2);
  });

  it('serves a just-expired processing status at once and refreshes it in the background', async () => {
    const h = await createEdgeHarness();
    const first = await h.get(doc(PROCESSING));
    h.clock.advance(2_500);
    const stale = await h.get(doc(PROCESSING));
    expect(stale.headers.get('cache-status')).toBe(
      'neurostatus-edge; hit; ttl=-1; detail=revalidating',
    );
    expect(stale.headers.get('cache-control')).toBe('private, max-age=2');
    expect(stale.headers.get('age')).toBe('2');
    expect(stale.headers.get('etag')).toBe(first.headers.get('etag'));
    // The background call stores a fresh entry: the next poll is a plain hit.
    await eventLoopUntil(async () => h.upstreamCalls === 2 && h.inFlight === 0);
    let next = await h.get(doc(PROCESSING));
    await eventLoopUntil(async () => {
      next = await h.get(doc(PROCESSING));
      return !next.headers.get('cache-status')?.includes('revalidating');
    });
    expect(next.headers.get('cache-status')).toBe('neurostatus-edge; hit; ttl=2');
    expect(h.upstreamCalls).toBe(2);
  });

  it('asks upstream synchronously once a processing status is too old to serve while revalidating', async () => {
    const h = await createEdgeHarness();
    await h.get(doc(PROCESSING));
    h.clock.advance(30_000); // the document completed meanwhile
    const res = await h.get(doc(PROCESSING));
    expect(res.headers.get('cache-status')).toMatch(/fwd=miss/);
    expect(JSON.parse(await res.text()).status).toBe('completed');
  });

  it('caches a 404 for 2 seconds, and never serves it stale', async () => {
    const h = await createEdgeHarness();
    const first = await h.get(doc(UNKNOWN));
    expect(first.status).toBe(404);
    expect(await first.json()).toEqual({
      error: { code: 'NOT_FOUND', message: 'No document with this id (or not visible yet).' },
    });
    expect((await h.get(doc(UNKNOWN))).headers.get('cache-status')).toMatch(/; hit; /);
    expect(h.upstreamCalls).toBe(1);
    h.clock.advance(2_000);
    const again = await h.get(doc(UNKNOWN));
    expect(again.status).toBe(404);
    expect(again.headers.get('cache-status')).toMatch(/fwd=miss/);
    expect(h.upstreamCalls).toBe(2);
  });

  it.each([
    [500, 502, 'UPSTREAM_UNAVAILABLE'],
    [503, 502, 'UPSTREAM_UNAVAILABLE'],
    [429, 429, 'UPSTREAM_RATE_LIMITED'],
  ])('never caches an upstream %i (answered %i %s)', async (upstream, answered, code) => {
    const h = await createEdgeHarness();
    h.simulator.setFault({ kind: 'status', status: upstream, times: 1 });
    const failed = await h.get(doc(UNKNOWN));
    expect(failed.status).toBe(answered);
    expect(((await failed.json()) as { error: { code: string } }).error.code).toBe(code);
    expect(failed.headers.get('cache-control')).toBe('no-store');
    if (upstream === 429) h.clock.advance(1_000); // the hold-off of a 429 without a hint
    expect((await h.get(doc(UNKNOWN))).status).toBe(404);
    expect(h.upstreamCalls).toBe(2);
  });

  it('answers 304 to a matching If-None-Match, with the validators and no body', async () => {
    const h = await createEdgeHarness();
    const first = await h.get(doc(COMPLETED));
    const etag = first.headers.get('etag') ?? '';
    expect(etag).toMatch(/^"[\w-]{22}"$/);
    for (const header of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
      const res = await h.get(doc(COMPLETED), { 'if-none-match': header });
      expect(res.status).toBe(304);
      expect(await res.text()).toBe('');
      expect(res.headers.get('etag')).toBe(etag);
      expect(res.headers.get('cache-status')).toMatch(/; hit; /);
    }
    expect((await h.get(doc(COMPLETED), { 'if-none-match': '"other"' })).status).toBe(200);
  });
});

describe('stale-if-error and timeouts', () => {
  it('serves the last status, marked stale, while the upstream fails, for a bounded time', async () => {
    const h = await createEdgeHarness({ EDGE_STALE_SECONDS: '60' });
    const first = await h.get(doc(PROCESSING));
    h.simulator.setFault({ kind: 'status', status: 503 });
    h.clock.advance(10_000); // past freshness and the stale-while-revalidate window
    const stale = await h.get(doc(PROCESSING));
    expect(stale.status).toBe(200);
    expect(stale.headers.get('cache-status')).toBe(
      'neurostatus-edge; fwd=stale; fwd-status=503; ttl=-8; detail=upstream-error',
    );
    expect(stale.headers.get('x-neurostatus-stale')).toBe('upstream-error');
    expect(stale.headers.get('age')).toBe('10');
    expect(await stale.text()).toBe(await first.text());
    h.clock.advance(52_000); // 2 s fresh + 60 s stale have passed
    const gone = await h.get(doc(PROCESSING));
    expect(gone.status).toBe(502);
    h.simulator.clearFaults();
    expect((await h.get(doc(PROCESSING))).status).toBe(200);
  });

  it('serves stale when the upstream sends garbage', async () => {
    const h = await createEdgeHarness();
    await h.get(doc(PROCESSING));
    h.simulator.setFault({ kind: 'malformed-json', times: 1 });
    h.clock.advance(5_000);
    const res = await h.get(doc(PROCESSING));
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-status')).toMatch(/detail=upstream-error$/);
  });

  it('answers 502 UPSTREAM_INVALID_RESPONSE for garbage with nothing stale to serve', async () => {
    const h = await createEdgeHarness();
    h.simulator.setFault({ kind: 'malformed-json', times: 1 });
    const res = await h.get(doc(PROCESSING));
    expect(res.status).toBe(502);
    expect(await res.json()).toMatchObject({ error: { code: 'UPSTREAM_INVALID_RESPONSE' } });
  });
});

describe('429 hold-off', () => {
  it('holds off a key for the hinted time after a 429, without asking upstream', async () => {
    const h = await createEdgeHarness();
    h.simulator.setFault({ kind: 'status', status: 429, retryAfter: '5', times: 1 });
    const limited = await h.get(doc(PROCESSING));
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('5');
    h.clock.advance(3_000);
    const held = await h.get(doc(PROCESSING));
    expect(held.status).toBe(429);
    expect(held.headers.get('retry-after')).toBe('2');
    expect(h.upstreamCalls).toBe(1);
    h.clock.advance(2_000);
    expect((await h.get(doc(PROCESSING))).status).toBe(200);
    expect(h.upstreamCalls).toBe(2);
  });

  it('serves stale during a hold-off when it has a status', async () => {
    const h = await createEdgeHarness();
    await h.get(doc(PROCESSING));
    h.clock.advance(10_000);
    h.simulator.setFault({ kind: 'status', status: 429, retryAfter: '30', times: 1 });
    const first = await h.get(doc(PROCESSING));
    expect(first.headers.get('cache-status')).toMatch(/detail=upstream-error$/);
    h.clock.advance(5_000);
    const held = await h.get(doc(PROCESSING));
    expect(held.status).toBe(200);
    expect(held.headers.get('cache-status')).toMatch(/detail=held-off$/);
    expect(h.upstreamCalls).toBe(2);
  });

  it('holds off the whole upstream after 429s on several keys', async () => {
    const h = await createEdgeHarness();
    h.simulator.setFault({ kind: 'status', status: 429, retryAfter: '10', times: 3 });
    for (const id of DEMO_DOCUMENT_IDS.slice(0, 3)) expect((await h.get(doc(id))).status).toBe(429);
    const other = await h.get(doc(DEMO_DOCUMENT_IDS[3]));
    expect(other.status).toBe(429);
    expect(h.upstreamCalls).toBe(3);
    h.clock.advance(10_000);
    expect((await h.get(doc(DEMO_DOCUMENT_IDS[3]))).status).toBe(200);
  });
});

describe('upstream timeout', () => {
  /** An upstream that never answers: it only settles when the proxy gives up and aborts. */
  const hangingFetch: typeof fetch = (input, init) =>
    new Promise((_resolve, reject) => {
      // ky hands fetch a Request that carries the signal.
      const signal = init?.signal ?? (input instanceof Request ? input.signal : undefined);
      signal?.addEventListener('abort', () => reject(signal.reason));
    });

  it('answers 504 UPSTREAM_TIMEOUT after EDGE_UPSTREAM_TIMEOUT_MS with nothing stale', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const h = await createEdgeHarness({ EDGE_UPSTREAM_TIMEOUT_MS: '10000' }, hangingFetch);
      const pending = h.get(doc(PROCESSING));
      await vi.advanceTimersByTimeAsync(9_999);
      let settled = false;
      void pending.then(() => (settled = true));
      await vi.advanceTimersByTimeAsync(0);
      expect(settled).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      const res = await pending;
      expect(res.status).toBe(504);
      expect(await res.json()).toMatchObject({ error: { code: 'UPSTREAM_TIMEOUT' } });
    } finally {
      vi.useRealTimers();
    }
  });

  it('times the upstream out on the proxy clock, however far the wall clock moves meanwhile', async () => {
    // A busy machine: real milliseconds pass between the call's start and its attempt. They must
    // not shorten the upstream deadline, which belongs to the proxy's (here virtual) clock.
    let wall = Date.now();
    const wallClock = vi.spyOn(Date, 'now').mockImplementation(() => (wall += 5));
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const h = await createEdgeHarness({ EDGE_UPSTREAM_TIMEOUT_MS: '10000' }, hangingFetch);
      const pending = h.get(doc(PROCESSING));
      let settled = false;
      void pending.then(() => (settled = true));
      await vi.advanceTimersByTimeAsync(9_999);
      expect(settled).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      expect((await pending).status).toBe(504);
    } finally {
      vi.useRealTimers();
      wallClock.mockRestore();
    }
  });

  it('serves the last status, marked stale, when the upstream times out', async () => {
    let hang = false;
    let simulatorFetch: typeof fetch = fetch;
    const h = await createEdgeHarness({ EDGE_UPSTREAM_TIMEOUT_MS: '10000' }, (input, init) =>
      hang ? hangingFetch(input, init) : simulatorFetch(input, init),
    );
    simulatorFetch = async (input, init) => h.simulator.app.fetch(new Request(input, init));
    await h.get(doc(PROCESSING));
    hang = true;
    h.clock.advance(10_000);
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const pending = h.get(doc(PROCESSING));
      await vi.advanceTimersByTimeAsync(10_000);
      const res = await pending;
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-status')).toMatch(/detail=upstream-error$/);
    } finally {
      vi.useRealTimers();
    }
  });
});
