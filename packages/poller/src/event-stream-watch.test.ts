// The event-stream transport's own rules, on virtual time with an injected `fetch` that answers
// with hand-written streams (the tests against the real proxy are in apps/edge/test).
import { inspect } from 'node:util';
import type { DocumentStatus } from '@neurostatus/core';
import { DOCUMENTED_EXAMPLE } from '@neurostatus/simulator';
import { describe, expect, it } from 'vitest';
import { resolveTransport } from './event-stream-options.ts';
import { createPollScheduler } from './poll-scheduler.ts';
import { createVirtualClock, type VirtualClock } from './virtual-clock.ts';
import { watchStatus } from './watch-status.ts';

const ID = DOCUMENTED_EXAMPLE.document_id;
const BASE = 'http://proxy.test/api/v1';
const done = DOCUMENTED_EXAMPLE as unknown as DocumentStatus;
const running = { ...done, status: 'processing', completed_at: null, results: {} };
const status = (value: unknown, id: string) =>
  `event: status\nid: ${id}\ndata: ${JSON.stringify(value)}\n\n`;

/**
 * A reply of the fake proxy: an event stream of these chunks (kept open with `hold`), a status (its
 * body never ending with `holdBody`), or `stall`: no response headers until the request is aborted.
 */
type Reply =
  | { chunks: string[]; hold?: boolean }
  | { status: number; body?: string; holdBody?: boolean }
  | { stall: true };

interface FakeProxy {
  readonly fetch: typeof fetch;
  /** Headers of each connection, in order. */
  readonly requests: Headers[];
  /** Streams whose reader was cancelled (the client let go of them). */
  cancelled: number;
  /** Requests aborted before their response headers came. */
  aborted: number;
}

function fakeProxy(replies: Reply[]): FakeProxy {
  const proxy: FakeProxy = {
    requests: [],
    cancelled: 0,
    aborted: 0,
    fetch: async (_input, init) => {
      proxy.requests.push(new Headers(init?.headers));
      const reply = replies.shift() ?? { status: 599 };
      if ('stall' in reply) {
        return new Promise<Response>((_resolve, reject) => {
          init?.signal?.addEventListener('abort', () => {
            proxy.aborted++;
            reject(init.signal?.reason);
          });
        });
      }
      if ('status' in reply) {
        if (!reply.holdBody) return new Response(reply.body ?? '', { status: reply.status });
        const body = new ReadableStream({ cancel: () => void proxy.cancelled++ });
        return new Response(body, { status: reply.status });
      }
      const encoder = new TextEncoder();
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          for (const chunk of reply.chunks) controller.enqueue(encoder.encode(chunk));
          if (!reply.hold) controller.close();
        },
        cancel() {
          proxy.cancelled++;
        },
      });
      return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
    },
  };
  return proxy;
}

/** Never called: these tests only use streams. */
const noPolling = {
  getDocumentStatusWithMeta: () => Promise.reject(new Error('polled')),
};

function watch(proxy: FakeProxy, clock: VirtualClock, extra: Record<string, unknown> = {}) {
  return watchStatus(noPolling, ID, {
    transport: 'events',
    events: { baseUrl: BASE, fetch: proxy.fetch, idleTimeoutMs: Number.POSITIVE_INFINITY },
    clock,
    random: () => 0.5,
    ...extra,
  })[Symbol.asyncIterator]();
}

/** The next sleep's length, once the watch sleeps, then fires it. */
async function nextWait(clock: VirtualClock): Promise<number> {
  await clock.whenSleeping();
  const wait = (clock.pending[0] ?? Number.NaN) - clock.now();
  clock.fireNext();
  return wait;
}

describe('resolveTransport', () => {
  it('means polling by default and for `poll`', () => {
    expect(resolveTransport({})).toBeUndefined();
    expect(resolveTransport({ transport: 'poll' })).toBeUndefined();
  });

  it('refuses nonsense with a TypeError naming the option, never quoting a URL', () => {
    expect(() => resolveTransport({ transport: 'sse' as 'events' })).toThrow(/`transport`/);
    expect(() => resolveTransport({ transport: 'events' })).toThrow(
      /needs `events: \{ baseUrl \}`/,
    );
    const secret = 'https://user:hunter2@proxy.test/api/v1';
    expect(() => resolveTransport({ transport: 'auto', events: { baseUrl: secret } })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('hunter2') }),
    );
    expect(() =>
      resolveTransport({ transport: 'auto', events: { baseUrl: BASE, idleTimeoutMs: 0 } }),
    ).toThrow(/idleTimeoutMs/);
    expect(() =>
      resolveTransport({ transport: 'auto', events: { baseUrl: BASE, lastEventId: 'a\nb' } }),
    ).toThrow(/lastEventId/);
  });

  it('drops a trailing slash from the base URL', () => {
    expect(
      resolveTransport({ transport: 'events', events: { baseUrl: `${BASE}/` } })?.baseUrl,
    ).toBe(BASE);
  });
});

describe('watching over an event stream', () => {
  it("reconnects after the stream's `retry:` time, with Last-Event-ID, and never yields a status twice", async () => {
    const clock = createVirtualClock(0);
    const proxy = fakeProxy([
      { chunks: ['retry: 5000\n\n', status(running, 'a')] },
      // A proxy that ignored Last-Event-ID would send the same status again.
      { chunks: [status(running, 'a'), status(done, 'b')] },
    ]);
    const iterator = watch(proxy, clock, { random: () => 0 });
    expect((await iterator.next()).value?.status).toBe('processing');
    const pending = iterator.next();
    expect(await nextWait(clock)).toBe(5_000);
    expect((await pending).value?.status).toBe('completed');
    expect((await iterator.next()).done).toBe(true);
    expect(proxy.requests.map((headers) => headers.get('last-event-id'))).toEqual([null, 'a']);
    expect(proxy.requests[0]?.get('accept')).toBe('text/event-stream');
  });

  it('backs off with jitter while attempts fail, then gives up with the last typed error', async () => {
    const clock = createVirtualClock(0);
    const proxy = fakeProxy([{ status: 502 }, { status: 502 }, { status: 502 }]);
    const iterator = watch(proxy, clock, { maxConsecutiveErrors: 2 });
    const result = iterator.next();
    // The stream's default 2 s, plus half (random 0.5) of 2 s doubled per failure in a row.
    expect(await nextWait(clock)).toBe(2_000 + 2_000);
    expect(await nextWait(clock)).toBe(2_000 + 4_000);
    await expect(result).rejects.toMatchObject({ code: 'SERVER_ERROR', status: 502 });
    expect(proxy.requests).toHaveLength(3);
  });

  it('honours Retry-After on a 429 when it is longer than the backoff', async () => {
    const clock = createVirtualClock(0);
    const proxy = fakeProxy([]);
    const base = proxy.fetch;
    let calls = 0;
    const fetchWithRetryAfter: typeof fetch = async (input, init) =>
      calls++ === 0
        ? new Response('{"error":{"code":"RATE_LIMITED","message":"slow down"}}', {
            status: 429,
            headers: { 'retry-after': '30' },
          })
        : base(input, init);
    const iterator = watchStatus(noPolling, ID, {
      transport: 'events',
      events: {
        baseUrl: BASE,
        fetch: fetchWithRetryAfter,
        idleTimeoutMs: Number.POSITIVE_INFINITY,
      },
      clock,
      random: () => 0.5,
      maxConsecutiveErrors: 1,
    })[Symbol.asyncIterator]();
    const result = iterator.next();
    expect(await nextWait(clock)).toBe(30_000);
    await expect(result).rejects.toMatchObject({ status: 599 });
  });

  it('treats any event carrying an error body as the error (whatever the proxy names it)', async () => {
    const clock = createVirtualClock(0);
    const body = '{"error":{"code":"UPSTREAM_FORBIDDEN","message":"The key may not read this."}}';
    const proxy = fakeProxy([
      { chunks: [status(running, 'a'), `event: renamed-later\ndata: ${body}\n\n`] },
    ]);
    const iterator = watch(proxy, clock);
    await iterator.next();
    await expect(iterator.next()).rejects.toMatchObject({
      name: 'PermissionDeniedError',
      code: 'PERMISSION_DENIED',
      message: expect.stringContaining('UPSTREAM_FORBIDDEN'),
    });
  });

  it('lets go of the connection at once on break: the stream is cancelled, no timer is left', async () => {
    const clock = createVirtualClock(0);
    const proxy = fakeProxy([{ chunks: [status(running, 'a')], hold: true }]);
    for await (const value of watchStatus(noPolling, ID, {
      transport: 'events',
      events: { baseUrl: BASE, fetch: proxy.fetch, idleTimeoutMs: 30_000 },
      clock,
    })) {
      expect(value.status).toBe('processing');
      break;
    }
    expect(proxy.cancelled).toBe(1);
    expect(clock.pending).toEqual([]);
  });

  it('drops a stream that stays silent past idleTimeoutMs and opens another', async () => {
    const clock = createVirtualClock(0);
    const proxy = fakeProxy([
      { chunks: [status(running, 'a')], hold: true },
      { chunks: [status(done, 'b')] },
    ]);
    const iterator = watchStatus(noPolling, ID, {
      transport: 'events',
      events: { baseUrl: BASE, fetch: proxy.fetch, idleTimeoutMs: 10_000 },
      clock,
      random: () => 0,
    })[Symbol.asyncIterator]();
    await iterator.next();
    const pending = iterator.next();
    expect(await nextWait(clock)).toBe(10_000); // the silence
    expect(await nextWait(clock)).toBe(2_000); // the reconnection wait
    expect((await pending).value?.status).toBe('completed');
    expect(proxy.cancelled).toBe(1);
  });

  it('gives up on a connection whose headers do not come within idleTimeoutMs, and opens another', async () => {
    const clock = createVirtualClock(0);
    const proxy = fakeProxy([{ stall: true }, { chunks: [status(done, 'b')] }]);
    const iterator = watchStatus(noPolling, ID, {
      transport: 'events',
      events: { baseUrl: BASE, fetch: proxy.fetch, idleTimeoutMs: 10_000 },
      clock,
      random: () => 0,
    })[Symbol.asyncIterator]();
    const pending = iterator.next();
    expect(await nextWait(clock)).toBe(10_000); // the wait for headers
    expect(proxy.aborted).toBe(1);
    expect(await nextWait(clock)).toBe(2_000); // the reconnection wait
    expect((await pending).value?.status).toBe('completed');
    expect((await iterator.next()).done).toBe(true);
    expect(clock.pending).toEqual([]);
  });

  it('counts connections that stall as failed attempts: maxConsecutiveErrors of them end the watch', async () => {
    const clock = createVirtualClock(0);
    const proxy = fakeProxy([{ stall: true }, { status: 502, holdBody: true }]);
    const iterator = watchStatus(noPolling, ID, {
      transport: 'events',
      events: { baseUrl: BASE, fetch: proxy.fetch, idleTimeoutMs: 10_000 },
      clock,
      random: () => 0,
      maxConsecutiveErrors: 1,
    })[Symbol.asyncIterator]();
    const result = iterator.next();
    expect(await nextWait(clock)).toBe(10_000);
    expect(await nextWait(clock)).toBe(2_000);
    // A refusal whose body never ends is bounded by the same timer.
    expect(await nextWait(clock)).toBe(10_000);
    await expect(result).rejects.toMatchObject({ name: 'TimeoutError', code: 'TIMEOUT' });
    expect(proxy.cancelled).toBe(1);
  });

  it.each([
    ['a status that fails validation', 'event: status\ndata: {"status": 42}\n\n'],
    ['a message that is not JSON', 'data: {not json\n\n'],
  ])(
    'ends the watch when every connection sends %s: bytes alone do not reset the failures',
    async (_what, chunk) => {
      const clock = createVirtualClock(0);
      const proxy = fakeProxy([
        { chunks: [chunk] },
        { chunks: [': heartbeat\n\n', chunk] },
        { chunks: [chunk] },
      ]);
      const iterator = watch(proxy, clock, { random: () => 0, maxConsecutiveErrors: 2 });
      const result = iterator.next();
      expect(await nextWait(clock)).toBe(2_000);
      expect(await nextWait(clock)).toBe(2_000);
      await expect(result).rejects.toMatchObject({
        name: 'InvalidResponseError',
        code: 'INVALID_RESPONSE',
      });
      expect(proxy.requests).toHaveLength(3);
    },
  );

  it('starts counting failures afresh after a valid status', async () => {
    const clock = createVirtualClock(0);
    const broken = 'event: status\ndata: {"status": 42}\n\n';
    const proxy = fakeProxy([
      { chunks: [broken] },
      { chunks: [status(running, 'a'), broken] },
      { chunks: [status(done, 'b')] },
    ]);
    // One failure in a row is allowed: the second broken status is the first since a valid one.
    const iterator = watch(proxy, clock, { random: () => 0, maxConsecutiveErrors: 1 });
    const first = iterator.next();
    expect(await nextWait(clock)).toBe(2_000);
    expect((await first).value?.status).toBe('processing');
    const second = iterator.next();
    expect(await nextWait(clock)).toBe(2_000);
    expect((await second).value?.status).toBe('completed');
  });

  it('reconnects after a status that fails validation, as after any broken answer', async () => {
    const clock = createVirtualClock(0);
    const proxy = fakeProxy([
      { chunks: ['event: status\nid: x\ndata: {"status": 42}\n\n'] },
      { chunks: [status(done, 'b')] },
    ]);
    const iterator = watch(proxy, clock, { random: () => 0 });
    const pending = iterator.next();
    expect(await nextWait(clock)).toBe(2_000);
    expect((await pending).value?.status).toBe('completed');
  });

  it('sends the token from getToken() as a bearer header, and never puts it in a message', async () => {
    const clock = createVirtualClock(0);
    const token = 'v1.secret-token.signature';
    const proxy = fakeProxy([{ status: 401 }, { status: 401 }]);
    const iterator = watchStatus(noPolling, ID, {
      transport: 'events',
      events: { baseUrl: BASE, fetch: proxy.fetch, getToken: async () => token },
      clock,
    })[Symbol.asyncIterator]();
    const error = await iterator.next().catch((caught: Error) => caught);
    expect(error).toMatchObject({ code: 'AUTHENTICATION_FAILED' });
    expect(JSON.stringify(error) + String(error)).not.toContain(token);
    expect(proxy.requests.map((headers) => headers.get('authorization'))).toEqual([
      `Bearer ${token}`,
      `Bearer ${token}`,
    ]);
    expect(proxy.requests.every((headers) => !headers.has('last-event-id'))).toBe(true);
  });
});

describe('the credential in what the proxy sends back', () => {
  const token = 'tok_SECRET_abcdef123456';
  const escaped = [...token]
    .map((char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .join('');
  const shown = (error: unknown) =>
    [
      String(error),
      (error as Error).stack,
      JSON.stringify(error),
      inspect(error, { depth: 10 }),
    ].join('\n');

  async function failureOf(replies: Reply[]): Promise<unknown> {
    const proxy = fakeProxy(replies);
    const iterator = watchStatus(noPolling, ID, {
      transport: 'events',
      events: { baseUrl: BASE, fetch: proxy.fetch, getToken: () => token },
      clock: createVirtualClock(0),
    })[Symbol.asyncIterator]();
    return iterator.next().catch((caught: unknown) => caught);
  }

  it.each([
    ['plain', `Bearer ${token}`],
    ['JSON-escaped', escaped],
  ])('is redacted from a failure event that echoes it %s', async (_how, echoed) => {
    const body = `{"error":{"code":"INVALID_TOKEN","message":"bad token ${echoed}"}}`;
    const error = await failureOf([{ chunks: [`event: failure\ndata: ${body}\n\n`] }]);
    expect(error).toMatchObject({ code: 'AUTHENTICATION_FAILED' });
    expect((error as Error).message).toContain('[REDACTED]');
    expect(shown(error)).not.toContain(token);
  });

  // Found by audit: undici's parser error keeps the bytes it choked on (`data`), and a server
  // that echoes the request into a malformed answer puts the header there.
  it("is redacted from the cause of a connection that failed (undici's parser error)", async () => {
    const parserError = Object.assign(new Error('Response does not match the HTTP/1.1 protocol'), {
      name: 'HTTPParserError',
      code: 'HPE_INVALID_HEADER_TOKEN',
      data: `GET /v1/document-status/x/events HTTP/1.1\r\nauthorization: Bearer ${token}\r\n`,
    });
    const iterator = watchStatus(noPolling, ID, {
      transport: 'events',
      events: {
        baseUrl: BASE,
        fetch: async () => {
          throw new TypeError('fetch failed', { cause: parserError });
        },
        getToken: () => token,
      },
      maxConsecutiveErrors: 0,
      clock: createVirtualClock(0),
    })[Symbol.asyncIterator]();
    const error = await iterator.next().catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'CONNECTION_FAILED' });
    expect((error as Error).cause).toBeInstanceOf(TypeError);
    expect(inspect(error, { depth: 10 })).toContain('HPE_INVALID_HEADER_TOKEN');
    expect(shown(error)).not.toContain(token);
  });

  it('is redacted from a refusal whose body echoes it, in the code as in the message', async () => {
    const body = `{"error":{"code":"INVALID_TOKEN ${escaped}","message":"bad ${escaped}"}}`;
    const error = await failureOf([
      { status: 401, body },
      { status: 401, body },
    ]);
    expect(error).toMatchObject({ code: 'AUTHENTICATION_FAILED', status: 401 });
    expect(shown(error)).not.toContain(token);
  });
});

describe('transport options with a scheduler', () => {
  it('refuses an event-stream transport with `scheduler`, which polls, and allows `poll`', () => {
    const scheduler = createPollScheduler();
    const events = { baseUrl: BASE };
    expect(() => watchStatus(noPolling, ID, { scheduler, transport: 'auto', events })).toThrow(
      /cannot go with `scheduler`/,
    );
    expect(() => watchStatus(noPolling, ID, { scheduler, transport: 'poll' })).not.toThrow();
    scheduler.close();
  });
});

describe('404 on an event stream', () => {
  const status200 = {
    getDocumentStatusWithMeta: async () => ({
      data: done,
      meta: { freshForMs: undefined, requestId: undefined, attempts: 1 },
    }),
  };

  it('is an unknown id when the proxy says NOT_FOUND: a NotFoundError once the grace has passed', async () => {
    const clock = createVirtualClock(0);
    const body = '{"error":{"code":"NOT_FOUND","message":"No document with this id."}}';
    const proxy = fakeProxy([{ status: 404, body }]);
    const iterator = watchStatus(status200, ID, {
      transport: 'auto',
      events: { baseUrl: BASE, fetch: proxy.fetch },
      clock,
      notFoundGraceMs: 0,
    })[Symbol.asyncIterator]();
    await expect(iterator.next()).rejects.toMatchObject({ code: 'NOT_FOUND', status: 404 });
  });

  it('is a missing route otherwise: the watch polls instead', async () => {
    const clock = createVirtualClock(0);
    const body = '{"error":{"code":"ROUTE_NOT_FOUND","message":"No such route."}}';
    const proxy = fakeProxy([{ status: 404, body }]);
    const values = [];
    for await (const value of watchStatus(status200, ID, {
      transport: 'events',
      events: { baseUrl: BASE, fetch: proxy.fetch },
      clock,
    })) {
      values.push(value.status);
    }
    expect(values).toEqual(['completed']);
    expect(proxy.requests).toHaveLength(1);
  });
});

describe('getToken()', () => {
  it('ends the watch with a TypeError for a token no header can carry, without quoting it', async () => {
    const clock = createVirtualClock(0);
    const proxy = fakeProxy([]);
    const iterator = watchStatus(noPolling, ID, {
      transport: 'events',
      events: { baseUrl: BASE, fetch: proxy.fetch, getToken: () => 'secret\nvalue' },
      clock,
    })[Symbol.asyncIterator]();
    const error = await iterator.next().catch((caught: Error) => caught);
    expect(error).toBeInstanceOf(TypeError);
    expect(String(error)).not.toContain('secret');
    expect(proxy.requests).toHaveLength(0);
  });
});
