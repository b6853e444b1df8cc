// The poller's event-stream transport (issue 14) against the real proxy over HTTP on 127.0.0.1:
// sockets, streaming and reconnections are real; time is virtual and moves only when the test
// (or `driveWhenIdle`, once everything is quiet) moves it.
//
// "Quiet" must cover all the real work between two sleeps, or time jumps in the middle of what is
// instant in real time (a status already on its way arriving after the deadline): HTTP calls until
// their body is read, stream bytes the proxy has sent and the client not yet read, and WebCrypto
// operations (event ids, tokens), which finish on the thread pool, turns later.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import {
  createNeurolinkerClient,
  type DocumentStatus,
  isNeurolinkerError,
  type NeurolinkerClient,
} from '@neurostatus/core';
import {
  createPollScheduler,
  createVirtualClock,
  type EventStreamOptions,
  type RequestProgress,
  type VirtualClock,
  watchRequest,
  watchStatus,
} from '@neurostatus/poller';
import { driveWhenIdle } from '@neurostatus/poller/test-support/idle-drive';
import {
  createManualClock,
  createSimulator,
  DEMO_API_KEY,
  DEMO_DOCUMENT_IDS,
  DEMO_REQUEST_ID,
  DOCUMENTED_EXAMPLE,
  type Simulator,
} from '@neurostatus/simulator';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createApp } from '../src/app.ts';
import { type EdgeEnv, loadEdgeConfig } from '../src/config.ts';
import { resolveEdgeParts } from '../src/edge-parts.ts';
import { etagOf } from '../src/etag.ts';
import { createMemoryStore } from '../src/memory-store.ts';
import { mintStatusToken } from '../src/status-token.ts';
import { TEST_BASE_URL, TEST_SECRET } from '../src/test-support/edge-harness.ts';

const START = Date.UTC(2026, 0, 1);
const [PURCHASE_ORDER, REPORT, FAILING_SCAN, INVOICE] = DEMO_DOCUMENT_IDS;

/** The upstream (an in-process simulator) and the time, shared by every proxy a test starts. */
interface World {
  readonly simulator: Simulator;
  readonly clock: VirtualClock;
  /** Upstream calls, and client calls until their body is read (event streams: until answered). */
  calls: number;
  /** Bytes each open event stream has sent and its client has read, by {@link STREAM_KEY}. */
  readonly streams: Map<string, { sent: number; read: number }>;
  /** What is under way, for `driveWhenIdle`: calls, streams with unread bytes, WebCrypto work. */
  readonly inFlight: number;
}

/** The request header that pairs a client's event stream with the proxy's side of it. */
const STREAM_KEY = 'x-test-stream';
let streamKeys = 0;

/** WebCrypto operations under way (event ids and tokens, in the proxy and in `getToken`). */
let cryptoInFlight = 0;
beforeEach(() => {
  for (const name of ['digest', 'importKey', 'sign', 'verify'] as const) {
    const original = crypto.subtle[name].bind(crypto.subtle) as (
      ...args: unknown[]
    ) => Promise<unknown>;
    vi.spyOn(crypto.subtle, name).mockImplementation(((...args: unknown[]) => {
      cryptoInFlight++;
      return original(...args).finally(() => cryptoInFlight--);
    }) as never);
  }
});
afterEach(() => {
  vi.restoreAllMocks();
});

interface RunningProxy {
  readonly port: number;
  readonly baseUrl: string;
  /** `Last-Event-ID` of each event-stream request this proxy received (null: none). */
  readonly lastEventIds: (string | null)[];
  /** Status of each answer. */
  readonly statuses: number[];
  /** Stops like a runtime entry does: streams close without `end`, then the server. */
  close(): Promise<void>;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function createWorld(): World {
  const simulatorClock = createManualClock(START);
  const simulator = createSimulator({ demo: true, clock: simulatorClock });
  const clock = createVirtualClock(START, (now) => simulatorClock.set(now));
  return {
    simulator,
    clock,
    calls: 0,
    streams: new Map(),
    get inFlight() {
      const unread = [...this.streams.values()].filter((stream) => stream.sent > stream.read);
      return this.calls + unread.length + cryptoInFlight;
    },
  };
}

/**
 * `body`, read eagerly (whether or not anyone reads the copy), calling `onChunk` as each chunk
 * comes out: the proxy's side of a stream counts bytes the moment it writes them.
 */
function pumped(
  body: ReadableStream<Uint8Array>,
  onChunk: (bytes: number) => void,
): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>({
    start(controller) {
      void (async () => {
        try {
          for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
            onChunk(chunk.value.byteLength);
            controller.enqueue(chunk.value);
          }
          controller.close();
        } catch (error) {
          // Cancelled by the server (its client went away): nothing left to pass on.
          try {
            controller.error(error);
          } catch {}
        }
      })();
    },
    cancel: (reason) => reader.cancel(reason),
  });
}

/**
 * `body`, read only as its reader asks (nothing read ahead), calling `onChunk` for each chunk
 * handed over and `onEnd` once when it ends, fails or is cancelled: the client's side.
 */
function observed(
  body: ReadableStream<Uint8Array>,
  onChunk: (bytes: number) => void,
  onEnd: () => void,
): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let ended = false;
  const end = () => {
    if (!ended) onEnd();
    ended = true;
  };
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const chunk = await reader.read();
          if (chunk.done) {
            end();
            controller.close();
            return;
          }
          onChunk(chunk.value.byteLength);
          controller.enqueue(chunk.value);
        } catch (error) {
          end();
          controller.error(error);
        }
      },
      cancel(reason) {
        end();
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}

const isEventStream = (response: Response) =>
  /^text\/event-stream\b/i.test(response.headers.get('content-type') ?? '');

async function listen(
  world: World,
  handler: (request: Request) => Response | Promise<Response>,
  port = 0,
): Promise<{ port: number; close(): Promise<void> }> {
  const server = createAdaptorServer({
    fetch: async (request) => {
      const response = await handler(request);
      const stream = world.streams.get(request.headers.get(STREAM_KEY) ?? '');
      if (stream === undefined || response.body === null || !isEventStream(response)) {
        return response;
      }
      const body = pumped(response.body, (bytes) => {
        stream.sent += bytes;
      });
      const { status, statusText, headers } = response;
      return new Response(body, { status, statusText, headers });
    },
  });
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  let closed = false;
  return {
    port: (server.address() as AddressInfo).port,
    async close() {
      if (closed) return;
      closed = true;
      (server as unknown as { closeAllConnections(): void }).closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

async function startProxy(world: World, env: EdgeEnv = {}, port = 0): Promise<RunningProxy> {
  const mode = env.EDGE_MODE ?? 'open';
  const shutdown = new AbortController();
  const scheduler = createPollScheduler({ clock: world.clock });
  const config = loadEdgeConfig({
    NEUROLINKER_BASE_URL: TEST_BASE_URL,
    EDGE_SECRET: TEST_SECRET,
    EDGE_LOG: 'off',
    EDGE_RATE_LIMIT_PER_SECOND: '0',
    NEUROLINKER_API_KEY: DEMO_API_KEY,
    ...(mode === 'open' ? { EDGE_ALLOW_OPEN: 'true' } : {}),
    EDGE_MODE: mode,
    ...env,
  });
  const app = await createApp(
    resolveEdgeParts(config, {
      store: createMemoryStore({ now: () => world.clock.now() }),
      clock: world.clock,
      scheduler,
      shutdown: shutdown.signal,
      fetch: async (input, init) => {
        world.calls++;
        try {
          return await world.simulator.app.fetch(new Request(input, init));
        } finally {
          world.calls--;
        }
      },
    }),
  );
  const lastEventIds: (string | null)[] = [];
  const statuses: number[] = [];
  const server = await listen(
    world,
    async (request) => {
      if (request.url.endsWith('/events')) lastEventIds.push(request.headers.get('last-event-id'));
      const response = await app.fetch(request);
      statuses.push(response.status);
      return response;
    },
    port,
  );
  const close = async () => {
    shutdown.abort();
    scheduler.close();
    await server.close();
  };
  cleanups.push(close);
  return {
    port: server.port,
    baseUrl: `http://127.0.0.1:${server.port}/api/v1`,
    lastEventIds,
    statuses,
    close,
  };
}

/**
 * A `fetch` that counts connections and keeps them in flight for the driver: a call until its
 * body is read, an event stream while the proxy has sent bytes the client has not read.
 */
function trackedFetch(world: World, counter: { connections: number }): typeof fetch {
  return async (input, init) => {
    counter.connections++;
    const key = String(++streamKeys);
    const request = new Request(input, init);
    request.headers.set(STREAM_KEY, key);
    const stream = { sent: 0, read: 0 };
    world.streams.set(key, stream);
    world.calls++;
    let response: Response;
    try {
      response = await fetch(request);
    } catch (error) {
      world.streams.delete(key);
      world.calls--;
      throw error;
    }
    if (!isEventStream(response)) world.streams.delete(key);
    if (response.body === null) {
      world.calls--;
      return response;
    }
    const watched = isEventStream(response);
    // An event stream is under way while it has unread bytes; any other call until its body ends.
    if (watched) world.calls--;
    const body = observed(
      response.body,
      (bytes) => {
        stream.read += bytes;
      },
      () => {
        if (watched) world.streams.delete(key);
        else world.calls--;
      },
    );
    const { status, statusText, headers } = response;
    return new Response(body, { status, statusText, headers });
  };
}

function clientFor(world: World, baseUrl: string, apiKey = DEMO_API_KEY): NeurolinkerClient {
  return createNeurolinkerClient({
    apiKey,
    baseUrl,
    retry: false,
    fetch: trackedFetch(world, { connections: 0 }),
  });
}

/** The next value of a watch, moving virtual time whenever everything is quiet. */
function next<T>(world: World, iterator: AsyncIterator<T>): Promise<IteratorResult<T>> {
  return driveWhenIdle(world.clock, iterator.next(), world);
}

async function rest<T>(world: World, iterator: AsyncIterator<T>): Promise<T[]> {
  const values: T[] = [];
  for (let result = await next(world, iterator); !result.done; result = await next(world, iterator))
    values.push(result.value);
  return values;
}

const states = (progress: RequestProgress) =>
  progress.request.documents.map((document) => `${document.document_id}:${document.status}`).join();

describe('the event-stream transport against the proxy', () => {
  it('survives a proxy restart mid-watch: it resumes with Last-Event-ID, with no change repeated or missed', async () => {
    const world = createWorld();
    const first = await startProxy(world);
    const counter = { connections: 0 };
    const events: EventStreamOptions = {
      baseUrl: first.baseUrl,
      fetch: trackedFetch(world, counter),
      idleTimeoutMs: Number.POSITIVE_INFINITY,
    };
    const client = clientFor(world, first.baseUrl);
    const watch = watchRequest(client, DEMO_REQUEST_ID, {
      transport: 'events',
      events,
      clock: world.clock,
    })[Symbol.asyncIterator]();

    const before: RequestProgress[] = [];
    // Until the first document has finished (the purchase order, at 22 s).
    while (before.at(-1)?.completed !== 1) {
      const result = await next(world, watch);
      if (result.done) throw new Error('the watch ended before the restart');
      before.push(result.value);
    }
    await first.close();
    const second = await startProxy(world, {}, first.port);
    const after = await rest(world, watch);

    const all = [...before, ...after];
    expect(after.length).toBeGreaterThan(0);
    // No change repeated: every value differs from the one before it.
    for (let i = 1; i < all.length; i++) expect(states(all[i]!)).not.toBe(states(all[i - 1]!));
    // No change missed: each document finished exactly once, the scan as failed.
    const completed = all.flatMap((progress) => progress.newlyCompleted);
    const failed = all.flatMap((progress) => progress.newlyFailed);
    expect(completed.sort()).toEqual([PURCHASE_ORDER, REPORT, INVOICE].sort());
    expect(failed).toEqual([FAILING_SCAN]);
    expect(all.at(-1)).toMatchObject({ terminal: true, completed: 3, failed: 1, fraction: 1 });
    // The reconnection told the new proxy what the client had: the id (ETag) of the last status
    // the first proxy delivered, which may be one past the restart point (already on the wire).
    const ids = await Promise.all(
      all.map(async (progress) => (await etagOf(JSON.stringify(progress.request))).slice(1, -1)),
    );
    expect(ids.indexOf(second.lastEventIds[0] ?? '')).toBeGreaterThanOrEqual(before.length - 1);
    expect(counter.connections).toBe(2);
  });

  it('ends at once, with nothing, when the proxy answers 204 (the client has the last status)', async () => {
    const world = createWorld();
    const proxy = await startProxy(world);
    const id = DOCUMENTED_EXAMPLE.document_id;
    // The identity body's ETag is the event id (a gzip answer carries a weak ETag of its own).
    const status = await fetch(`${proxy.baseUrl}/document-status/${id}`, {
      headers: { 'accept-encoding': 'identity' },
    });
    const etag = status.headers.get('etag') ?? '';
    await status.text();
    const counter = { connections: 0 };
    const values = await rest(
      world,
      watchStatus(clientFor(world, proxy.baseUrl), id, {
        transport: 'events',
        events: {
          baseUrl: proxy.baseUrl,
          fetch: trackedFetch(world, counter),
          lastEventId: etag.slice(1, -1),
        },
        clock: world.clock,
      })[Symbol.asyncIterator](),
    );
    expect(values).toEqual([]);
    expect(proxy.statuses.at(-1)).toBe(204);
    expect(counter.connections).toBe(1);
  });

  it('refreshes a token through getToken() when the proxy closes the stream at its expiry', async () => {
    const world = createWorld();
    const proxy = await startProxy(world, { EDGE_MODE: 'scoped-token' });
    let tokens = 0;
    const getToken = async () => {
      tokens++;
      // Ten seconds each: the report takes 40 s, so the proxy closes several streams on it.
      return mintStatusToken({
        secret: TEST_SECRET,
        documentIds: [REPORT],
        ttlSeconds: 10,
        now: () => world.clock.now(),
      });
    };
    const counter = { connections: 0 };
    const values: DocumentStatus[] = await rest(
      world,
      watchStatus(clientFor(world, proxy.baseUrl, 'unused-for-streams'), REPORT, {
        transport: 'events',
        events: { baseUrl: proxy.baseUrl, getToken, fetch: trackedFetch(world, counter) },
        clock: world.clock,
      })[Symbol.asyncIterator](),
    );
    expect(values.map((value) => value.status)).toEqual(['pending', 'processing', 'completed']);
    // 40.5 s on 10-second tokens, with a 2 to 4 s wait before each reconnection: 3 or more.
    expect(tokens).toBeGreaterThanOrEqual(3);
    expect(tokens).toBe(counter.connections);
    expect(proxy.statuses).not.toContain(401);
  });

  it('asks getToken() again after a 401 and carries on with the new token', async () => {
    const world = createWorld();
    const proxy = await startProxy(world, { EDGE_MODE: 'scoped-token' });
    const tokens = [
      'v1.not-a-token.at-all',
      await mintStatusToken({
        secret: TEST_SECRET,
        documentIds: [PURCHASE_ORDER],
        now: () => world.clock.now(),
      }),
    ];
    let calls = 0;
    const values = await rest(
      world,
      watchStatus(clientFor(world, proxy.baseUrl), PURCHASE_ORDER, {
        transport: 'events',
        events: {
          baseUrl: proxy.baseUrl,
          getToken: () => tokens[calls++],
          fetch: trackedFetch(world, { connections: 0 }),
          idleTimeoutMs: Number.POSITIVE_INFINITY,
        },
        clock: world.clock,
      })[Symbol.asyncIterator](),
    );
    expect(values.at(-1)?.status).toBe('completed');
    expect(calls).toBe(2);
    expect(proxy.statuses.filter((status) => status === 401)).toHaveLength(1);
  });

  it('throws an AuthenticationError when a refreshed token is refused too', async () => {
    const world = createWorld();
    const proxy = await startProxy(world, { EDGE_MODE: 'scoped-token' });
    let calls = 0;
    const watching = rest(
      world,
      watchStatus(clientFor(world, proxy.baseUrl), PURCHASE_ORDER, {
        transport: 'events',
        events: {
          baseUrl: proxy.baseUrl,
          getToken: () => `v1.bad.${calls++}`,
          fetch: trackedFetch(world, { connections: 0 }),
        },
        clock: world.clock,
      })[Symbol.asyncIterator](),
    );
    await expect(watching).rejects.toMatchObject({ code: 'AUTHENTICATION_FAILED', status: 401 });
    expect(calls).toBe(2);
  });

  it("falls back to polling with 'auto' on a server without event routes, and decides it once per client", async () => {
    const world = createWorld();
    const requests: string[] = [];
    // The bare API (the simulator itself): no `/events` routes.
    const server = await listen(world, async (request) => {
      requests.push(new URL(request.url).pathname);
      world.calls++;
      try {
        return await world.simulator.app.fetch(request);
      } finally {
        world.calls--;
      }
    });
    cleanups.push(() => server.close());
    const baseUrl = `http://127.0.0.1:${server.port}/api/v1`;
    const client = clientFor(world, baseUrl);
    const events = { baseUrl, fetch: trackedFetch(world, { connections: 0 }) };
    const options = { transport: 'auto' as const, events, clock: world.clock };
    const first = await rest(
      world,
      watchStatus(client, PURCHASE_ORDER, options)[Symbol.asyncIterator](),
    );
    const second = await rest(world, watchStatus(client, REPORT, options)[Symbol.asyncIterator]());
    expect(first.map((status) => status.status)).toEqual(['processing', 'completed']);
    expect(second.at(-1)?.status).toBe('completed');
    expect(requests.filter((path) => path.endsWith('/events'))).toHaveLength(1);
    expect(requests.filter((path) => path.endsWith(REPORT))).not.toHaveLength(0);
  });

  it('stops at once when aborted while waiting to reconnect: no timer left, no new connection', async () => {
    const world = createWorld();
    const proxy = await startProxy(world);
    const clientClock = createVirtualClock(START);
    const counter = { connections: 0 };
    const controller = new AbortController();
    const watch = watchStatus(clientFor(world, proxy.baseUrl), REPORT, {
      transport: 'events',
      events: {
        baseUrl: proxy.baseUrl,
        fetch: trackedFetch(world, counter),
        idleTimeoutMs: Number.POSITIVE_INFINITY,
      },
      clock: clientClock,
      signal: controller.signal,
    })[Symbol.asyncIterator]();
    expect((await next(world, watch)).value?.status).toBe('pending');
    await proxy.close();
    // What was on the wire before the drop comes first; then the client waits to reconnect.
    let pending = watch.next();
    while (
      (await Promise.race([
        pending.then(
          () => 'value',
          () => 'value',
        ),
        clientClock.whenSleeping(),
      ])) === 'value'
    ) {
      pending = watch.next();
    }
    const reason = new Error('the user left');
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    expect(clientClock.pending).toEqual([]);
    expect(counter.connections).toBe(1);
  });

  it('throws the typed error the stream reported (a document that never appears)', async () => {
    const world = createWorld();
    const proxy = await startProxy(world);
    const watching = rest(
      world,
      watchStatus(clientFor(world, proxy.baseUrl), '00000000-0000-4000-8000-000000000000', {
        transport: 'events',
        events: {
          baseUrl: proxy.baseUrl,
          fetch: trackedFetch(world, { connections: 0 }),
          idleTimeoutMs: Number.POSITIVE_INFINITY,
        },
        clock: world.clock,
      })[Symbol.asyncIterator](),
    );
    const error = await watching.catch((caught: unknown) => caught);
    expect(isNeurolinkerError(error) && error.code).toBe('NOT_FOUND');
  });

  it('gives up with a WatchTimeoutError carrying the last status when timeoutMs passes', async () => {
    const world = createWorld();
    const proxy = await startProxy(world);
    const watching = rest(
      world,
      watchStatus(clientFor(world, proxy.baseUrl), REPORT, {
        transport: 'events',
        events: {
          baseUrl: proxy.baseUrl,
          fetch: trackedFetch(world, { connections: 0 }),
          idleTimeoutMs: Number.POSITIVE_INFINITY,
        },
        clock: world.clock,
        timeoutMs: 10_000,
      })[Symbol.asyncIterator](),
    );
    await expect(watching).rejects.toMatchObject({
      code: 'WATCH_TIMEOUT',
      timeoutMs: 10_000,
      // What the stream had brought by then (the report is still unfinished at 10 s).
      lastStatus: { document_id: REPORT, completed_at: null },
    });
  });
});
