import { createVirtualClock, type VirtualClock } from '@neurostatus/poller';
import {
  createManualClock,
  createSimulator,
  DEMO_API_KEY,
  type Simulator,
} from '@neurostatus/simulator';
import type { Hono } from 'hono';
import type { EdgeEnv } from '../config.ts';
import { createEdge } from '../create-edge.ts';
import type { EdgeParts } from '../edge-parts.ts';
import type { LogRecord } from '../log-record.ts';
import type { EdgeAppEnv } from '../request-context.ts';
import type { StatusStore } from '../status-store.ts';

/** A secret long enough for the proxy (tests only). */
export const TEST_SECRET = 'test-secret-0123456789abcdef0123456789';
/** Where the harness's upstream pretends to live; requests never leave the process. */
export const TEST_BASE_URL = 'http://simulator.test/api/v1';
/** The start of virtual time: 2026-01-01. */
const START = Date.UTC(2026, 0, 1);

/** WebCrypto calls of the proxy (ETags, HMAC keys) under way, in every harness of this process. */
let cryptoInFlight = 0;

/**
 * Counts the proxy's WebCrypto calls while they run on the platform's thread pool: work between a
 * poll and its next sleep (a request poll stores its documents, each with a SHA-256 ETag, before
 * it answers) that `driveWhenIdle` must see as in flight, or virtual time jumps past polls still
 * being answered on a busy machine. Installed once per process, for test harnesses only.
 */
function countCryptoCalls(): void {
  const subtle = globalThis.crypto.subtle as SubtleCrypto & { counted?: true };
  if (subtle.counted) return;
  subtle.counted = true;
  for (const name of ['digest', 'sign', 'verify', 'importKey'] as const) {
    const original = subtle[name].bind(subtle) as (...args: unknown[]) => Promise<unknown>;
    Object.defineProperty(subtle, name, {
      configurable: true,
      value: async (...args: unknown[]) => {
        cryptoInFlight++;
        try {
          return await original(...args);
        } finally {
          cryptoInFlight--;
        }
      },
    });
  }
}

/** A proxy on an in-process simulator, both on one virtual clock. */
export interface EdgeHarness {
  readonly app: Hono<EdgeAppEnv>;
  readonly simulator: Simulator;
  readonly clock: VirtualClock;
  readonly logs: LogRecord[];
  /** Upstream calls and the proxy's WebCrypto calls in flight (for `driveWhenIdle`). */
  readonly inFlight: number;
  /** Upstream calls made so far. */
  readonly upstreamCalls: number;
  /** Aborts the proxy's shutdown signal, as a runtime entry does when it stops. */
  shutdown(): void;
  /** `GET path` through `app.request`, with headers. */
  get(path: string, headers?: Record<string, string>): Promise<Response>;
}

/**
 * Builds the proxy with `env` (on top of a base that points at the simulator) and a simulator with
 * its demo data, both on one virtual clock: advancing it moves the cache, the poll loops and the
 * documents' progress together, with no real waiting.
 *
 * @example
 * ```ts
 * const h = await createEdgeHarness({ EDGE_MODE: 'open', EDGE_ALLOW_OPEN: 'true' });
 * const res = await h.get(`/api/v1/document-status/${id}`);
 * ```
 */
export async function createEdgeHarness(
  env: EdgeEnv = {},
  /** Replaces the simulator as the upstream: receives what the proxy would send it. */
  upstream?: (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>,
  /** Further parts of the app (what a runtime entry would choose); a store is made on the clock. */
  parts: Pick<EdgeParts, 'compress' | 'responseHeaders'> & {
    store?: (clock: VirtualClock) => StatusStore;
  } = {},
): Promise<EdgeHarness> {
  countCryptoCalls();
  const simulatorClock = createManualClock(START);
  const simulator = createSimulator({ clock: simulatorClock, demo: true });
  const clock = createVirtualClock(START, (now) => simulatorClock.set(now));
  const logs: LogRecord[] = [];
  let inFlight = 0;
  let upstreamCalls = 0;
  const mode = env.EDGE_MODE ?? 'open';
  const shutdown = new AbortController();
  // The same wiring as the runtime entries (`createEdge`); only the effects are the test's.
  const { app } = await createEdge(
    {
      NEUROLINKER_BASE_URL: TEST_BASE_URL,
      EDGE_SECRET: TEST_SECRET,
      EDGE_LOG: 'off',
      ...(mode === 'passthrough' ? {} : { NEUROLINKER_API_KEY: DEMO_API_KEY }),
      ...(mode === 'open' ? { EDGE_ALLOW_OPEN: 'true' } : {}),
      EDGE_MODE: mode,
      ...env,
    },
    {
      ...(parts.compress === undefined ? {} : { compress: parts.compress }),
      ...(parts.responseHeaders === undefined ? {} : { responseHeaders: parts.responseHeaders }),
      ...(parts.store === undefined ? {} : { store: parts.store(clock) }),
      shutdown: shutdown.signal,
      clock,
      log: (record) => logs.push(record),
      // Each test client names itself, for the per-client rate limit.
      clientAddress: (request) => request.headers.get('x-test-client') ?? 'test-client',
      fetch: async (input, init) => {
        inFlight++;
        upstreamCalls++;
        try {
          const viaSimulator = (i: RequestInfo | URL, o?: RequestInit) =>
            Promise.resolve(simulator.app.fetch(new Request(i, o)));
          return await (upstream === undefined ? viaSimulator(input, init) : upstream(input, init));
        } finally {
          inFlight--;
        }
      },
    },
  );
  return {
    app,
    simulator,
    clock,
    logs,
    get inFlight() {
      return inFlight + cryptoInFlight;
    },
    get upstreamCalls() {
      return upstreamCalls;
    },
    shutdown() {
      shutdown.abort();
    },
    get: (path, headers = {}) => Promise.resolve(app.request(path, { headers })),
  };
}

/** One parsed Server-Sent Event (comments are kept as `{ comment }`). */
export type SseEvent =
  | { readonly event: string; readonly data: string; readonly id: string | undefined }
  | { readonly comment: string };

/**
 * Reads a whole event stream into events, until the server closes it.
 *
 * @example
 * ```ts
 * const events = await readEvents(await h.get(`/api/v1/document-status/${id}/events`));
 * ```
 */
export async function readEvents(response: Response): Promise<SseEvent[]> {
  const text = await response.text();
  return parseEvents(text);
}

/** Parses SSE text (RFC: the WHATWG HTML event-stream format) into events and comments. */
export function parseEvents(text: string): SseEvent[] {
  const events: SseEvent[] = [];
  for (const block of text.split('\n\n')) {
    if (block.trim() === '') continue;
    if (block.startsWith(':')) {
      events.push({ comment: block.slice(1).trim() });
      continue;
    }
    let event = 'message';
    let id: string | undefined;
    const data: string[] = [];
    for (const line of block.split('\n')) {
      const [field, ...rest] = line.split(':');
      const value = rest.join(':').replace(/^ /, '');
      if (field === 'event') event = value;
      if (field === 'data') data.push(value);
      if (field === 'id') id = value;
    }
    if (data.length > 0) events.push({ event, data: data.join('\n'), id });
  }
  return events;
}
