import { describe, expect, it } from 'vitest';
import { createManualClock, MANUAL_CLOCK_START } from './create-manual-clock.ts';
import { createSimulator } from './create-simulator.ts';
import { DEMO_API_KEY } from './default-accounts.ts';
import type { SimulatorOptions } from './simulator-options.ts';
import { controlRequest, statusRequest } from './test-support/status-request.ts';

function setUp(options: SimulatorOptions = { clock: createManualClock() }) {
  const simulator = createSimulator(options);
  const control = (method: string, path: string, body?: unknown) =>
    simulator.app.fetch(controlRequest(method, path, body));
  return { simulator, control };
}

describe('POST /_sim/requests', () => {
  it('creates a request for the account of apiKey and returns its ids', async () => {
    const { simulator, control } = setUp();
    const res = await control('POST', '/_sim/requests', {
      apiKey: DEMO_API_KEY,
      documents: [{ fileName: 'x.pdf', pendingMs: 0, processingMs: 100 }],
    });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { request_id: string; document_ids: string[] };
    expect(body.document_ids).toHaveLength(1);
    simulator.advance(101);
    const read = await simulator.app.fetch(
      statusRequest(`/v1/document-status/${body.document_ids[0]}`),
    );
    const status = await read.json();
    expect(status).toMatchObject({
      request_id: body.request_id,
      status: 'completed',
      file_name: 'x.pdf',
    });
  });

  it.each([
    ['not JSON', '{"apiKey": '],
    ['empty', ''],
    ['an array', '[]'],
    ['null', 'null'],
    ['without documents', { apiKey: DEMO_API_KEY }],
    ['with an unknown key', { apiKey: 'nl_whoever', documents: [{}] }],
    ['with bad pages', { apiKey: DEMO_API_KEY, documents: [{ totalPages: 'eight' }] }],
  ])('answers 400 with a detail to a body that is %s', async (_label, body) => {
    const { control } = setUp();
    const res = await control('POST', '/_sim/requests', body);
    expect(res.status).toBe(400);
    const detail = ((await res.json()) as { detail: string }).detail;
    expect(detail).toEqual(expect.any(String));
    expect(detail).not.toContain('nl_');
  });

  it('answers 413 to a huge body', async () => {
    const { control } = setUp();
    const res = await control('POST', '/_sim/requests', 'x'.repeat(2 * 1024 * 1024));
    expect(res.status).toBe(413);
  });
});

describe('the faults routes', () => {
  it('set a fault, remove it by id, and clear them all', async () => {
    const { simulator, control } = setUp();
    const set = await control('POST', '/_sim/faults', { kind: 'status', status: 503, times: 1 });
    expect(set.status).toBe(201);
    const { id } = (await set.json()) as { id: string };
    expect((await simulator.app.fetch(statusRequest('/v1/document-status/x'))).status).toBe(503);
    expect((await control('DELETE', `/_sim/faults/${id}`)).status).toBe(404);

    const again = (await (await control('POST', '/_sim/faults', { kind: 'html' })).json()) as {
      id: string;
    };
    expect((await control('DELETE', `/_sim/faults/${again.id}`)).status).toBe(204);
    await control('POST', '/_sim/faults', { kind: 'html' });
    expect((await control('DELETE', '/_sim/faults')).status).toBe(204);
    expect((await simulator.app.fetch(statusRequest('/v1/document-status/x'))).status).toBe(404);
  });

  it('answer 400 to a malformed fault', async () => {
    const { control } = setUp();
    for (const body of [
      'nope',
      { kind: 'teleport' },
      { kind: 'delay' },
      { kind: 'status', status: '429' },
    ]) {
      const res = await control('POST', '/_sim/faults', body);
      expect(res.status).toBe(400);
      expect(await res.json()).toHaveProperty('detail');
    }
  });
});

describe('the stats routes', () => {
  it('read and reset the counters, which do not count control requests', async () => {
    const { simulator, control } = setUp();
    await simulator.app.fetch(statusRequest('/v1/document-status/x'));
    const stats = await (await control('GET', '/_sim/stats')).json();
    expect(stats).toEqual({
      total: 1,
      byRoute: { 'document-status': 1, 'request-status': 0 },
      byId: { x: 1 },
      byStatus: { '404': 1 },
    });
    expect((await control('DELETE', '/_sim/stats')).status).toBe(204);
    expect(simulator.stats().total).toBe(0);
  });
});

describe('POST /_sim/clock/advance', () => {
  it('advances a manual clock and returns the simulated time', async () => {
    const { control } = setUp();
    const res = await control('POST', '/_sim/clock/advance', { ms: 5_000 });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ now: MANUAL_CLOCK_START + 5_000 });
  });

  it('answers 409 when the clock is not manual', async () => {
    const { control } = setUp({});
    expect((await control('POST', '/_sim/clock/advance', { ms: 5 })).status).toBe(409);
  });

  it('answers 400 to a negative or missing ms', async () => {
    const { control } = setUp();
    expect((await control('POST', '/_sim/clock/advance', { ms: -5 })).status).toBe(400);
    expect((await control('POST', '/_sim/clock/advance', {})).status).toBe(400);
  });
});

describe('POST /_sim/reset', () => {
  it('forgets everything', async () => {
    const { simulator, control } = setUp();
    const { documentIds } = simulator.createRequest({ apiKey: DEMO_API_KEY, documents: [{}] });
    expect((await control('POST', '/_sim/reset')).status).toBe(204);
    expect(
      (await simulator.app.fetch(statusRequest(`/v1/document-status/${documentIds[0]}`))).status,
    ).toBe(404);
  });
});

describe('controlApi: false', () => {
  it('removes the control API', async () => {
    const { control } = setUp({ controlApi: false });
    const res = await control('GET', '/_sim/stats');
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ detail: 'Not Found' });
  });
});
