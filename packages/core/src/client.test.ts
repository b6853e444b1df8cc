import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { type AddressInfo, createServer } from 'node:net';
import { inspect } from 'node:util';
import {
  createManualClock,
  DEMO_API_KEY,
  DEMO_DOCUMENT_IDS,
  DEMO_REQUEST_ID,
  DOCUMENTED_EXAMPLE,
  SECOND_API_KEY,
} from '@neurostatus/simulator';
import { startSimulator } from '@neurostatus/simulator/node';
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import { createNeurolinkerClient } from './client.ts';
import type { NeurolinkerClientOptions } from './client-options.ts';
import {
  AuthenticationError,
  ConnectionError,
  InsufficientCreditsError,
  InvalidIdError,
  InvalidResponseError,
  isNeurolinkerError,
  type NeurolinkerError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  ServerError,
  TimeoutError,
  UnexpectedStatusError,
} from './errors.ts';

const EXAMPLE_ID = DOCUMENTED_EXAMPLE.document_id;
const EXAMPLE_REQUEST_ID = DOCUMENTED_EXAMPLE.request_id;

let server: Awaited<ReturnType<typeof startSimulator>>;
const clock = createManualClock();

beforeAll(async () => {
  server = await startSimulator({ demo: true, clock });
});
afterAll(() => server.close());
afterEach(() => {
  server.simulator.clearFaults();
  server.simulator.resetStats();
  vi.unstubAllGlobals();
});

/** A sleep that records the delays it was asked for and returns at once (no real time passes). */
function recordingSleep() {
  const delays: number[] = [];
  const sleep = async (ms: number, signal?: AbortSignal) => {
    signal?.throwIfAborted();
    delays.push(ms);
  };
  return { delays, sleep };
}

function client(options: Partial<NeurolinkerClientOptions> = {}) {
  return createNeurolinkerClient({ apiKey: DEMO_API_KEY, baseUrl: server.apiBaseUrl, ...options });
}

async function failure(promise: Promise<unknown>): Promise<NeurolinkerError> {
  try {
    await promise;
  } catch (error) {
    if (isNeurolinkerError(error)) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

/** A loopback port that nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

const requestsFor = (id: string) => server.simulator.stats().byId[id] ?? 0;

/**
 * A loopback server that answers every request with the request itself inside a header that is
 * not valid HTTP: the client's HTTP parser fails, keeping the bytes it choked on (undici's
 * `HTTPParserError#data`), `Authorization` header included. Closed after the test.
 */
async function echoingGarbage(): Promise<string> {
  const garbage = createServer((socket) =>
    socket.once('data', (request) =>
      socket.end(Buffer.concat([Buffer.from('HTTP/1.1 200 OK\r\nX\u0001: '), request])),
    ),
  );
  await new Promise<void>((resolve) => garbage.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => new Promise<void>((resolve) => garbage.close(() => resolve())));
  return `http://127.0.0.1:${(garbage.address() as AddressInfo).port}/v1`;
}

describe('createNeurolinkerClient over real HTTP', () => {
  it('reads the documented example exactly', async () => {
    const status = await client().getDocumentStatus(EXAMPLE_ID);
    expect(status).toEqual(DOCUMENTED_EXAMPLE);
  });

  it('works with the /v1 prefix that the "try it" examples use', async () => {
    const status = await client({ baseUrl: `${server.url}/v1` }).getDocumentStatus(EXAMPLE_ID);
    expect(status.document_id).toBe(EXAMPLE_ID);
  });

  it('accepts a base URL with a trailing slash', async () => {
    const status = await client({ baseUrl: `${server.apiBaseUrl}/` }).getDocumentStatus(EXAMPLE_ID);
    expect(status.status).toBe('completed');
  });

  it('follows a document through pending, processing and completed on the simulator clock', async () => {
    const { documentIds } = server.simulator.createRequest({
      apiKey: DEMO_API_KEY,
      documents: [{ totalPages: 2, pendingMs: 1_000, processingMs: 10_000 }],
    });
    const id = documentIds[0]!;
    const api = client();
    expect((await api.getDocumentStatus(id)).status).toBe('pending');
    clock.advance(1_000);
    const processing = await api.getDocumentStatus(id);
    expect(processing.status).toBe('processing');
    expect(processing.completed_at).toBeNull();
    clock.advance(10_000);
    const done = await api.getDocumentStatus(id);
    expect(done.status).toBe('completed');
    expect(done.completed_at).toEqual(expect.any(String));
    expect(done.results.storage_path).toContain(id);
  });

  it('reads a request status with its documents', async () => {
    const request = await client().getRequestStatus(EXAMPLE_REQUEST_ID);
    expect(request.request_id).toBe(EXAMPLE_REQUEST_ID);
    expect(request.documents.map((document) => document.document_id)).toContain(EXAMPLE_ID);
  });
});

describe('errors from the API', () => {
  it('throws AuthenticationError for a wrong key, once, without the key anywhere', async () => {
    const wrongKey = 'nl_wrongwrongwrongwrongwrongwrong00';
    const error = await failure(client({ apiKey: wrongKey }).getDocumentStatus(EXAMPLE_ID));
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error).toMatchObject({ code: 'AUTHENTICATION_FAILED', status: 401, attempts: 1 });
    expect(error.detail).toEqual(expect.any(String));
    expect(requestsFor(EXAMPLE_ID)).toBe(1);
    expect(server.simulator.stats().byStatus['401']).toBe(1);
    for (const text of [
      error.message,
      error.stack,
      JSON.stringify(error),
      inspect(error, { depth: 10 }),
    ]) {
      expect(text).not.toContain(wrongKey);
    }
  });

  it("answers another account's document with the same NotFoundError as an unknown id", async () => {
    const foreign = await failure(client({ apiKey: SECOND_API_KEY }).getDocumentStatus(EXAMPLE_ID));
    const unknown = await failure(
      client().getDocumentStatus('00000000-0000-4000-8000-000000000000'),
    );
    expect(foreign).toBeInstanceOf(NotFoundError);
    expect(unknown).toBeInstanceOf(NotFoundError);
    expect(foreign.detail).toBe(unknown.detail);
    expect(foreign.attempts).toBe(1);
  });

  it('keeps the x-request-id of the response', async () => {
    const error = await failure(client().getDocumentStatus('unknown-document'));
    expect(error.requestId).toEqual(expect.any(String));
  });

  it.each([
    [402, InsufficientCreditsError, 'INSUFFICIENT_CREDITS'],
    [403, PermissionDeniedError, 'PERMISSION_DENIED'],
    [400, UnexpectedStatusError, 'UNEXPECTED_STATUS'],
    [422, UnexpectedStatusError, 'UNEXPECTED_STATUS'],
  ] as const)('maps %i to %o without retrying', async (status, ErrorClass, code) => {
    server.simulator.setFault({ kind: 'status', status, id: EXAMPLE_ID });
    const { delays, sleep } = recordingSleep();
    const error = await failure(client({ sleep }).getDocumentStatus(EXAMPLE_ID));
    expect(error).toBeInstanceOf(ErrorClass);
    expect(error).toMatchObject({ code, status, attempts: 1 });
    expect(delays).toEqual([]);
    expect(requestsFor(EXAMPLE_ID)).toBe(1);
  });

  it('rejects a malformed id with InvalidIdError and makes no request', async () => {
    const before = server.simulator.stats().total;
    for (const id of ['', '../tasks', 'a/b', '%2e%2e%2f', 'x'.repeat(129), 'a b']) {
      const error = await failure(client().getDocumentStatus(id));
      expect(error).toBeInstanceOf(InvalidIdError);
      expect(error.attempts).toBe(0);
    }
    expect(server.simulator.stats().total).toBe(before);
  });

  it('sends an id with reserved characters as one encoded path segment', async () => {
    const error = await failure(client().getDocumentStatus('a?b#c'));
    expect(error).toBeInstanceOf(NotFoundError);
    expect(requestsFor('a?b#c')).toBe(1);
  });
});

describe('retries', () => {
  it('retries 503 with full-jitter backoff and then succeeds', async () => {
    server.simulator.setFault({ kind: 'status', status: 503, id: EXAMPLE_ID, times: 2 });
    const { delays, sleep } = recordingSleep();
    const retries: number[] = [];
    const status = await client({
      sleep,
      random: () => 0.5,
      hooks: { onRetry: (event) => retries.push(event.attempt) },
    }).getDocumentStatus(EXAMPLE_ID);
    expect(status.status).toBe('completed');
    expect(delays).toEqual([150, 300]); // 0.5 * 300 * 2^0, 0.5 * 300 * 2^1
    expect(retries).toEqual([1, 2]);
    expect(requestsFor(EXAMPLE_ID)).toBe(3);
  });

  it.each([408, 425, 429, 500, 502, 503, 504])('retries %i', async (status) => {
    server.simulator.setFault({ kind: 'status', status, id: EXAMPLE_ID, times: 1 });
    const { delays, sleep } = recordingSleep();
    await client({ sleep }).getDocumentStatus(EXAMPLE_ID);
    expect(delays).toHaveLength(1);
    expect(requestsFor(EXAMPLE_ID)).toBe(2);
  });

  it('waits out a Retry-After on a 502 as well, where ky would read it only on 413, 429 and 503', async () => {
    server.simulator.setFault({
      kind: 'status',
      status: 502,
      retryAfter: '1',
      id: EXAMPLE_ID,
      times: 1,
    });
    const { delays, sleep } = recordingSleep();
    await client({ sleep, random: () => 0 }).getDocumentStatus(EXAMPLE_ID);
    expect(delays).toEqual([1000]);
  });

  it('does not retry a 413, which ky would retry by default', async () => {
    server.simulator.setFault({ kind: 'status', status: 413, id: EXAMPLE_ID, times: 1 });
    const { delays, sleep } = recordingSleep();
    const error = await failure(client({ sleep }).getDocumentStatus(EXAMPLE_ID));
    expect(error).toMatchObject({ status: 413, attempts: 1 });
    expect(delays).toEqual([]);
    expect(requestsFor(EXAMPLE_ID)).toBe(1);
  });

  it('gives up after the retry limit with the last error and the attempt count', async () => {
    server.simulator.setFault({ kind: 'status', status: 500, id: EXAMPLE_ID });
    const { delays, sleep } = recordingSleep();
    const error = await failure(
      client({ sleep, retry: { limit: 3 } }).getDocumentStatus(EXAMPLE_ID),
    );
    expect(error).toBeInstanceOf(ServerError);
    expect(error).toMatchObject({ status: 500, attempts: 4 });
    expect(delays).toHaveLength(3);
    expect(requestsFor(EXAMPLE_ID)).toBe(4);
  });

  it('makes a single attempt when a call sets retryLimit: 0, and keeps the Retry-After hint', async () => {
    server.simulator.setFault({ kind: 'status', status: 429, retryAfter: '3', id: EXAMPLE_ID });
    const error = await failure(client().getDocumentStatus(EXAMPLE_ID, { retryLimit: 0 }));
    expect(error).toMatchObject({ code: 'RATE_LIMITED', attempts: 1, retryAfterMs: 3000 });
    expect(requestsFor(EXAMPLE_ID)).toBe(1);
  });

  it('makes a single attempt with retry: false', async () => {
    server.simulator.setFault({ kind: 'status', status: 503, id: EXAMPLE_ID });
    const error = await failure(client({ retry: false }).getDocumentStatus(EXAMPLE_ID));
    expect(error).toMatchObject({ code: 'SERVER_ERROR', attempts: 1 });
    expect(requestsFor(EXAMPLE_ID)).toBe(1);
  });

  it('treats an HTML error page from a load balancer as a ServerError without a detail', async () => {
    server.simulator.setFault({ kind: 'html', id: EXAMPLE_ID });
    const { sleep } = recordingSleep();
    const error = await failure(client({ sleep }).getDocumentStatus(EXAMPLE_ID));
    expect(error).toBeInstanceOf(ServerError);
    expect(error).toMatchObject({ status: 502, detail: undefined, attempts: 3 });
  });

  it('waits exactly the Retry-After seconds of a 429', async () => {
    server.simulator.setFault({
      kind: 'status',
      status: 429,
      retryAfter: '2',
      id: EXAMPLE_ID,
      times: 1,
    });
    const { delays, sleep } = recordingSleep();
    await client({ sleep }).getDocumentStatus(EXAMPLE_ID);
    expect(delays).toEqual([2000]);
  });

  it('waits until a Retry-After HTTP-date, measured on the injected clock', async () => {
    const now = Date.parse('2026-03-01T12:00:00Z');
    server.simulator.setFault({
      kind: 'status',
      status: 503,
      retryAfter: 'Sun, 01 Mar 2026 12:00:04 GMT',
      id: EXAMPLE_ID,
      times: 1,
    });
    const { delays, sleep } = recordingSleep();
    await client({ sleep, now: () => now }).getDocumentStatus(EXAMPLE_ID);
    expect(delays).toEqual([4000]);
  });

  it('prefers retry-after-ms', async () => {
    server.simulator.setFault({
      kind: 'status',
      status: 429,
      retryAfterMs: 750,
      retryAfter: '9',
      id: EXAMPLE_ID,
      times: 1,
    });
    const { delays, sleep } = recordingSleep();
    await client({ sleep }).getDocumentStatus(EXAMPLE_ID);
    expect(delays).toEqual([750]);
  });

  it('surfaces a RateLimitError at once when Retry-After exceeds maxRetryAfterMs', async () => {
    server.simulator.setFault({ kind: 'status', status: 429, retryAfter: '120', id: EXAMPLE_ID });
    const { delays, sleep } = recordingSleep();
    const error = await failure(
      client({ sleep, deadlineMs: 600_000 }).getDocumentStatus(EXAMPLE_ID),
    );
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error).toMatchObject({ retryAfterMs: 120_000, attempts: 1, status: 429 });
    expect(delays).toEqual([]);
  });

  it('throws RateLimitError after the retries when 429 persists', async () => {
    server.simulator.setFault({ kind: 'status', status: 429, id: EXAMPLE_ID });
    const { sleep } = recordingSleep();
    const error = await failure(client({ sleep }).getDocumentStatus(EXAMPLE_ID));
    expect(error).toMatchObject({ code: 'RATE_LIMITED', attempts: 3, retryAfterMs: undefined });
  });

  it('does not retry when the wait would pass the overall deadline', async () => {
    server.simulator.setFault({ kind: 'status', status: 503, retryAfter: '5', id: EXAMPLE_ID });
    const { delays, sleep } = recordingSleep();
    const error = await failure(client({ sleep, deadlineMs: 4_000 }).getDocumentStatus(EXAMPLE_ID));
    expect(error).toMatchObject({ code: 'SERVER_ERROR', attempts: 1, retryAfterMs: 5_000 });
    expect(delays).toEqual([]);
  });

  it('retries a refused connection and then throws ConnectionError', async () => {
    const { delays, sleep } = recordingSleep();
    const error = await failure(
      client({ sleep, baseUrl: `http://127.0.0.1:${await closedPort()}/api/v1` }).getDocumentStatus(
        EXAMPLE_ID,
      ),
    );
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.attempts).toBe(3);
    expect(error.message).toContain('ECONNREFUSED');
    expect(delays).toHaveLength(2);
  });

  it('treats a dropped connection as a ConnectionError and retries it', async () => {
    server.simulator.setFault({ kind: 'drop', id: EXAMPLE_ID, times: 1 });
    const { delays, sleep } = recordingSleep();
    const status = await client({ sleep }).getDocumentStatus(EXAMPLE_ID);
    expect(status.status).toBe('completed');
    expect(delays).toHaveLength(1);
  });

  it('ignores an onRetry hook that throws', async () => {
    server.simulator.setFault({ kind: 'status', status: 502, id: EXAMPLE_ID, times: 1 });
    const { sleep } = recordingSleep();
    const onRetry = () => {
      throw new Error('logger down');
    };
    const status = await client({ sleep, hooks: { onRetry } }).getDocumentStatus(EXAMPLE_ID);
    expect(status.status).toBe('completed');
  });
});

describe('invalid responses', () => {
  it('throws InvalidResponseError for malformed JSON, with an excerpt, without retrying', async () => {
    server.simulator.setFault({ kind: 'malformed-json', id: EXAMPLE_ID });
    const error = await failure(client().getDocumentStatus(EXAMPLE_ID));
    expect(error).toBeInstanceOf(InvalidResponseError);
    const invalid = error as InvalidResponseError;
    expect(invalid).toMatchObject({ status: 200, attempts: 1, issues: [] });
    expect(invalid.bodyExcerpt?.startsWith('{')).toBe(true);
    expect(requestsFor(EXAMPLE_ID)).toBe(1);
  });

  it('throws InvalidResponseError listing the paths when field types drift', async () => {
    server.simulator.setFault({ kind: 'drift', drift: 'wrong-types', id: EXAMPLE_ID });
    const error = (await failure(client().getDocumentStatus(EXAMPLE_ID))) as InvalidResponseError;
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect(error.issues.map((issue) => issue.path)).toEqual(
      expect.arrayContaining(['file_size_bytes']),
    );
  });

  it.each([
    [
      'numeric-user-uid',
      (status: Record<string, unknown>) => expect(status.user_uid).toEqual(expect.any(String)),
    ],
    ['missing-fields', (status: Record<string, unknown>) => expect(status.completed_at).toBeNull()],
    ['unknown-status', (status: Record<string, unknown>) => expect(status.status).toBe('queued')],
    [
      'extra-fields',
      (status: Record<string, unknown>) => expect(status.queue_position).toBeDefined(),
    ],
  ] as const)('tolerates %s drift', async (drift, verify) => {
    server.simulator.setFault({ kind: 'drift', drift, id: EXAMPLE_ID });
    verify(await client().getDocumentStatus(EXAMPLE_ID));
  });

  it('refuses a body larger than maxResponseBytes', async () => {
    const error = await failure(client({ maxResponseBytes: 100 }).getDocumentStatus(EXAMPLE_ID));
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect(error.message).toContain('larger than 100 bytes');
  });
});

describe('an answer for another id (issue 9 item 7)', () => {
  // A mis-routing upstream (a proxy or cache keyed wrongly): asked for one id, it answers with the
  // simulator's status of another.
  let misrouter: HttpServer;
  let misroutedBaseUrl: string;
  const swap = new Map([
    [EXAMPLE_ID, DEMO_DOCUMENT_IDS[0]],
    [EXAMPLE_REQUEST_ID, DEMO_REQUEST_ID],
  ]);

  beforeAll(async () => {
    misrouter = createHttpServer(async (request, response) => {
      const path = (request.url ?? '').replace('/api/v1/', '');
      const [route, id = ''] = path.split('/');
      const upstream = await fetch(`${server.apiBaseUrl}/${route}/${swap.get(id) ?? id}`, {
        headers: { authorization: request.headers.authorization ?? '' },
      });
      response.writeHead(upstream.status, { 'content-type': 'application/json' });
      response.end(await upstream.text());
    });
    await new Promise<void>((resolve) => misrouter.listen(0, '127.0.0.1', resolve));
    misroutedBaseUrl = `http://127.0.0.1:${(misrouter.address() as AddressInfo).port}/api/v1`;
  });
  afterAll(() => new Promise((resolve) => misrouter.close(resolve)));

  it('refuses a document status whose document_id is not the id asked for', async () => {
    const error = await failure(
      client({ baseUrl: misroutedBaseUrl }).getDocumentStatus(EXAMPLE_ID),
    );
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect(error).toMatchObject({ status: 200, attempts: 1 });
    expect(error.message).toContain(EXAMPLE_ID);
    expect(error.message).toContain(DEMO_DOCUMENT_IDS[0]);
    expect(requestsFor(DEMO_DOCUMENT_IDS[0])).toBe(1);
  });

  it('refuses a request status whose request_id is not the id asked for', async () => {
    const error = await failure(
      client({ baseUrl: misroutedBaseUrl }).getRequestStatus(EXAMPLE_REQUEST_ID),
    );
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect(error).toMatchObject({ status: 200, attempts: 1 });
    expect(error.message).toContain(DEMO_REQUEST_ID);
  });

  it('still accepts the answer for the id asked for through the same upstream', async () => {
    const status = await client({ baseUrl: misroutedBaseUrl }).getDocumentStatus(
      DEMO_DOCUMENT_IDS[1],
    );
    expect(status.document_id).toBe(DEMO_DOCUMENT_IDS[1]);
  });
});

describe('timeouts and cancellation', () => {
  it('times out a hanging attempt and retries it', async () => {
    server.simulator.setFault({ kind: 'hang', id: EXAMPLE_ID, times: 1 });
    const { delays, sleep } = recordingSleep();
    const status = await client({ sleep, timeoutMs: 100 }).getDocumentStatus(EXAMPLE_ID);
    expect(status.status).toBe('completed');
    expect(delays).toHaveLength(1);
    expect(requestsFor(EXAMPLE_ID)).toBe(2);
  });

  it('throws TimeoutError when every attempt hangs', async () => {
    server.simulator.setFault({ kind: 'hang', id: EXAMPLE_ID });
    const { sleep } = recordingSleep();
    const error = await failure(
      client({ sleep, timeoutMs: 50, retry: { limit: 1 } }).getDocumentStatus(EXAMPLE_ID),
    );
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ timeoutMs: 50, attempts: 2 });
  });

  it('stops at the overall deadline even when the attempt timeout is longer', async () => {
    server.simulator.setFault({ kind: 'hang', id: EXAMPLE_ID });
    const error = await failure(
      client({ timeoutMs: 10_000 }).getDocumentStatus(EXAMPLE_ID, { deadlineMs: 80 }),
    );
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ timeoutMs: 80, attempts: 1 });
    expect(error.message).toContain('deadline');
  });

  it('aborts the in-flight request with the signal reason', async () => {
    server.simulator.setFault({ kind: 'hang', id: EXAMPLE_ID });
    const controller = new AbortController();
    const reason = new Error('user navigated away');
    const call = client().getDocumentStatus(EXAMPLE_ID, { signal: controller.signal });
    await vi.waitFor(() => expect(requestsFor(EXAMPLE_ID)).toBe(1));
    controller.abort(reason);
    await expect(call).rejects.toBe(reason);
    expect(requestsFor(EXAMPLE_ID)).toBe(1);
  });

  it('aborts a retry wait at once with the signal reason, and makes no further attempt', async () => {
    server.simulator.setFault({ kind: 'status', status: 503, id: EXAMPLE_ID });
    const controller = new AbortController();
    let waiting: () => void = () => {};
    const started = new Promise<void>((resolve) => {
      waiting = resolve;
    });
    // A sleep that never ends on its own: only the abort can end it.
    const sleep = (_ms: number, signal?: AbortSignal) =>
      new Promise<void>((_resolve, reject) => {
        waiting();
        signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
      });
    const call = client({ sleep }).getDocumentStatus(EXAMPLE_ID, { signal: controller.signal });
    await started;
    controller.abort('stop');
    await expect(call).rejects.toBe('stop');
    expect(requestsFor(EXAMPLE_ID)).toBe(1);
  });

  it('makes no request when the signal is already aborted', async () => {
    const reason = new DOMException('gone', 'AbortError');
    await expect(
      client().getDocumentStatus(EXAMPLE_ID, { signal: AbortSignal.abort(reason) }),
    ).rejects.toBe(reason);
    expect(requestsFor(EXAMPLE_ID)).toBe(0);
  });
});

describe('what the client sends', () => {
  function recordingFetch() {
    const seen: Request[] = [];
    const fetch = (input: RequestInfo | URL, init?: RequestInit) => {
      const request = new Request(input, init);
      seen.push(request.clone());
      return globalThis.fetch(request);
    };
    return { seen, fetch };
  }

  it('sends the bearer key, accept, the user agent and extra headers', async () => {
    const { seen, fetch } = recordingFetch();
    await client({
      fetch,
      userAgent: 'my-app/1.0',
      headers: { 'x-tenant': 'acme' },
    }).getDocumentStatus(EXAMPLE_ID);
    const headers = seen[0]!.headers;
    expect(headers.get('authorization')).toBe(`Bearer ${DEMO_API_KEY}`);
    expect(headers.get('accept')).toBe('application/json');
    expect(headers.get('user-agent')).toBe('my-app/1.0');
    expect(headers.get('x-tenant')).toBe('acme');
    expect(seen[0]!.method).toBe('GET');
    expect(seen[0]!.url).toBe(`${server.apiBaseUrl}/document-status/${EXAMPLE_ID}`);
  });

  it('never lets an extra header replace the Authorization built from apiKey', async () => {
    const { seen, fetch } = recordingFetch();
    await client({ fetch, headers: { authorization: 'Bearer other' } }).getDocumentStatus(
      EXAMPLE_ID,
    );
    expect(seen[0]!.headers.get('authorization')).toBe(`Bearer ${DEMO_API_KEY}`);
  });

  it('looks up the global fetch on each call, not at construction', async () => {
    const api = client();
    const calls: string[] = [];
    const realFetch = globalThis.fetch;
    vi.stubGlobal('fetch', (input: RequestInfo | URL, init?: RequestInit) => {
      calls.push(String(input instanceof Request ? input.url : input));
      return realFetch(input, init);
    });
    await api.getDocumentStatus(EXAMPLE_ID);
    expect(calls).toHaveLength(1);
  });

  it('runs ky beforeRequest and afterResponse hooks on each attempt', async () => {
    server.simulator.setFault({ kind: 'status', status: 503, id: EXAMPLE_ID, times: 1 });
    const { sleep } = recordingSleep();
    const seen: number[] = [];
    const recording = recordingFetch();
    await client({
      sleep,
      fetch: recording.fetch,
      hooks: {
        beforeRequest: [(request) => request.headers.set('x-trace', 'abc')],
        afterResponse: [(_request, _options, response) => void seen.push(response.status)],
      },
    }).getDocumentStatus(EXAMPLE_ID);
    expect(seen).toEqual([503, 200]);
    expect(recording.seen.map((request) => request.headers.get('x-trace'))).toEqual(['abc', 'abc']);
  });

  it('scrubs the key from anything the upstream echoes back', async () => {
    const echo = async (input: RequestInfo | URL, init?: RequestInit) => {
      const authorization = new Request(input, init).headers.get('authorization');
      return new Response(JSON.stringify({ detail: `bad header: ${authorization}` }), {
        status: 400,
      });
    };
    const error = await failure(client({ fetch: echo }).getDocumentStatus(EXAMPLE_ID));
    expect(error.message).toContain('[REDACTED]');
    for (const text of [error.message, JSON.stringify(error), inspect(error, { depth: 10 })]) {
      expect(text).not.toContain(DEMO_API_KEY);
    }
  });

  it('scrubs the key from an echoed status text and x-request-id too', async () => {
    const echo = async (input: RequestInfo | URL, init?: RequestInit) => {
      const key = new Request(input, init).headers.get('authorization')?.slice(7) ?? '';
      return new Response('{}', {
        status: 418,
        statusText: `Teapot ${key}`,
        headers: { 'x-request-id': key },
      });
    };
    const error = await failure(client({ fetch: echo }).getDocumentStatus(EXAMPLE_ID));
    expect(error.requestId).toBe('[REDACTED]');
    expect(inspect(error, { depth: 10 })).not.toContain(DEMO_API_KEY);
  });

  it('counts bytes, not characters, and stops reading a chunked body past maxResponseBytes', async () => {
    let pulls = 0;
    const endless = async () =>
      new Response(
        new ReadableStream<Uint8Array>({
          pull(controller) {
            pulls++;
            controller.enqueue(new TextEncoder().encode('é'.repeat(100))); // 200 bytes, 100 characters
          },
        }),
        { status: 200 },
      );
    const error = await failure(
      client({ fetch: endless, maxResponseBytes: 1000 }).getDocumentStatus(EXAMPLE_ID),
    );
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect(pulls).toBeLessThan(10);
  });

  it('keeps the key out of the inspected client', () => {
    expect(inspect(client(), { depth: 10, showHidden: true })).not.toContain(DEMO_API_KEY);
  });
});

describe('response metadata', () => {
  it('reports attempts and the x-request-id, and no freshness when the API sends no caching headers', async () => {
    server.simulator.setFault({ kind: 'status', status: 503, id: EXAMPLE_ID, times: 1 });
    const { sleep } = recordingSleep();
    const { data, meta } = await client({ sleep }).getDocumentStatusWithMeta(EXAMPLE_ID);
    expect(data.document_id).toBe(EXAMPLE_ID);
    expect(meta).toEqual({
      attempts: 2,
      requestId: expect.any(String),
      freshForMs: undefined,
      serverDateMs: expect.any(Number),
    });
  });

  it("reads the server's clock from its Date header: the simulator's own clock", async () => {
    const { meta } = await client().getDocumentStatusWithMeta(EXAMPLE_ID);
    expect(meta.serverDateMs).toBe(Math.floor(clock.now() / 1000) * 1000);
  });

  it('reads freshness from Cache-Control and Age, as the edge proxy sends them', async () => {
    const proxy = async () =>
      Response.json(DOCUMENTED_EXAMPLE, {
        headers: { 'cache-control': 'private, max-age=3', age: '1' },
      });
    const { meta } = await client({ fetch: proxy }).getDocumentStatusWithMeta(EXAMPLE_ID);
    expect(meta.freshForMs).toBe(2000);
  });

  it('returns request statuses with metadata too', async () => {
    const { data, meta } = await client().getRequestStatusWithMeta(EXAMPLE_REQUEST_ID);
    expect(data.request_id).toBe(EXAMPLE_REQUEST_ID);
    expect(meta.attempts).toBe(1);
  });
});

describe('no error ever shows the key', () => {
  const SECRET = 'nl_secretsecretsecretsecretsecret99';
  const keyless = (text: string | undefined) => expect(text ?? '').not.toContain(SECRET);
  /** An upstream that echoes the key back JSON-escaped (`\u006e\u006c...`): plain once parsed. */
  const escapedEcho = (status: number, body: (escapedKey: string) => string) => {
    const jsonEscaped = (text: string) =>
      [...text].map((char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');
    const echo = async (input: RequestInfo | URL, init?: RequestInit) => {
      const key = new Request(input, init).headers.get('authorization')?.slice(7) ?? '';
      return new Response(body(jsonEscaped(key)), { status });
    };
    return client({ apiKey: SECRET, retry: false, fetch: echo }).getDocumentStatus(EXAMPLE_ID);
  };

  it.each([
    ['AuthenticationError', async () => client({ apiKey: SECRET }).getDocumentStatus(EXAMPLE_ID)],
    [
      'ConnectionError',
      async () =>
        client({
          apiKey: SECRET,
          sleep: async () => {},
          baseUrl: `http://127.0.0.1:${await closedPort()}/v1`,
        }).getDocumentStatus(EXAMPLE_ID),
    ],
    [
      'TimeoutError',
      async () => {
        server.simulator.setFault({ kind: 'hang', id: EXAMPLE_ID });
        return client({ apiKey: SECRET, timeoutMs: 30, retry: false }).getDocumentStatus(
          EXAMPLE_ID,
        );
      },
    ],
    [
      'InvalidResponseError',
      async () =>
        client({
          apiKey: SECRET,
          fetch: async () => new Response(`{"oops": "${SECRET}"`),
        }).getDocumentStatus(EXAMPLE_ID),
    ],
    [
      'ServerError',
      async () =>
        client({
          apiKey: SECRET,
          retry: false,
          fetch: async () =>
            new Response(`<html>${SECRET}</html>`, { status: 502, statusText: SECRET }),
        }).getDocumentStatus(EXAMPLE_ID),
    ],
    ['InvalidIdError', async () => client({ apiKey: SECRET }).getDocumentStatus(SECRET + '/x')],
    [
      // Found by audit: the parser's error, kept as the cause, held the echoed request.
      'ConnectionError',
      async () =>
        client({ apiKey: SECRET, retry: false, baseUrl: await echoingGarbage() }).getDocumentStatus(
          EXAMPLE_ID,
        ),
    ],
    [
      'AuthenticationError',
      async () => escapedEcho(401, (key) => `{"detail":"Invalid key ${key}","input":"${key}"}`),
    ],
    [
      'UnexpectedStatusError',
      async () =>
        escapedEcho(422, (key) => `{"detail":[{"loc":["header","${key}"],"msg":"bad ${key}"}]}`),
    ],
    [
      'InvalidResponseError',
      async () =>
        escapedEcho(200, (key) =>
          JSON.stringify({ ...DOCUMENTED_EXAMPLE, document_id: 'x' }).replace('"x"', `"${key}"`),
        ),
    ],
    [
      'InvalidResponseError',
      async () =>
        escapedEcho(200, (key) =>
          JSON.stringify({ ...DOCUMENTED_EXAMPLE, total_pages: 'x' }).replace('"x"', `"${key}"`),
        ),
    ],
  ])('%s', async (name, call) => {
    const error = await failure(call());
    expect(error.name).toBe(name);
    keyless(error.message);
    keyless(error.stack);
    keyless(JSON.stringify(error));
    keyless(inspect(error, { depth: 20, showHidden: true }));
  });
});

describe('a long-lived caller signal', () => {
  it('holds no listener once a call has ended', async () => {
    const controller = new AbortController();
    const added = vi.spyOn(controller.signal, 'addEventListener');
    const removed = vi.spyOn(controller.signal, 'removeEventListener');
    for (let i = 0; i < 3; i++)
      await client().getDocumentStatus(EXAMPLE_ID, { signal: controller.signal });
    expect(added.mock.calls.length).toBeGreaterThan(0);
    expect(removed.mock.calls.map((call) => call[1])).toEqual(
      added.mock.calls.map((call) => call[1]),
    );
  });
});
