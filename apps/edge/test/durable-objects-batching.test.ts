// Issue 13, item 3, on Workers: the status objects of a request's documents are fed by the one
// poll loop of the request's object (per tenant), not by a loop each. Real workerd (Miniflare)
// against the simulator over HTTP on 127.0.0.1, behind a recording gateway that counts each
// upstream call by key, route and id (and can leave a document out of a request's list); the
// simulator's clock is manual, workerd's alarms run on real time.

import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RequestStatus } from '@neurostatus/core';
import { ADAPTIVE_INTERVAL_DEFAULTS } from '@neurostatus/poller';
import {
  createManualClock,
  DEFAULT_ACCOUNTS,
  DEMO_API_KEY,
  DEMO_USER_UID,
  type ManualClock,
  SECOND_API_KEY,
} from '@neurostatus/simulator';
import { type RunningSimulator, startSimulator } from '@neurostatus/simulator/node';
import { Miniflare, type MiniflareOptions } from 'miniflare';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createStatusObjects, statusObjectUrl } from '../src/durable/status-object-address.ts';
import type { DurableObjectNamespaceLike } from '../src/durable/workers-platform.ts';
import { mintStatusToken } from '../src/status-token.ts';
import {
  bundleWorker,
  openStream,
  type StreamClient,
  statusObjectsBinding,
} from './workerd-worker.ts';

const SECRET = 'durable-batching-test-secret-0123456789abcdef';
/** A second key of the demo account: it sees the same requests, and is another tenant. */
const SAME_ACCOUNT_KEY = `nl_${'s'.repeat(31)}3`;
/**
 * The shortest gap between two polls of one loop: the default policy's shortest wait, inside the
 * expected completion window (`nearMinIntervalMs`), less its jitter.
 */
const MIN_LOOP_GAP_MS =
  ADAPTIVE_INTERVAL_DEFAULTS.nearMinIntervalMs * (1 - ADAPTIVE_INTERVAL_DEFAULTS.jitter);

/** One upstream call as the gateway saw it. */
interface UpstreamCall {
  readonly key: string;
  readonly route: 'document' | 'request';
  readonly id: string;
}

let simulator: RunningSimulator;
let clock: ManualClock;
let workDir: string;
let gateway: Server;
/** The Worker in workerd, against the gateway; `extra` bindings over passthrough ones. */
let startWorker: (extra?: Record<string, string>) => Miniflare;
let mf: Miniflare;
let origin: string;
const calls: UpstreamCall[] = [];
/** A document the gateway leaves out of every request list, if any. */
let dropped: string | undefined;

/**
 * The gateway in front of the simulator: forwards each status call and records it once the
 * simulator has answered, leaving `dropped` out of request answers.
 */
function startGateway(target: string): Promise<string> {
  gateway = createServer(async (incoming, outgoing) => {
    const url = new URL(incoming.url ?? '/', target);
    const match = /\/(document|request)-status\/([^/]+)$/.exec(url.pathname);
    const authorization = incoming.headers.authorization ?? '';
    const response = await fetch(url, { headers: { authorization } });
    // Recorded once answered: a call counted here was answered with the simulator's state of
    // that moment (a test that changes it after seeing N calls knows what those N said).
    if (match !== null) {
      calls.push({
        key: authorization.replace(/^Bearer /, ''),
        route: match[1] as 'document' | 'request',
        id: decodeURIComponent(match[2]!),
      });
    }
    let body = await response.text();
    if (match?.[1] === 'request' && response.status === 200 && dropped !== undefined) {
      const request = JSON.parse(body) as RequestStatus;
      const documents = request.documents.filter((entry) => entry.document_id !== dropped);
      body = JSON.stringify({ ...request, documents });
    }
    // The simulator's headers as they came (the poller reads `date` for the server's time), less
    // those that describe the body as it was before it was read.
    const headers = Object.fromEntries(
      [...response.headers].filter(
        ([name]) => !['content-length', 'content-encoding', 'transfer-encoding'].includes(name),
      ),
    );
    outgoing.writeHead(response.status, headers);
    outgoing.end(body);
  });
  return new Promise((resolve) => {
    gateway.listen(0, '127.0.0.1', () => {
      resolve(`http://127.0.0.1:${(gateway.address() as AddressInfo).port}`);
    });
  });
}

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'neurostatus-durable-batching-'));
  const script = await bundleWorker(workDir);
  clock = createManualClock(Date.now());
  simulator = await startSimulator({
    clock,
    accounts: [...DEFAULT_ACCOUNTS, { apiKey: SAME_ACCOUNT_KEY, userUid: DEMO_USER_UID }],
  });
  const gatewayOrigin = await startGateway(new URL(simulator.apiBaseUrl).origin);
  startWorker = (extra = {}) =>
    new Miniflare({
      name: 'edge',
      ...script,
      bindings: {
        NEUROLINKER_BASE_URL: `${gatewayOrigin}${new URL(simulator.apiBaseUrl).pathname}`,
        EDGE_MODE: 'passthrough',
        EDGE_SECRET: SECRET,
        EDGE_RATE_LIMIT_PER_SECOND: '0',
        EDGE_HEARTBEAT_SECONDS: '1',
        EDGE_LOG: 'off',
        ...extra,
      },
      durableObjects: statusObjectsBinding(),
      host: '127.0.0.1',
      port: 0,
      cf: false,
    } as MiniflareOptions);
  mf = startWorker();
  origin = (await mf.ready).origin;
}, 30_000);

afterAll(async () => {
  await mf?.dispose();
  await new Promise((resolve) => gateway?.close(resolve));
  await simulator?.close();
  await rm(workDir, { recursive: true, force: true });
});

beforeEach(() => {
  dropped = undefined;
});

/** Upstream calls made with `key` for `id` (a document's or a request's). */
function callsWith(key: string, id: string): number {
  return calls.filter((call) => call.key === key && call.id === id).length;
}

/** Documents of `apiKey`'s account, `processing` now (inside their expected completion window). */
function processingRequest(
  apiKey: string,
  outcomes: ReadonlyArray<'completed' | 'failed'>,
): { requestId: string; documentIds: string[] } {
  const created = simulator.simulator.createRequest({
    apiKey,
    documents: outcomes.map((outcome) => ({
      totalPages: 1,
      pendingMs: 0,
      processingMs: 50_000,
      outcome,
    })),
  });
  clock.set(clock.now() + 20_000);
  return { requestId: created.requestId, documentIds: [...created.documentIds] };
}

function complete(): void {
  clock.set(clock.now() + 60_000);
}

/** Waits (real time: workerd's alarms are real) until `check` holds, polling every 50 ms. */
async function eventually(check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for a condition; calls: ${JSON.stringify(calls)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function streams(
  ids: readonly string[],
  key: string,
  at: string = origin,
): Promise<StreamClient[]> {
  return Promise.all(
    ids.map((id) =>
      openStream(fetch, `${at}/api/v1/document-status/${id}/events`, {
        authorization: `Bearer ${key}`,
      }),
    ),
  );
}

/** Each stream's events and statuses, once it has ended. */
async function finals(clients: readonly StreamClient[]): Promise<string[][]> {
  await Promise.all(clients.map((client) => client.done));
  return clients.map((client) =>
    client.events.map((event) =>
      event.event === 'status'
        ? (JSON.parse(event.data) as { status: string }).status
        : event.event,
    ),
  );
}

/** Asks a document's status object directly, as the Worker does on a miss: its `status`. */
async function askObject(id: string, key: string): Promise<string> {
  const namespace = (await mf.getDurableObjectNamespace(
    'STATUS_OBJECTS',
  )) as unknown as DurableObjectNamespaceLike;
  const objectFor = await createStatusObjects({ namespace, mode: 'passthrough', secret: SECRET });
  const authorization = `Bearer ${key}`;
  const stub = await objectFor({ kind: 'document', id }, authorization);
  const response = await stub.fetch(statusObjectUrl({ kind: 'document', id }, 'status'), {
    headers: { authorization },
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { status: string }).status;
}

describe('document streams of one request on Workers', () => {
  it("are fed by the request object's one loop: no document polls after each document's first answer", async () => {
    const { requestId, documentIds } = processingRequest(DEMO_API_KEY, [
      'completed',
      'completed',
      'failed',
      'completed',
    ]);
    const started = performance.now();
    const clients = await streams(documentIds, DEMO_API_KEY);
    await Promise.all(clients.map((client) => client.until(1)));
    // A few request polls while every document is still processing.
    const before = callsWith(DEMO_API_KEY, requestId);
    await eventually(() => callsWith(DEMO_API_KEY, requestId) >= before + 2);
    complete();
    const events = await finals(clients);
    const elapsedMs = performance.now() - started;

    expect(events).toEqual([
      ['processing', 'completed', 'end'],
      ['processing', 'completed', 'end'],
      ['processing', 'failed', 'end'],
      ['processing', 'completed', 'end'],
    ]);
    for (const id of documentIds) expect(callsWith(DEMO_API_KEY, id)).toBe(1);
    // What the request's polls brought is each document's object's own answer now, in its
    // storage: asked directly (as the Worker asks on a miss), each answers with no upstream call.
    const answers = await Promise.all(documentIds.map((id) => askObject(id, DEMO_API_KEY)));
    expect(answers).toEqual(['completed', 'completed', 'failed', 'completed']);
    for (const id of documentIds) expect(callsWith(DEMO_API_KEY, id)).toBe(1);
    // One request loop for all four: its first poll, then at most one per poll interval.
    const requestCalls = callsWith(DEMO_API_KEY, requestId);
    expect(requestCalls).toBeGreaterThanOrEqual(3);
    expect(requestCalls).toBeLessThanOrEqual(1 + Math.floor(elapsedMs / MIN_LOOP_GAP_MS));
  }, 60_000);

  it("polls a document the request's list leaves out on its own, and the others through the request", async () => {
    const { requestId, documentIds } = processingRequest(DEMO_API_KEY, [
      'completed',
      'completed',
      'completed',
    ]);
    const [first, second, left] = documentIds as [string, string, string];
    dropped = left;
    const clients = await streams(documentIds, DEMO_API_KEY);
    await Promise.all(clients.map((client) => client.until(1)));
    await eventually(
      () => callsWith(DEMO_API_KEY, left) >= 3 && callsWith(DEMO_API_KEY, requestId) >= 2,
    );
    complete();
    const events = await finals(clients);

    expect(events).toEqual(Array(3).fill(['processing', 'completed', 'end']));
    expect(callsWith(DEMO_API_KEY, first)).toBe(1);
    expect(callsWith(DEMO_API_KEY, second)).toBe(1);
    expect(callsWith(DEMO_API_KEY, left)).toBeGreaterThanOrEqual(4);
  }, 60_000);

  it("never batches two keys' documents together: each tenant's request is polled with its own key", async () => {
    const shared = processingRequest(DEMO_API_KEY, ['completed', 'completed']);
    const other = processingRequest(SECOND_API_KEY, ['completed', 'completed']);
    const start = calls.length;
    const clients = [
      ...(await streams(shared.documentIds, DEMO_API_KEY)),
      ...(await streams(shared.documentIds, SAME_ACCOUNT_KEY)),
      ...(await streams(other.documentIds, SECOND_API_KEY)),
    ];
    await Promise.all(clients.map((client) => client.until(1)));
    const polled = () =>
      [DEMO_API_KEY, SAME_ACCOUNT_KEY].every((key) => callsWith(key, shared.requestId) >= 2) &&
      callsWith(SECOND_API_KEY, other.requestId) >= 2;
    await eventually(polled);
    complete();
    const events = await finals(clients);

    expect(events).toEqual(Array(6).fill(['processing', 'completed', 'end']));
    // Two keys of one account are two tenants: two document objects each, two request loops.
    for (const key of [DEMO_API_KEY, SAME_ACCOUNT_KEY]) {
      for (const id of shared.documentIds) expect(callsWith(key, id)).toBe(1);
    }
    for (const id of other.documentIds) expect(callsWith(SECOND_API_KEY, id)).toBe(1);
    // No call ever asked for one tenant's ids with another account's key.
    const made = calls.slice(start);
    const sharedIds = new Set([shared.requestId, ...shared.documentIds]);
    expect(made.filter((call) => sharedIds.has(call.id) && call.key === SECOND_API_KEY)).toEqual(
      [],
    );
    expect(made.filter((call) => !sharedIds.has(call.id) && call.key !== SECOND_API_KEY)).toEqual(
      [],
    );
    expect(simulator.simulator.stats().byStatus['404']).toBeUndefined();
  }, 60_000);
});

describe('document streams of one request on Workers in scoped-token mode', () => {
  it("are fed by the request object of the proxy's own key, for token holders too", async () => {
    const scoped = startWorker({ EDGE_MODE: 'scoped-token', NEUROLINKER_API_KEY: DEMO_API_KEY });
    try {
      const at = (await scoped.ready).origin;
      const { requestId, documentIds } = processingRequest(DEMO_API_KEY, ['completed', 'failed']);
      const token = await mintStatusToken({ secret: SECRET, documentIds });
      const clients = await streams(documentIds, token, at);
      await Promise.all(clients.map((client) => client.until(1)));
      complete();
      const events = await finals(clients);

      expect(events).toEqual([
        ['processing', 'completed', 'end'],
        ['processing', 'failed', 'end'],
      ]);
      for (const id of documentIds) expect(callsWith(DEMO_API_KEY, id)).toBe(1);
      expect(callsWith(DEMO_API_KEY, requestId)).toBeGreaterThanOrEqual(1);
      // The token never reaches Neurolinker: every call carried the proxy's key.
      expect(calls.every((call) => call.key !== token)).toBe(true);
    } finally {
      await scoped.dispose();
    }
  }, 60_000);
});
