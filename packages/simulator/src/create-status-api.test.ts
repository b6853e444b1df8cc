import { describe, expect, it } from 'vitest';
import { createManualClock } from './create-manual-clock.ts';
import { createSimulator } from './create-simulator.ts';
import { DEMO_API_KEY, DEMO_USER_UID, SECOND_API_KEY } from './default-accounts.ts';
import { DOCUMENTED_EXAMPLE } from './documented-example.ts';
import { DEMO_DOCUMENT_IDS, DEMO_REQUEST_ID } from './seed-demo-data.ts';
import { statusRequest } from './test-support/status-request.ts';

const ISO_MICROS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

function setUp() {
  const clock = createManualClock();
  const simulator = createSimulator({ clock });
  const { requestId, documentIds } = simulator.createRequest({
    apiKey: DEMO_API_KEY,
    documents: [{ fileName: 'a.pdf', totalPages: 2, pendingMs: 1_000, processingMs: 10_000 }],
  });
  const documentId = documentIds[0] ?? '';
  const read = async (
    path = `/api/v1/document-status/${documentId}`,
    key: string | null = DEMO_API_KEY,
  ) => {
    const res = await simulator.app.fetch(statusRequest(path, key));
    return { res, body: (await res.json()) as Record<string, unknown> };
  };
  return { clock, simulator, requestId, documentId, read };
}

describe('GET document-status', () => {
  it('serves a pending document with null completed_at and empty results', async () => {
    const { read, requestId, documentId } = setUp();
    const { res, body } = await read();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(Object.keys(body)).toEqual(Object.keys(DOCUMENTED_EXAMPLE));
    expect(body).toEqual({
      success: true,
      document_id: documentId,
      request_id: requestId,
      status: 'pending',
      file_name: 'a.pdf',
      file_type: 'application/pdf',
      file_size_bytes: 2 * 52_631,
      total_pages: 2,
      user_uid: DEMO_USER_UID,
      started_at: expect.stringMatching(ISO_MICROS),
      completed_at: null,
      results: {},
      document_page_url: `https://neurolinker.ainexxo.com/job/${requestId}/extractions/${documentId}`,
    });
  });

  it('moves to processing once the pending time has passed', async () => {
    const { read, simulator } = setUp();
    simulator.advance(1_001);
    const { body } = await read();
    expect(body.status).toBe('processing');
    expect(body.completed_at).toBeNull();
    expect(body.results).toEqual({});
  });

  it('completes with a storage path and cropped images once processing is over', async () => {
    const { read, simulator, requestId, documentId } = setUp();
    simulator.advance(11_001);
    const { body } = await read();
    expect(body.status).toBe('completed');
    expect(body.completed_at).toMatch(ISO_MICROS);
    expect(Date.parse(body.completed_at as string) - Date.parse(body.started_at as string)).toBe(
      11_000,
    );
    expect(body.results).toEqual({
      storage_path: `uploads/${DEMO_USER_UID}/${requestId}/${documentId}/`,
      cropped_images: [
        expect.stringMatching(/^[0-9a-f-]{36}\.png$/),
        expect.any(String),
        expect.any(String),
      ],
    });
  });

  it('reports a failed document with an error in results', async () => {
    const clock = createManualClock();
    const simulator = createSimulator({ clock });
    const { documentIds } = simulator.createRequest({
      apiKey: DEMO_API_KEY,
      documents: [{ outcome: 'failed', pendingMs: 0, processingMs: 5, errorMessage: 'bad scan' }],
    });
    clock.advance(10);
    const res = await simulator.app.fetch(statusRequest(`/v1/document-status/${documentIds[0]}`));
    const body = (await res.json()) as Record<string, unknown>;
    expect(body.status).toBe('failed');
    expect(body.completed_at).toMatch(ISO_MICROS);
    expect(body.results).toEqual({ error: 'bad scan' });
  });

  it('answers the same under /api/v1 and /v1', async () => {
    const { read, documentId } = setUp();
    const long = await read(`/api/v1/document-status/${documentId}`);
    const short = await read(`/v1/document-status/${documentId}`);
    expect(short.res.status).toBe(200);
    expect(short.body).toEqual(long.body);
  });

  it('serves the documented example exactly, byte for byte', async () => {
    const simulator = createSimulator({ demo: true, clock: createManualClock(0) });
    const res = await simulator.app.fetch(
      statusRequest(`/v1/document-status/${DOCUMENTED_EXAMPLE.document_id}`),
    );
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(JSON.stringify(DOCUMENTED_EXAMPLE));
  });

  it('serves the documented example whatever the clock says, because it is history', async () => {
    const simulator = createSimulator({ demo: true });
    const res = await simulator.app.fetch(
      statusRequest(`/api/v1/document-status/${DOCUMENTED_EXAMPLE.document_id}`),
    );
    expect(await res.json()).toEqual(DOCUMENTED_EXAMPLE);
  });

  it('seeds a demo request that starts in progress and finishes, one document failing, within a minute', async () => {
    const simulator = createSimulator({ demo: true, clock: createManualClock() });
    const statuses = async () => {
      const res = await simulator.app.fetch(statusRequest(`/v1/request-status/${DEMO_REQUEST_ID}`));
      const body = (await res.json()) as { status: string; documents: { status: string }[] };
      return [body.status, body.documents.map((entry) => entry.status)];
    };
    expect(await statuses()).toEqual([
      'processing',
      ['processing', 'pending', 'pending', 'pending'],
    ]);
    simulator.advance(60_000);
    expect(await statuses()).toEqual([
      'partial',
      ['completed', 'completed', 'failed', 'completed'],
    ]);
    expect(DEMO_DOCUMENT_IDS).toHaveLength(4);
  });
});

describe('authentication', () => {
  it.each([
    ['no Authorization header', null],
    ['an unknown key', 'nl_unknown0000000000000000000000000'],
    ['a key without the Bearer scheme', 'raw'],
  ])('answers 401 to %s, without echoing the key', async (_label, key) => {
    const { simulator, documentId } = setUp();
    const request =
      key === 'raw'
        ? new Request(`http://sim/api/v1/document-status/${documentId}`, {
            headers: { authorization: DEMO_API_KEY },
          })
        : statusRequest(`/api/v1/document-status/${documentId}`, key);
    const res = await simulator.app.fetch(request);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({ detail: 'Invalid or missing API key' });
    expect(text).not.toContain('nl_');
  });

  it('accepts the scheme in any case', async () => {
    const { simulator, documentId } = setUp();
    const res = await simulator.app.fetch(
      new Request(`http://sim/v1/document-status/${documentId}`, {
        headers: { authorization: `bearer ${DEMO_API_KEY}` },
      }),
    );
    expect(res.status).toBe(200);
  });
});

describe('tenancy', () => {
  it("gives another account's key the very same 404 as an unknown document id", async () => {
    const { simulator, documentId } = setUp();
    const foreign = await simulator.app.fetch(
      statusRequest(`/api/v1/document-status/${documentId}`, SECOND_API_KEY),
    );
    const unknown = await simulator.app.fetch(
      statusRequest('/api/v1/document-status/00000000-0000-4000-8000-000000000000', SECOND_API_KEY),
    );
    expect(foreign.status).toBe(404);
    expect(unknown.status).toBe(404);
    const foreignText = await foreign.text();
    expect(foreignText).toBe(await unknown.text());
    expect(JSON.parse(foreignText)).toEqual({ detail: 'Document not found' });
  });

  it("gives another account's key the very same 404 as an unknown request id", async () => {
    const { simulator, requestId } = setUp();
    const foreign = await simulator.app.fetch(
      statusRequest(`/v1/request-status/${requestId}`, SECOND_API_KEY),
    );
    const unknown = await simulator.app.fetch(
      statusRequest('/v1/request-status/nope', SECOND_API_KEY),
    );
    expect(foreign.status).toBe(404);
    expect(await foreign.text()).toBe(await unknown.text());
    const own = await simulator.app.fetch(statusRequest('/v1/request-status/nope'));
    expect(await own.json()).toEqual({ detail: 'Request not found' });
  });

  it('lets the second account read its own documents', async () => {
    const simulator = createSimulator({ clock: createManualClock() });
    const { documentIds } = simulator.createRequest({ apiKey: SECOND_API_KEY, documents: [{}] });
    const own = await simulator.app.fetch(
      statusRequest(`/v1/document-status/${documentIds[0]}`, SECOND_API_KEY),
    );
    const other = await simulator.app.fetch(statusRequest(`/v1/document-status/${documentIds[0]}`));
    expect(own.status).toBe(200);
    expect(other.status).toBe(404);
  });
});

describe('hostile input', () => {
  it.each([
    '%E0%A4%A',
    '..%2F..%2Fetc%2Fpasswd',
    '__proto__',
    'constructor',
    'x'.repeat(5000),
    '%00',
    '%F0%9F%92%A9',
  ])('answers 404 with a detail body for the id %s', async (id) => {
    const { simulator } = setUp();
    for (const route of ['document-status', 'request-status']) {
      const res = await simulator.app.fetch(statusRequest(`/api/v1/${route}/${id}`));
      expect(res.status).toBe(404);
      expect(await res.json()).toHaveProperty('detail');
    }
  });

  it('turns anything unexpected into a 500 with a generic detail', async () => {
    let broken = false;
    const clock = {
      now: () => {
        if (broken) throw new Error('clock exploded with a secret inside');
        return 0;
      },
    };
    const simulator = createSimulator({ clock });
    const { documentIds } = simulator.createRequest({ apiKey: DEMO_API_KEY, documents: [{}] });
    broken = true;
    const res = await simulator.app.fetch(statusRequest(`/v1/document-status/${documentIds[0]}`));
    expect(res.status).toBe(500);
    expect(res.headers.get('x-request-id')).toEqual(expect.any(String));
    expect(await res.text()).toBe('{"detail":"Internal Server Error"}');
  });

  it('answers unknown paths with a FastAPI-style 404', async () => {
    const { simulator } = setUp();
    const res = await simulator.app.fetch(statusRequest('/api/v1/tasks'));
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ detail: 'Not Found' });
  });

  it('answers other methods on the status routes with 405', async () => {
    const { simulator, documentId } = setUp();
    const res = await simulator.app.fetch(
      statusRequest(`/api/v1/document-status/${documentId}`, DEMO_API_KEY, { method: 'DELETE' }),
    );
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET');
  });

  it('tags every API response with a generated x-request-id', async () => {
    const { simulator, documentId } = setUp();
    const ids = new Set<string | null>();
    for (const request of [
      statusRequest(`/api/v1/document-status/${documentId}`),
      statusRequest(`/api/v1/document-status/${documentId}`, null),
      statusRequest('/api/v1/document-status/unknown'),
      statusRequest('/nowhere'),
    ]) {
      ids.add((await simulator.app.fetch(request)).headers.get('x-request-id'));
    }
    expect(ids.size).toBe(4);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f-]{36}$/);
  });
});
