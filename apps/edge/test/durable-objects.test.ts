// The status Durable Objects on workerd (Miniflare: the real runtime, no mock of the platform),
// against the simulator over HTTP on 127.0.0.1 with a manual clock: the test decides when a
// document changes, workerd's real alarms decide when the object polls.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ADAPTIVE_INTERVAL_DEFAULTS } from '@neurostatus/poller';
import {
  createManualClock,
  DEMO_API_KEY,
  type ManualClock,
  SECOND_API_KEY,
} from '@neurostatus/simulator';
import { type RunningSimulator, startSimulator } from '@neurostatus/simulator/node';
import { Miniflare, type MiniflareOptions, type WorkerOptions } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStatusObjects, statusObjectUrl } from '../src/durable/status-object-address.ts';
import type { DurableObjectNamespaceLike } from '../src/durable/workers-platform.ts';
import { FAILURE_EVENT } from '../src/event-stream.ts';
import { mintStatusToken } from '../src/status-token.ts';
import {
  bundleWorker,
  openStream,
  type StreamClient,
  statusObjectsBinding,
  type WorkerScript,
} from './workerd-worker.ts';

const SECRET = 'durable-objects-test-secret-0123456789abcdef';
const AUTH = { authorization: `Bearer ${DEMO_API_KEY}` };
const SECOND_AUTH = { authorization: `Bearer ${SECOND_API_KEY}` };
/**
 * The shortest gap between two polls of one loop: the default policy's shortest wait, inside the
 * expected completion window (`nearMinIntervalMs`), less its jitter.
 */
const MIN_LOOP_GAP_MS =
  ADAPTIVE_INTERVAL_DEFAULTS.nearMinIntervalMs * (1 - ADAPTIVE_INTERVAL_DEFAULTS.jitter);

let simulator: RunningSimulator;
let clock: ManualClock;
let script: WorkerScript;
let workDir: string;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'neurostatus-durable-'));
  script = await bundleWorker(workDir);
  clock = createManualClock(Date.now());
  simulator = await startSimulator({ clock });
}, 30_000);

afterAll(async () => {
  await simulator?.close();
  await rm(workDir, { recursive: true, force: true });
});

/** The Worker's bindings: passthrough tenancy against the simulator, no client rate limit. */
function bindings(extra: Record<string, string> = {}): Record<string, string> {
  return {
    NEUROLINKER_BASE_URL: simulator.apiBaseUrl,
    EDGE_MODE: 'passthrough',
    EDGE_SECRET: SECRET,
    EDGE_RATE_LIMIT_PER_SECOND: '0',
    // A departed client is noticed at the next heartbeat (a write); 1 s keeps the tests short.
    EDGE_HEARTBEAT_SECONDS: '1',
    EDGE_LOG: 'off',
    ...extra,
  };
}

function worker(name: string, extra: Partial<WorkerOptions> = {}): WorkerOptions {
  return {
    name,
    ...script,
    bindings: bindings(),
    durableObjects: statusObjectsBinding(),
    ...extra,
  } as WorkerOptions;
}

function options(extra: Partial<WorkerOptions> = {}, shared: Partial<MiniflareOptions> = {}) {
  return {
    ...worker('edge', extra),
    host: '127.0.0.1',
    port: 0,
    cf: false,
    ...shared,
  } as MiniflareOptions;
}

/**
 * A document of the demo account that is `processing` now and completes when the test moves the
 * simulator's clock by a minute. Its clock is moved 20 s in first: into the window in which the
 * poller expects one page to finish, where it polls every 1.6 s.
 */
function processingDocument(): string {
  const { requestId, documentIds } = simulator.simulator.createRequest({
    apiKey: DEMO_API_KEY,
    documents: [{ totalPages: 1, pendingMs: 0, processingMs: 50_000 }],
  });
  clock.set(clock.now() + 20_000);
  requestOf.set(documentIds[0]!, requestId);
  return documentIds[0]!;
}

/** The request of each document `processingDocument` made. */
const requestOf = new Map<string, string>();

/**
 * The upstream calls of a document's loop: its own polls, and its request's polls, which feed it
 * once its first answer has named the request (one request loop for all of a request's documents).
 */
function loopCallsFor(id: string): number {
  return callsFor(id) + callsFor(requestOf.get(id)!);
}

function complete(): void {
  clock.set(clock.now() + 60_000);
}

function callsFor(id: string): number {
  return simulator.simulator.stats().byId[id] ?? 0;
}

const documentPath = (id: string) => `/api/v1/document-status/${id}`;

/** Waits (real time: workerd's alarms are real) until `check` holds, polling every 50 ms. */
async function eventually(check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for a condition');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function statusOf(event: { data: string }): string {
  return (JSON.parse(event.data) as { status: string }).status;
}

/** A document of the demo account that completes within a second of simulated time; completed. */
function finishedDocument(): string {
  const { documentIds } = simulator.simulator.createRequest({
    apiKey: DEMO_API_KEY,
    documents: [{ totalPages: 1, pendingMs: 0, processingMs: 1_000 }],
  });
  complete();
  return documentIds[0]!;
}

/** Asks a document's status object directly (as the Worker does): its HTTP status and `status`. */
async function askObject(mf: Miniflare, id: string): Promise<{ status: number; body: string }> {
  const namespace = (await mf.getDurableObjectNamespace(
    'STATUS_OBJECTS',
  )) as unknown as DurableObjectNamespaceLike;
  const objectFor = await createStatusObjects({ namespace, mode: 'passthrough', secret: SECRET });
  const stub = await objectFor({ kind: 'document', id }, AUTH.authorization);
  const response = await stub.fetch(statusObjectUrl({ kind: 'document', id }, 'status'), {
    headers: AUTH,
  });
  return { status: response.status, body: statusOf({ data: await response.text() }) };
}

async function start(mfOptions: MiniflareOptions): Promise<{ mf: Miniflare; origin: string }> {
  const mf = new Miniflare(mfOptions);
  return { mf, origin: (await mf.ready).origin };
}

describe('status objects in workerd', () => {
  let mf: Miniflare;
  let origin: string;
  beforeAll(async () => {
    ({ mf, origin } = await start(options()));
  }, 30_000);
  afterAll(async () => {
    await mf?.dispose();
  });

  const stream = (id: string, headers: Record<string, string> = AUTH) =>
    openStream(fetch, `${origin}${documentPath(id)}/events`, headers);

  it('feeds 200 event streams of one processing document from one poll loop: every change once, then end', async () => {
    const id = processingDocument();
    const started = performance.now();
    const clients = await Promise.all(Array.from({ length: 200 }, () => stream(id)));
    await Promise.all(clients.map((client) => client.until(1)));
    complete();
    await Promise.all(clients.map((client) => client.done));
    const elapsedMs = performance.now() - started;
    const calls = loopCallsFor(id);

    for (const client of clients) {
      expect(client.status).toBe(200);
      expect(client.events.map((event) => event.event)).toEqual(['status', 'status', 'end']);
      expect(client.events.slice(0, 2).map(statusOf)).toEqual(['processing', 'completed']);
    }
    // The calls of one loop: the document's first poll, which names its request, the request's
    // first poll (at once), then at most one per poll interval.
    expect(calls).toBeGreaterThanOrEqual(2);
    expect(callsFor(id)).toBe(1);
    expect(calls).toBeLessThanOrEqual(2 + Math.floor(elapsedMs / MIN_LOOP_GAP_MS));
  }, 60_000);

  it('answers upstream errors as every runtime does: 401 to a GET, a failure event to a stream', async () => {
    const id = processingDocument();
    const refused = { authorization: `Bearer nl_${'x'.repeat(32)}` };
    const response = await fetch(`${origin}${documentPath(id)}`, { headers: refused });
    const client = await stream(id, refused);
    await client.done;

    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: { code: 'UPSTREAM_UNAUTHORIZED' } });
    expect(client.events.map((event) => event.event)).toEqual([FAILURE_EVENT]);
    expect(JSON.parse(client.events[0]!.data)).toMatchObject({
      error: { code: 'UPSTREAM_UNAUTHORIZED' },
    });
  }, 30_000);

  it('answers a reconnect to an id its object did not find 404 from the cache, with no new call', async () => {
    const unknown = '00000000-0000-4000-8000-00000000d404';
    const first = await stream(unknown);
    await first.done;
    const calls = callsFor(unknown);
    const again = await fetch(`${origin}${documentPath(unknown)}/events`, { headers: AUTH });

    expect(first.events.map((event) => event.event)).toEqual([FAILURE_EVENT]);
    expect(JSON.parse(first.events[0]!.data)).toMatchObject({ error: { code: 'NOT_FOUND' } });
    expect(again.status).toBe(404);
    expect(await again.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
    expect(callsFor(unknown)).toBe(calls);
  }, 30_000);

  it("streams a request's status through its object until the request finishes", async () => {
    const { requestId } = simulator.simulator.createRequest({
      apiKey: DEMO_API_KEY,
      documents: [{ totalPages: 1, pendingMs: 0, processingMs: 50_000 }],
    });
    clock.set(clock.now() + 20_000);
    const client = await openStream(
      fetch,
      `${origin}/api/v1/request-status/${requestId}/events`,
      AUTH,
    );
    await client.until(1);
    complete();
    await client.done;

    expect(client.events.map((event) => event.event)).toEqual(['status', 'status', 'end']);
    expect(client.events.slice(0, 2).map(statusOf)).toEqual(['processing', 'completed']);
  }, 30_000);

  it("stores the documents a request stream's statuses list, so a GET of each is a hit", async () => {
    const { requestId, documentIds } = simulator.simulator.createRequest({
      apiKey: DEMO_API_KEY,
      documents: [
        { totalPages: 1, pendingMs: 0, processingMs: 50_000 },
        { totalPages: 1, pendingMs: 0, processingMs: 50_000, outcome: 'failed' },
      ],
    });
    clock.set(clock.now() + 20_000);
    const client = await openStream(
      fetch,
      `${origin}/api/v1/request-status/${requestId}/events`,
      AUTH,
    );
    await client.until(1);
    complete();
    await client.done;

    const statuses = [];
    for (const id of documentIds) {
      const response = await fetch(`${origin}${documentPath(id)}`, { headers: AUTH });
      expect(response.headers.get('cache-status')).toMatch(/; hit/);
      statuses.push(statusOf({ data: await response.text() }));
      expect(callsFor(id)).toBe(0);
    }
    expect(statuses).toEqual(['completed', 'failed']);
  }, 30_000);

  it('stops polling once the last stream has left', async () => {
    const id = processingDocument();
    const clients = [await stream(id), await stream(id)];
    await Promise.all(clients.map((client) => client.until(1)));
    for (const client of clients) client.close();
    await Promise.all(clients.map((client) => client.done));
    // The Worker notices at its next heartbeat (1 s here) and detaches; the document's object
    // notices at the next heartbeat its request's object sends (before each poll, <= 1.76 s) and
    // detaches from it; the request's object notices at its next poll (<= 1.76 s), whose call may
    // still land. workerd's alarms run on real time, so the absence of calls after that is shown
    // by waiting: longer than two calls of a running loop.
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    const calls = loopCallsFor(id);
    await new Promise((resolve) => setTimeout(resolve, 5_000));

    expect(loopCallsFor(id)).toBe(calls);
  }, 30_000);

  it('holds off one object after a 429 for the hinted time while another keeps polling', async () => {
    const held = processingDocument();
    const other = processingDocument();
    const clients = [await stream(held), await stream(other)];
    await Promise.all(clients.map((client) => client.until(1)));
    const seen = { held: [] as number[], other: [] as number[] };
    let rateLimitedAt: number | undefined;
    // Past their first answers, the loops poll the documents' requests.
    const loops = { held: requestOf.get(held)!, other: requestOf.get(other)! };
    simulator.simulator.setFault({
      route: 'request-status',
      id: loops.held,
      kind: 'status',
      status: 429,
      retryAfter: '4',
      times: 1,
    });
    const counts = { held: loopCallsFor(held), other: loopCallsFor(other) };
    await eventually(() => {
      const now = performance.now();
      for (const [name, id] of [
        ['held', held],
        ['other', other],
      ] as const) {
        const calls = loopCallsFor(id);
        if (calls > counts[name]) seen[name].push(now);
        counts[name] = calls;
      }
      rateLimitedAt ??= simulator.simulator.stats().byStatus['429'] === undefined ? undefined : now;
      return rateLimitedAt !== undefined && seen.held.some((at) => at > rateLimitedAt! + 100);
    }, 20_000);
    for (const client of clients) client.close();

    const retriedAt = seen.held.find((at) => at > rateLimitedAt! + 100)!;
    // Not asked again before the hinted 4 s (less the 50 ms this test samples at)...
    expect(retriedAt - rateLimitedAt!).toBeGreaterThanOrEqual(4_000 - 100);
    // ...while the other document's loop went on being polled meanwhile.
    expect(loops.held).not.toBe(loops.other);
    expect(
      seen.other.filter((at) => at > rateLimitedAt! && at < retriedAt).length,
    ).toBeGreaterThanOrEqual(1);
    // The 429 reached no stream: it is the loop's business.
    expect(
      clients.every((client) => client.events.every((event) => event.event === 'status')),
    ).toBe(true);
  }, 60_000);

  it('gives two tenants asking for the same document id two objects', async () => {
    const id = processingDocument();
    const owner = await fetch(`${origin}${documentPath(id)}`, { headers: AUTH });
    const stranger = await fetch(`${origin}${documentPath(id)}`, { headers: SECOND_AUTH });
    const namespace = (await mf.getDurableObjectNamespace(
      'STATUS_OBJECTS',
    )) as unknown as DurableObjectNamespaceLike;
    const names: string[] = [];
    const objectFor = await createStatusObjects({
      namespace: {
        idFromName: (name) => {
          names.push(name);
          return namespace.idFromName(name);
        },
        get: (objectId) => namespace.get(objectId),
      },
      mode: 'passthrough',
      secret: SECRET,
    });
    for (const authorization of [AUTH.authorization, SECOND_AUTH.authorization]) {
      await objectFor({ kind: 'document', id }, authorization);
    }

    expect(owner.status).toBe(200);
    // Within the owner's freshness window: one shared object would have answered its 200.
    expect(stranger.status).toBe(404);
    expect(callsFor(id)).toBe(2);
    expect(names[0]).not.toBe(names[1]);
    expect(names.join()).not.toContain(DEMO_API_KEY);
  }, 30_000);
});

describe('a status object reading an answer over EDGE_UPSTREAM_MAX_BYTES', () => {
  // Found by audit: the object reported it as no answer (502 UPSTREAM_UNAVAILABLE), where every
  // other runtime says what it is: an invalid answer.
  it('answers 502 UPSTREAM_INVALID_RESPONSE, as every runtime does', async () => {
    const { mf, origin } = await start(
      options({ bindings: bindings({ EDGE_UPSTREAM_MAX_BYTES: '1024' }) }),
    );
    try {
      const { requestId } = simulator.simulator.createRequest({
        apiKey: DEMO_API_KEY,
        documents: Array.from({ length: 10 }, () => ({
          totalPages: 4,
          pendingMs: 0,
          processingMs: 1_000,
        })),
      });
      complete();
      const response = await fetch(`${origin}/api/v1/request-status/${requestId}`, {
        headers: AUTH,
      });
      expect(response.status).toBe(502);
      expect(await response.json()).toMatchObject({ error: { code: 'UPSTREAM_INVALID_RESPONSE' } });
    } finally {
      await mf.dispose();
    }
  }, 30_000);
});

describe('status objects in scoped-token mode', () => {
  it("serve token holders through the proxy's own key, and refuse ids a token does not name", async () => {
    const { mf, origin } = await start(
      options({
        bindings: bindings({
          EDGE_MODE: 'scoped-token',
          NEUROLINKER_API_KEY: DEMO_API_KEY,
        }),
      }),
    );
    try {
      const id = finishedDocument();
      const other = finishedDocument();
      const token = await mintStatusToken({ secret: SECRET, documentIds: [id] });
      const bearer = { authorization: `Bearer ${token}` };
      const read = await fetch(`${origin}${documentPath(id)}`, { headers: bearer });
      const events = await openStream(
        fetch,
        `${origin}${documentPath(id)}/events?access_token=${encodeURIComponent(token)}`,
        {},
      );
      await events.done;
      const refused = await fetch(`${origin}${documentPath(other)}`, { headers: bearer });

      expect(read.status).toBe(200);
      expect(statusOf({ data: await read.text() })).toBe('completed');
      expect(events.events.map((event) => event.event)).toEqual(['status', 'end']);
      expect(refused.status).toBe(403);
      expect(await refused.json()).toMatchObject({ error: { code: 'FORBIDDEN' } });
      expect(callsFor(other)).toBe(0);
    } finally {
      await mf.dispose();
    }
  }, 30_000);
});

describe('status objects across two isolates', () => {
  /** Two Workers (two isolates) of the same script; the second binds the first one's objects. */
  const twoIsolates = (extra: Record<string, string>) =>
    ({
      workers: [
        worker('edge-a', { bindings: bindings(extra) }),
        worker('edge-b', {
          bindings: bindings(extra),
          durableObjects: statusObjectsBinding('edge-a'),
        }),
      ],
      host: '127.0.0.1',
      port: 0,
      cf: false,
    }) as MiniflareOptions;

  async function concurrentGets(
    extra: Record<string, string>,
  ): Promise<{ calls: number; ok: boolean }> {
    const { mf } = await start(twoIsolates(extra));
    try {
      const id = processingDocument();
      // Miniflare's Fetcher type is workerd's; its `fetch` is the Fetch API's.
      type Fetcher = { fetch(url: string, init: RequestInit): Promise<Response> };
      const isolates = [
        (await mf.getWorker('edge-a')) as unknown as Fetcher,
        (await mf.getWorker('edge-b')) as unknown as Fetcher,
      ];
      const url = `http://edge.test${documentPath(id)}`;
      // Each body is read as its response arrives: workerd cancels the oldest of many unread
      // responses to avoid a deadlock, and a cancelled one cannot be read ("Body is unusable").
      const statuses = await Promise.all(
        Array.from({ length: 1_000 }, async (_, index) => {
          const response = await isolates[index % 2]!.fetch(url, { headers: AUTH });
          await response.arrayBuffer();
          return response.status;
        }),
      );
      return { calls: callsFor(id), ok: statuses.every((status) => status === 200) };
    } finally {
      await mf.dispose();
    }
  }

  it('answers 1,000 GETs split over two isolates with one upstream call (two without objects)', async () => {
    // A freshness window longer than the burst: the claim is one call per window.
    const withObjects = await concurrentGets({ EDGE_ACTIVE_TTL_SECONDS: '60' });
    const without = await concurrentGets({
      EDGE_ACTIVE_TTL_SECONDS: '60',
      EDGE_DURABLE_OBJECTS: 'false',
    });

    expect(withObjects).toEqual({ calls: 1, ok: true });
    expect(without).toEqual({ calls: 2, ok: true });
  }, 60_000);
});

describe('the Worker with status objects turned off', () => {
  it('polls once per event stream, as it did before the objects', async () => {
    const { mf, origin } = await start(
      options({ bindings: bindings({ EDGE_DURABLE_OBJECTS: 'false' }) }),
    );
    try {
      const id = processingDocument();
      const clients = await Promise.all(
        Array.from({ length: 10 }, () =>
          openStream(fetch, `${origin}${documentPath(id)}/events`, AUTH),
        ),
      );
      await Promise.all(clients.map((client) => client.until(1)));
      for (const client of clients) client.close();

      expect(callsFor(id)).toBeGreaterThanOrEqual(10);
    } finally {
      await mf.dispose();
    }
  }, 30_000);

  it('refuses an EDGE_DURABLE_OBJECTS that is not true or false', async () => {
    const { mf, origin } = await start(
      options({ bindings: bindings({ EDGE_DURABLE_OBJECTS: 'maybe' }) }),
    );
    try {
      const response = await fetch(`${origin}/healthz`);

      expect(response.status).toBe(500);
      expect(await response.json()).toEqual({
        error: {
          code: 'INVALID_CONFIG',
          message: 'Invalid configuration: EDGE_DURABLE_OBJECTS must be true or false.',
        },
      });
    } finally {
      await mf.dispose();
    }
  }, 30_000);
});

describe('a status object restarted mid-watch', () => {
  let persistDir: string;
  beforeAll(async () => {
    persistDir = await mkdtemp(join(tmpdir(), 'neurostatus-durable-persist-'));
  });
  afterAll(async () => {
    await rm(persistDir, { recursive: true, force: true });
  });

  it('resumes streams with Last-Event-ID without repeats, and keeps the last status in storage', async () => {
    const mfOptions = options({}, { durableObjectsPersist: persistDir });
    const { mf } = await start(mfOptions);
    try {
      const id = processingDocument();
      const origin = () => mf.ready.then((url) => url.origin);
      const first = await openStream(fetch, `${await origin()}${documentPath(id)}/events`, AUTH);
      await first.until(1);
      const lastId = first.events[0]!.id!;

      await mf.setOptions(mfOptions); // workerd restarts: every object and connection goes
      expect(await first.done).toMatch(/closed|broken/);
      expect(first.events.map((event) => event.event)).toEqual(['status']);
      const resumed: StreamClient = await openStream(
        fetch,
        `${await origin()}${documentPath(id)}/events`,
        { ...AUTH, 'last-event-id': lastId },
      );
      // The restarted object's loop polls (processing again): nothing new, so nothing is sent.
      const callsBefore = loopCallsFor(id);
      await eventually(() => loopCallsFor(id) > callsBefore);
      complete();
      await resumed.done;

      expect(resumed.events.map((event) => event.event)).toEqual(['status', 'end']);
      expect(statusOf(resumed.events[0]!)).toBe('completed');
      expect(resumed.events.some((event) => event.id === lastId)).toBe(false);

      // Restarted again, with the upstream failing: the object answers from its storage.
      await mf.setOptions(mfOptions);
      simulator.simulator.setFault({ route: 'document-status', id, kind: 'status', status: 503 });
      const callsAfterEnd = callsFor(id);

      expect(await askObject(mf, id)).toEqual({ status: 200, body: 'completed' });
      expect(callsFor(id)).toBe(callsAfterEnd);
    } finally {
      simulator.simulator.clearFaults();
      await mf.dispose();
    }
  }, 60_000);

  // Found by audit: a SQLite-backed object refuses a value over 2 MB, and the whole answer was
  // stored as one: every read that called upstream for a large request got a 502.
  it('keeps a request status of several MB (over the 2 MB a stored value may hold) across a restart', async () => {
    const mfOptions = options({}, { durableObjectsPersist: persistDir });
    const { mf } = await start(mfOptions);
    try {
      const { requestId } = simulator.simulator.createRequest({
        apiKey: DEMO_API_KEY,
        documents: Array.from({ length: 1_000 }, () => ({
          totalPages: 40,
          pendingMs: 0,
          processingMs: 1_000,
        })),
      });
      complete();
      const path = `/api/v1/request-status/${requestId}`;
      const read = async () => {
        const response = await fetch(`${(await mf.ready).origin}${path}`, { headers: AUTH });
        return { status: response.status, body: await response.text() };
      };
      const first = await read();
      expect(first.status).toBe(200);
      expect(first.body.length).toBeGreaterThan(3 * 1024 * 1024);

      // Restarted, with the upstream failing: the object answers from its storage, whole.
      await mf.setOptions(mfOptions);
      simulator.simulator.setFault({
        route: 'request-status',
        id: requestId,
        kind: 'status',
        status: 503,
      });
      const callsBefore = callsFor(requestId);
      const second = await read();
      expect(second.status).toBe(200);
      expect(second.body).toBe(first.body);
      expect(callsFor(requestId)).toBe(callsBefore);
    } finally {
      simulator.simulator.clearFaults();
      await mf.dispose();
    }
  }, 60_000);

  it('forgets its answer once past the stale window, so storage does not grow forever', async () => {
    const { mf } = await start(
      options({
        bindings: bindings({ EDGE_TERMINAL_TTL_SECONDS: '1', EDGE_STALE_SECONDS: '0' }),
      }),
    );
    try {
      const id = finishedDocument();
      expect(await askObject(mf, id)).toEqual({ status: 200, body: 'completed' });
      // The expiry alarm (1 s) runs on real time.
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      simulator.simulator.setFault({
        route: 'document-status',
        id,
        kind: 'drift',
        drift: 'unknown-status',
        times: 1,
      });

      // A kept terminal status would have won over this (see the next test): it is gone.
      expect(await askObject(mf, id)).toEqual({ status: 200, body: 'queued' });
    } finally {
      simulator.simulator.clearFaults();
      await mf.dispose();
    }
  }, 30_000);

  it('never replaces a terminal status, even when it is stale and the upstream says otherwise', async () => {
    const { mf } = await start(options({ bindings: bindings({ EDGE_TERMINAL_TTL_SECONDS: '0' }) }));
    try {
      const id = finishedDocument();
      expect(await askObject(mf, id)).toEqual({ status: 200, body: 'completed' });

      simulator.simulator.setFault({
        route: 'document-status',
        id,
        kind: 'drift',
        drift: 'unknown-status',
        times: 1,
      });
      const afterDrift = await askObject(mf, id);
      simulator.simulator.setFault({
        route: 'document-status',
        id,
        kind: 'status',
        status: 404,
        times: 1,
      });
      const afterNotFound = await askObject(mf, id);

      expect(afterDrift).toEqual({ status: 200, body: 'completed' });
      expect(afterNotFound).toEqual({ status: 200, body: 'completed' });
      // Both were real upstream answers (terminal TTL 0), refused by the object.
      expect(callsFor(id)).toBe(3);
    } finally {
      simulator.simulator.clearFaults();
      await mf.dispose();
    }
  }, 30_000);
});
