import { describe, expect, it, vi } from 'vitest';
import { createManualClock } from './create-manual-clock.ts';
import { createSimulator } from './create-simulator.ts';
import { DEMO_API_KEY } from './default-accounts.ts';
import { DOCUMENTED_EXAMPLE } from './documented-example.ts';
import type { SimulatorOptions } from './simulator-options.ts';
import { statusRequest } from './test-support/status-request.ts';

const DOC = DOCUMENTED_EXAMPLE.document_id;
const REQ = DOCUMENTED_EXAMPLE.request_id;

function setUp(options: SimulatorOptions = {}) {
  const simulator = createSimulator({ demo: true, clock: createManualClock(), ...options });
  const fetchDoc = async (id = DOC, key: string | null = DEMO_API_KEY) =>
    simulator.app.fetch(statusRequest(`/api/v1/document-status/${id}`, key));
  const fetchReq = async (id = REQ) =>
    simulator.app.fetch(statusRequest(`/v1/request-status/${id}`));
  return { simulator, fetchDoc, fetchReq };
}

describe('status faults', () => {
  it('answer with the status, a JSON detail and the Retry-After headers as given', async () => {
    const { simulator, fetchDoc } = setUp();
    simulator.setFault({
      kind: 'status',
      status: 429,
      retryAfter: '7',
      retryAfterMs: 6500,
      times: 1,
    });
    const res = await fetchDoc();
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('7');
    expect(res.headers.get('retry-after-ms')).toBe('6500');
    expect(await res.json()).toEqual({ detail: 'Too Many Requests' });
    expect((await fetchDoc()).status).toBe(200);
  });

  it('pass an HTTP-date Retry-After through untouched', async () => {
    const { simulator, fetchDoc } = setUp();
    const date = 'Wed, 15 Oct 2025 10:00:30 GMT';
    simulator.setFault({ kind: 'status', status: 503, retryAfter: date });
    expect((await fetchDoc()).headers.get('retry-after')).toBe(date);
  });

  it('send an HTML page when asked', async () => {
    const { simulator, fetchDoc } = setUp();
    simulator.setFault({ kind: 'status', status: 500, body: 'html' });
    const res = await fetchDoc();
    expect(res.status).toBe(500);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await res.text()).toContain('<h1>500 Internal Server Error</h1>');
  });

  it('fire before authentication, like a gateway in front of the service', async () => {
    const { simulator, fetchDoc } = setUp();
    simulator.setFault({ kind: 'status', status: 502 });
    expect((await fetchDoc(DOC, null)).status).toBe(502);
  });
});

describe('the html fault', () => {
  it('answers 502 with a load balancer page', async () => {
    const { simulator, fetchReq } = setUp();
    simulator.setFault({ kind: 'html', route: 'request-status' });
    const res = await fetchReq();
    expect(res.status).toBe(502);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await res.text()).toMatch(/<title>502 Bad Gateway<\/title>/);
  });
});

describe('the malformed-json fault', () => {
  it('answers 200 application/json with a truncated body that does not parse', async () => {
    const { simulator, fetchDoc } = setUp();
    simulator.setFault({ kind: 'malformed-json', times: 1 });
    const res = await fetchDoc();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const text = await res.text();
    expect(JSON.stringify(DOCUMENTED_EXAMPLE).startsWith(text)).toBe(true);
    expect(() => JSON.parse(text)).toThrow(SyntaxError);
  });

  it('waits, unconsumed, while the real answer is an error', async () => {
    const { simulator, fetchDoc } = setUp();
    simulator.setFault({ kind: 'malformed-json', times: 1 });
    expect((await fetchDoc(DOC, null)).status).toBe(401);
    expect((await fetchDoc('unknown')).status).toBe(404);
    expect(() => JSON.parse('')).toThrow();
    await expect(fetchDoc().then((res) => res.json())).rejects.toThrow(SyntaxError);
    expect(await fetchDoc().then((res) => res.json())).toEqual(DOCUMENTED_EXAMPLE);
  });
});

describe('drift faults', () => {
  it('serve user_uid as a number', async () => {
    const { simulator, fetchDoc, fetchReq } = setUp();
    simulator.setFault({ kind: 'drift', drift: 'numeric-user-uid' });
    expect((await fetchDoc().then((r) => r.json())).user_uid).toEqual(expect.any(Number));
    const request = await fetchReq().then((r) => r.json());
    expect(request.documents[0].result.user_uid).toEqual(expect.any(Number));
  });

  it('leave fields out', async () => {
    const { simulator, fetchDoc, fetchReq } = setUp();
    simulator.setFault({ kind: 'drift', drift: 'missing-fields' });
    const body = await fetchDoc().then((r) => r.json());
    expect(body).not.toHaveProperty('completed_at');
    expect(body).not.toHaveProperty('results');
    expect(body).not.toHaveProperty('document_page_url');
    expect(body.status).toBe('completed');
    const request = await fetchReq().then((r) => r.json());
    expect(request).not.toHaveProperty('completed_at');
    expect(request.documents[0].result).not.toHaveProperty('results');
  });

  it('report a status the docs never mention', async () => {
    const { simulator, fetchDoc, fetchReq } = setUp();
    simulator.setFault({ kind: 'drift', drift: 'unknown-status' });
    expect((await fetchDoc().then((r) => r.json())).status).toBe('queued');
    const request = await fetchReq().then((r) => r.json());
    expect([request.status, request.documents[0].status]).toEqual(['queued', 'queued']);
  });

  it('add fields', async () => {
    const { simulator, fetchDoc } = setUp();
    simulator.setFault({ kind: 'drift', drift: 'extra-fields' });
    const body = await fetchDoc().then((r) => r.json());
    expect(body).toMatchObject({ ...DOCUMENTED_EXAMPLE, results: expect.any(Object) });
    expect(body.processing_stage).toBe('ocr');
    expect(body.results.markdown_path).toEqual(expect.any(String));
    expect(body.results.cropped_images).toEqual(DOCUMENTED_EXAMPLE.results.cropped_images);
  });

  it('change types', async () => {
    const { simulator, fetchDoc, fetchReq } = setUp();
    simulator.setFault({ kind: 'drift', drift: 'wrong-types' });
    const body = await fetchDoc().then((r) => r.json());
    expect(body).toMatchObject({ success: 'true', file_size_bytes: '421050', total_pages: '8' });
    expect((await fetchReq().then((r) => r.json())).total).toBe('1');
  });
});

describe('the delay fault', () => {
  it('responds normally after waiting through the injected sleep', async () => {
    const sleep = vi.fn(async (_ms: number, _signal?: AbortSignal) => {});
    const { simulator, fetchDoc } = setUp({ sleep });
    simulator.setFault({ kind: 'delay', ms: 1234, times: 1 });
    const res = await fetchDoc();
    expect(sleep).toHaveBeenCalledWith(1234, expect.any(AbortSignal));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(DOCUMENTED_EXAMPLE);
  });
});

describe('the hang fault', () => {
  it('never answers until the client aborts', async () => {
    const { simulator, fetchDoc } = setUp();
    simulator.setFault({ kind: 'hang', times: 1 });
    const controller = new AbortController();
    let settled = false;
    const request = statusRequest(`/v1/document-status/${DOC}`, DEMO_API_KEY, {
      signal: controller.signal,
    });
    const pending = Promise.resolve(simulator.app.fetch(request)).finally(() => {
      settled = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);
    expect((await fetchDoc()).status).toBe(200);
    controller.abort();
    await pending;
    expect(settled).toBe(true);
    expect(simulator.stats().byStatus).toEqual({ '200': 1 });
  });

  it('lets go when the simulator is closed', async () => {
    const { simulator, fetchDoc } = setUp();
    simulator.setFault({ kind: 'hang' });
    const pending = fetchDoc();
    simulator.close();
    expect((await pending).status).toBe(503);
    expect((await fetchDoc()).status).toBe(503);
  });
});

describe('the drop fault', () => {
  it('falls back to a 502 where the runtime cannot drop connections', async () => {
    const { simulator, fetchDoc } = setUp();
    simulator.setFault({ kind: 'drop', times: 1 });
    expect((await fetchDoc()).status).toBe(502);
  });

  it('hands the connection to the injected dropConnection hook', async () => {
    const marker = new Response(null, { status: 299 });
    const dropConnection = vi.fn(() => marker);
    const { simulator } = setUp({ dropConnection });
    simulator.setFault({ kind: 'drop' });
    const env = { incoming: 'socket' };
    const res = await simulator.app.fetch(statusRequest(`/v1/document-status/${DOC}`), env);
    expect(res.status).toBe(299);
    expect(dropConnection).toHaveBeenCalledWith(expect.any(Request), env);
    expect(simulator.stats().byStatus).toEqual({});
  });
});

describe('fault matching', () => {
  it('uses faults in the order they were set, each for its number of times', async () => {
    const { simulator, fetchDoc } = setUp();
    simulator.setFault({ kind: 'status', status: 503, times: 2 });
    simulator.setFault({ kind: 'status', status: 429, times: 1 });
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await fetchDoc()).status);
    expect(statuses).toEqual([503, 503, 429, 200, 200]);
  });

  it('lasts until cleared when times is not given', async () => {
    const { simulator, fetchDoc } = setUp();
    simulator.setFault({ kind: 'status', status: 500 });
    for (let i = 0; i < 3; i++) expect((await fetchDoc()).status).toBe(500);
    simulator.clearFaults();
    expect((await fetchDoc()).status).toBe(200);
  });

  it('targets one id, leaving others alone', async () => {
    const { simulator, fetchDoc } = setUp();
    simulator.setFault({ kind: 'status', status: 500, id: 'other-id' });
    expect((await fetchDoc()).status).toBe(200);
    expect((await fetchDoc('other-id')).status).toBe(500);
  });

  it('targets one route, leaving the other alone', async () => {
    const { simulator, fetchDoc, fetchReq } = setUp();
    simulator.setFault({ kind: 'status', status: 500, route: 'document-status' });
    expect((await fetchReq()).status).toBe(200);
    expect((await fetchDoc()).status).toBe(500);
  });

  it('removes a single fault by its id', async () => {
    const { simulator, fetchDoc } = setUp();
    const id = simulator.setFault({ kind: 'status', status: 500 });
    expect(simulator.removeFault(id)).toBe(true);
    expect(simulator.removeFault(id)).toBe(false);
    expect((await fetchDoc()).status).toBe(200);
  });

  it.each([
    [{ kind: 'nope' }],
    [{ kind: 'status' }],
    [{ kind: 'status', status: 200 }],
    [{ kind: 'status', status: 503, retryAfter: 'a\r\nx-injected: 1' }],
    [{ kind: 'drift', drift: 'sideways' }],
    [{ kind: 'delay', ms: -1 }],
    [{ kind: 'html', times: 0 }],
    [{ kind: 'html', route: 'tasks' }],
    [{ kind: 'html', ms: 5 }],
  ])('rejects the malformed fault %j with a TypeError', (fault) => {
    const { simulator } = setUp();
    // @ts-expect-error: deliberately malformed input
    expect(() => simulator.setFault(fault)).toThrow(TypeError);
  });
});
