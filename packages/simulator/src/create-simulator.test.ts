import { describe, expect, it } from 'vitest';
import { createManualClock } from './create-manual-clock.ts';
import { createSimulator } from './create-simulator.ts';
import {
  DEFAULT_ACCOUNTS,
  DEMO_API_KEY,
  DEMO_USER_UID,
  SECOND_API_KEY,
} from './default-accounts.ts';
import { DOCUMENTED_EXAMPLE } from './documented-example.ts';
import type { SimulatorOptions } from './simulator-options.ts';
import { statusRequest } from './test-support/status-request.ts';

describe('createSimulator options', () => {
  it('ships two accounts whose keys look like real ones', () => {
    expect(DEFAULT_ACCOUNTS).toHaveLength(2);
    for (const { apiKey } of DEFAULT_ACCOUNTS) expect(apiKey).toMatch(/^nl_[A-Za-z0-9]{32}$/);
    expect(DEFAULT_ACCOUNTS[0]?.userUid).toBe(DEMO_USER_UID);
  });

  it.each<[string, SimulatorOptions]>([
    ['a zero timeScale', { timeScale: 0 }],
    ['a negative timeScale', { timeScale: -2 }],
    ['an infinite timeScale', { timeScale: Number.POSITIVE_INFINITY }],
    ['a key of the wrong shape', { accounts: [{ apiKey: 'sk_live_123', userUid: 'u' }] }],
    [
      'duplicate keys',
      {
        accounts: [
          { apiKey: DEMO_API_KEY, userUid: 'a' },
          { apiKey: DEMO_API_KEY, userUid: 'b' },
        ],
      },
    ],
    ['no accounts', { accounts: [] }],
    ['an empty userUid', { accounts: [{ apiKey: DEMO_API_KEY, userUid: '' }] }],
    ['a fractional seed', { seed: 1.5 }],
    ['a relative webBaseUrl', { webBaseUrl: '/web' }],
    ['a clock without now()', { clock: {} as never }],
  ])('rejects %s with a TypeError', (_label, options) => {
    expect(() => createSimulator(options)).toThrow(TypeError);
  });

  it('never puts a rejected key in the error message', () => {
    const secret = 'nl_secret';
    expect(() => createSimulator({ accounts: [{ apiKey: secret, userUid: 'u' }] })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining(secret) }),
    );
  });

  it('uses webBaseUrl for page links, without a doubled slash', async () => {
    const simulator = createSimulator({ demo: true, webBaseUrl: 'http://web.test/' });
    const res = await simulator.app.fetch(
      statusRequest(`/v1/request-status/${DOCUMENTED_EXAMPLE.request_id}`),
    );
    const body = await res.json();
    expect(body.job_page_url).toBe(`http://web.test/job/${DOCUMENTED_EXAMPLE.request_id}`);
  });

  it('reads the real clock when none is given', () => {
    const before = Date.now();
    const now = createSimulator().now();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });

  it('runs simulated time timeScale times faster than the clock', () => {
    const clock = createManualClock(1_000);
    const simulator = createSimulator({ clock, timeScale: 60 });
    clock.advance(1_000);
    expect(simulator.now()).toBe(1_000 + 60_000);
  });
});

describe('createRequest', () => {
  it('draws the same ids and timeline from the same seed', () => {
    const make = () => createSimulator({ clock: createManualClock(), seed: 42 });
    const input = { apiKey: DEMO_API_KEY, documents: [{ totalPages: 3 }, {}] };
    expect(make().createRequest(input)).toEqual(make().createRequest(input));
    expect(createSimulator({ seed: 43 }).createRequest(input)).not.toEqual(
      make().createRequest(input),
    );
  });

  it('keeps given ids', () => {
    const simulator = createSimulator();
    expect(
      simulator.createRequest({
        apiKey: DEMO_API_KEY,
        requestId: 'req-1',
        documents: [{ documentId: 'doc-1' }],
      }),
    ).toEqual({ requestId: 'req-1', documentIds: ['doc-1'] });
  });

  it.each([
    ['an unknown apiKey', { apiKey: 'nl_nobody', documents: [{}] }],
    ['no documents', { apiKey: DEMO_API_KEY, documents: [] }],
    ['zero pages', { apiKey: DEMO_API_KEY, documents: [{ totalPages: 0 }] }],
    ['fractional pages', { apiKey: DEMO_API_KEY, documents: [{ totalPages: 1.5 }] }],
    ['a negative duration', { apiKey: DEMO_API_KEY, documents: [{ pendingMs: -1 }] }],
    ['an unknown outcome', { apiKey: DEMO_API_KEY, documents: [{ outcome: 'lost' }] }],
    ['an id with a slash', { apiKey: DEMO_API_KEY, requestId: 'a/b', documents: [{}] }],
    ['a misspelt field', { apiKey: DEMO_API_KEY, documents: [{ pages: 3 }] }],
    ['a negative visibleAfterMs', { apiKey: DEMO_API_KEY, visibleAfterMs: -1, documents: [{}] }],
  ])('rejects %s with a TypeError', (_label, input) => {
    // @ts-expect-error: deliberately malformed input
    expect(() => createSimulator().createRequest(input)).toThrow(TypeError);
  });

  it('rejects ids that already exist, even in another account', () => {
    const simulator = createSimulator();
    simulator.createRequest({
      apiKey: DEMO_API_KEY,
      requestId: 'r',
      documents: [{ documentId: 'd' }],
    });
    expect(() =>
      simulator.createRequest({ apiKey: SECOND_API_KEY, requestId: 'r', documents: [{}] }),
    ).toThrow(TypeError);
    expect(() =>
      simulator.createRequest({ apiKey: SECOND_API_KEY, documents: [{ documentId: 'd' }] }),
    ).toThrow(TypeError);
    expect(() =>
      simulator.createRequest({
        apiKey: DEMO_API_KEY,
        documents: [{ documentId: 'e' }, { documentId: 'e' }],
      }),
    ).toThrow(TypeError);
  });
});

describe('advance', () => {
  it('throws a TypeError without a manual clock', () => {
    expect(() => createSimulator().advance(1_000)).toThrow(TypeError);
  });
});

describe('stats', () => {
  it('counts requests per route, per id and per status, and resets', async () => {
    const simulator = createSimulator({ demo: true, clock: createManualClock() });
    const doc = DOCUMENTED_EXAMPLE.document_id;
    await simulator.app.fetch(statusRequest(`/api/v1/document-status/${doc}`));
    await simulator.app.fetch(statusRequest(`/v1/document-status/${doc}`, null));
    await simulator.app.fetch(statusRequest('/v1/request-status/missing'));
    await simulator.app.fetch(statusRequest('/v1/elsewhere'));
    simulator.setFault({ kind: 'status', status: 429, times: 1 });
    await simulator.app.fetch(statusRequest(`/v1/document-status/${doc}`));
    await simulator.app.fetch(new Request('http://sim/_sim/stats'));
    expect(simulator.stats()).toEqual({
      total: 5,
      byRoute: { 'document-status': 3, 'request-status': 1 },
      byId: { [doc]: 3, missing: 1 },
      byStatus: { '200': 1, '401': 1, '404': 2, '429': 1 },
    });
    simulator.resetStats();
    expect(simulator.stats()).toEqual({
      total: 0,
      byRoute: { 'document-status': 0, 'request-status': 0 },
      byId: {},
      byStatus: {},
    });
  });

  it('counts an id such as __proto__ like any other', async () => {
    const simulator = createSimulator();
    await simulator.app.fetch(statusRequest('/v1/document-status/__proto__'));
    expect(Object.entries(simulator.stats().byId)).toEqual([['__proto__', 1]]);
  });

  it('hands out snapshots that later requests do not change', async () => {
    const simulator = createSimulator();
    const before = simulator.stats();
    await simulator.app.fetch(statusRequest('/v1/document-status/x'));
    expect(before.total).toBe(0);
  });
});

describe('reset', () => {
  it('forgets requests, faults and stats but keeps the demo data', async () => {
    const simulator = createSimulator({ demo: true, clock: createManualClock() });
    const { documentIds } = simulator.createRequest({ apiKey: DEMO_API_KEY, documents: [{}] });
    simulator.setFault({ kind: 'status', status: 500 });
    simulator.reset();
    expect(simulator.stats().total).toBe(0);
    const gone = await simulator.app.fetch(statusRequest(`/v1/document-status/${documentIds[0]}`));
    expect(gone.status).toBe(404);
    const example = await simulator.app.fetch(
      statusRequest(`/v1/document-status/${DOCUMENTED_EXAMPLE.document_id}`),
    );
    expect(example.status).toBe(200);
  });

  it('replays the same ids after a reset', () => {
    const simulator = createSimulator();
    const input = { apiKey: DEMO_API_KEY, documents: [{}] };
    const first = simulator.createRequest(input);
    simulator.reset();
    expect(simulator.createRequest(input)).toEqual(first);
  });

  it('answers 404, like an unknown id, until visibleAfterMs has passed after submission', async () => {
    const clock = createManualClock();
    const simulator = createSimulator({ clock });
    const { requestId, documentIds } = simulator.createRequest({
      apiKey: DEMO_API_KEY,
      visibleAfterMs: 3_000,
      documents: [{}],
    });
    const read = async (path: string) => {
      const response = await simulator.app.fetch(statusRequest(path, DEMO_API_KEY));
      return { status: response.status, body: await response.json() };
    };
    const unknown = await read('/api/v1/document-status/never-submitted');
    expect(await read(`/api/v1/document-status/${documentIds[0]}`)).toEqual(unknown);
    expect((await read(`/api/v1/request-status/${requestId}`)).status).toBe(404);
    clock.advance(2_999);
    expect((await read(`/api/v1/document-status/${documentIds[0]}`)).status).toBe(404);
    clock.advance(1);
    expect((await read(`/api/v1/document-status/${documentIds[0]}`)).status).toBe(200);
    expect((await read(`/api/v1/request-status/${requestId}`)).status).toBe(200);
  });
});

describe('the Date header', () => {
  it('tells the simulated time, so clients can relate timestamps to their own clock', async () => {
    const clock = createManualClock();
    const simulator = createSimulator({ clock });
    clock.advance(90_000);
    const response = await simulator.app.fetch(statusRequest('/api/v1/document-status/unknown'));
    expect(Date.parse(response.headers.get('date') ?? '')).toBe(
      Math.floor(clock.now() / 1000) * 1000,
    );
  });
});
