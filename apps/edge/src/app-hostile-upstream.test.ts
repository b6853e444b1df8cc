import { DEMO_API_KEY, DEMO_DOCUMENT_IDS, DOCUMENTED_EXAMPLE } from '@neurostatus/simulator';
import { describe, expect, it } from 'vitest';
import { createEdgeHarness } from './test-support/edge-harness.ts';

const ID = DEMO_DOCUMENT_IDS[0];
const doc = (id: string) => `/api/v1/document-status/${id}`;

const answer =
  (status: number, body: string, headers: Record<string, string> = {}) =>
  async () =>
    new Response(body, { status, headers: { 'content-type': 'application/json', ...headers } });

describe('an upstream 429', () => {
  it.each([
    ['a huge number of seconds', '999999'],
    ['a date a day ahead', new Date(Date.now() + 86_400_000).toUTCString()],
  ])(
    'passes the capped Retry-After to clients for %s, the first time as later',
    async (_, hint) => {
      const h = await createEdgeHarness(
        {},
        answer(429, '{"detail":"slow down"}', { 'retry-after': hint }),
      );
      const first = await h.get(doc(ID));
      expect(first.status).toBe(429);
      expect(first.headers.get('retry-after')).toBe('60');
      const second = await h.get(doc(ID));
      expect(second.status).toBe(429);
      expect(second.headers.get('retry-after')).toBe('60');
      expect((await first.json()).error.message).toBe((await second.json()).error.message);
    },
  );
});

describe('a payload nested very deep inside an unknown field', () => {
  it('is an invalid upstream response (502), not an internal error', async () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const body = `${JSON.stringify({ ...DOCUMENTED_EXAMPLE, document_id: ID }).slice(0, -1)},"extra":${deep}}`;
    const h = await createEdgeHarness({}, answer(200, body));
    const res = await h.get(doc(ID));
    expect(res.status).toBe(502);
    expect((await res.json()).error.code).toBe('UPSTREAM_INVALID_RESPONSE');
  });
});

describe('a large answer', () => {
  /** A request of ten 2 000-page documents, finished: its status is about 1.3 MB of JSON. */
  async function largeRequest(env: Record<string, string> = {}) {
    const h = await createEdgeHarness(env);
    const documents = Array.from({ length: 10 }, () => ({
      totalPages: 2_000,
      pendingMs: 0,
      processingMs: 1_000,
    }));
    const { requestId } = h.simulator.createRequest({ apiKey: DEMO_API_KEY, documents });
    h.clock.advance(2_000);
    return { h, path: `/api/v1/request-status/${requestId}` };
  }

  it('is served: a request status over 1 MiB is no invalid answer (EDGE_UPSTREAM_MAX_BYTES, 16 MiB)', async () => {
    const { h, path } = await largeRequest();
    const response = await h.get(path);
    expect(response.status).toBe(200);
    expect((await response.text()).length).toBeGreaterThan(1024 * 1024);
  });

  it('past EDGE_UPSTREAM_MAX_BYTES is refused as an invalid upstream response (502)', async () => {
    const { h, path } = await largeRequest({ EDGE_UPSTREAM_MAX_BYTES: String(512 * 1024) });
    const response = await h.get(path);
    expect(response.status).toBe(502);
    expect((await response.json()).error.code).toBe('UPSTREAM_INVALID_RESPONSE');
  });
});
