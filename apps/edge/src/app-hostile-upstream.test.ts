import { DEMO_DOCUMENT_IDS, DOCUMENTED_EXAMPLE } from '@neurostatus/simulator';
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
