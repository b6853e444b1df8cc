import { afterEach, describe, expect, it } from 'vitest';
import { createManualClock } from './create-manual-clock.ts';
import { DEMO_API_KEY } from './default-accounts.ts';
import { DOCUMENTED_EXAMPLE } from './documented-example.ts';
import { type RunningSimulator, type StartSimulatorOptions, startSimulator } from './node.ts';

const headers = { authorization: `Bearer ${DEMO_API_KEY}` };
const example = `/document-status/${DOCUMENTED_EXAMPLE.document_id}`;
let running: RunningSimulator | undefined;

async function start(options: StartSimulatorOptions = {}): Promise<RunningSimulator> {
  running = await startSimulator({ demo: true, clock: createManualClock(), ...options });
  return running;
}

afterEach(async () => {
  await running?.close();
  running = undefined;
});

describe('startSimulator', () => {
  it('listens on an ephemeral port of 127.0.0.1 and serves the API over HTTP', async () => {
    const { url, apiBaseUrl } = await start();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(apiBaseUrl).toBe(`${url}/api/v1`);
    const res = await fetch(`${apiBaseUrl}${example}`, { headers });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(await res.json()).toEqual(DOCUMENTED_EXAMPLE);
    const short = await fetch(`${url}/v1${example}`, { headers });
    expect(short.status).toBe(200);
    await short.body?.cancel();
  });

  it('rejects a bad port with a TypeError', async () => {
    await expect(startSimulator({ port: 70_000 })).rejects.toThrow(TypeError);
  });

  it('rejects when the port is taken', async () => {
    const first = await start();
    const port = Number(new URL(first.url).port);
    await expect(startSimulator({ port })).rejects.toThrow(/EADDRINUSE/);
  });

  it('closes promptly although a keep-alive connection is open', async () => {
    const { apiBaseUrl, close } = await start();
    await (await fetch(`${apiBaseUrl}${example}`, { headers })).text();
    const started = performance.now();
    await close();
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('closes promptly while a hanging request is in flight, failing that request', async () => {
    const { apiBaseUrl, simulator, close } = await start();
    simulator.setFault({ kind: 'hang' });
    const hanging = fetch(`${apiBaseUrl}${example}`, { headers }).then(
      (res) => res.status,
      (error: unknown) => error,
    );
    await waitFor(() => simulator.stats().total === 1);
    await close();
    const outcome = await hanging;
    expect(outcome === 503 || outcome instanceof TypeError).toBe(true);
  });

  it('lets a client abort a hanging request', async () => {
    const { apiBaseUrl, simulator } = await start();
    simulator.setFault({ kind: 'hang', times: 1 });
    const controller = new AbortController();
    const hanging = fetch(`${apiBaseUrl}${example}`, { headers, signal: controller.signal });
    await waitFor(() => simulator.stats().total === 1);
    controller.abort();
    await expect(hanging).rejects.toThrow(/abort/i);
    expect((await fetch(`${apiBaseUrl}${example}`, { headers })).status).toBe(200);
  });

  it('drops the connection so fetch fails with a network error', async () => {
    const { apiBaseUrl, simulator } = await start();
    simulator.setFault({ kind: 'drop', times: 1 });
    const error = await fetch(`${apiBaseUrl}${example}`, { headers }).then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(TypeError);
    expect((error as TypeError).message).toBe('fetch failed');
    const after = await fetch(`${apiBaseUrl}${example}`, { headers });
    expect(after.status).toBe(200);
    expect(simulator.stats()).toMatchObject({ total: 2, byStatus: { '200': 1 } });
  });

  it('delays a response through the injected sleep', async () => {
    let wake: () => void = () => {};
    const sleep = (ms: number) => {
      expect(ms).toBe(30_000);
      return new Promise<void>((resolve) => {
        wake = resolve;
      });
    };
    const { apiBaseUrl, simulator } = await start({ sleep });
    simulator.setFault({ kind: 'delay', ms: 30_000, times: 1 });
    let answered = false;
    const delayed = fetch(`${apiBaseUrl}${example}`, { headers }).then((res) => {
      answered = true;
      return res;
    });
    await waitFor(() => simulator.stats().total === 1);
    expect(answered).toBe(false);
    wake();
    const res = await delayed;
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(DOCUMENTED_EXAMPLE);
  });

  it('serves the control API over HTTP', async () => {
    const { url, apiBaseUrl } = await start();
    const created = await fetch(`${url}/_sim/requests`, {
      method: 'POST',
      body: JSON.stringify({ apiKey: DEMO_API_KEY, documents: [{}] }),
    });
    expect(created.status).toBe(201);
    const { request_id } = (await created.json()) as { request_id: string };
    const res = await fetch(`${apiBaseUrl}/request-status/${request_id}`, { headers });
    expect(await res.json()).toMatchObject({ status: 'processing', total: 1 });
  });
});

/** Polls a condition on the event loop (no fixed sleeps): the server runs in this process. */
async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 1_000 && !condition(); i++) {
    await new Promise((resolve) => setImmediate(resolve));
  }
  expect(condition()).toBe(true);
}
