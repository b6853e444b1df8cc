import { parseDocumentStatus, parseRequestStatus } from '@neurostatus/core';
import { driveWhenIdle } from '@neurostatus/poller/test-support/idle-drive';
import { DEMO_DOCUMENT_IDS, DEMO_REQUEST_ID, DOCUMENTED_EXAMPLE } from '@neurostatus/simulator';
import { describe, expect, it } from 'vitest';
import { mintStatusToken } from './status-token.ts';
import {
  createEdgeHarness,
  type EdgeHarness,
  parseEvents,
  type SseEvent,
  TEST_SECRET,
} from './test-support/edge-harness.ts';
import { eventLoopUntil } from './test-support/event-loop-until.ts';

const [PURCHASE_ORDER, REPORT, FAILING_SCAN] = DEMO_DOCUMENT_IDS;
const events = (kind: 'document' | 'request', id: string) => `/api/v1/${kind}-status/${id}/events`;

/** Opens an event stream and reads it to its end, on virtual time. */
async function stream(h: EdgeHarness, path: string, headers: Record<string, string> = {}) {
  const response = await h.get(path, headers);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const text = await driveWhenIdle(h.clock, response.text(), h);
  return parseEvents(text);
}

/**
 * Reads `response`'s body until its text holds `marker`: `first` is the text read so far, and
 * `rest()` reads the remainder to the end of the stream.
 */
function readUntil(response: Response, marker: string) {
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  const read = async (until?: string) => {
    let text = '';
    while (until === undefined || !text.includes(until)) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
    return text;
  };
  return { first: read(marker), rest: () => read() };
}

const named = (all: SseEvent[]) => all.flatMap((event) => ('event' in event ? [event] : []));

describe('document event streams', () => {
  it('pushes each change of a document, then `end`, then closes', async () => {
    const h = await createEdgeHarness();
    const all = named(await stream(h, events('document', PURCHASE_ORDER)));
    expect(all.map((event) => event.event)).toEqual(['status', 'status', 'end']);
    const [first, last] = all.map((event) =>
      event.event === 'status' ? parseDocumentStatus(JSON.parse(event.data)) : undefined,
    );
    expect(first?.status).toBe('processing');
    expect(last?.status).toBe('completed');
    // Each id is the body's ETag, so a reconnect resumes after what the client saw.
    for (const event of all.slice(0, 2)) expect(event.id).toMatch(/^[\w-]{22}$/);
  });

  it('reports a failed document as a status, then ends', async () => {
    const h = await createEdgeHarness();
    const all = named(await stream(h, events('document', FAILING_SCAN)));
    const statuses = all.filter((event) => event.event === 'status');
    expect(JSON.parse(statuses.at(-1)?.data ?? '{}').status).toBe('failed');
    expect(all.at(-1)?.event).toBe('end');
  });

  it('sends a heartbeat comment every EDGE_HEARTBEAT_SECONDS while nothing changes', async () => {
    const h = await createEdgeHarness({ EDGE_HEARTBEAT_SECONDS: '5' });
    h.clock.advance(2_000); // past its 1.5 s pending: processing for the next 38 s
    const response = await h.get(events('document', REPORT));
    const reader = response.body?.pipeThrough(new TextDecoderStream()).getReader();
    if (reader === undefined) throw new Error('no body');
    let text = '';
    const readUntil = async (pattern: RegExp) => {
      while (!pattern.test(text)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`the stream ended before ${pattern}`);
        text += value;
      }
    };
    await readUntil(/event: status/);
    for (let beat = 1; beat <= 4; beat++) {
      // Both the stream's heartbeat and the poll loop are asleep: move time by one heartbeat.
      await h.clock.whenSleeping(2);
      h.clock.advance(5_000);
      await readUntil(new RegExp(`(: heartbeat\n\n[^]*){${beat}}`));
    }
    expect(text.match(/: heartbeat\n\n/g)).toHaveLength(4);
    expect(text.match(/event: status/g)).toHaveLength(1); // no change, so no second status
    await reader.cancel();
  });

  it('resumes after Last-Event-ID: a client that saw the terminal status only gets `end`', async () => {
    const h = await createEdgeHarness({ EDGE_TERMINAL_TTL_SECONDS: '0' }); // no cache shortcut
    const first = named(await stream(h, events('document', DOCUMENTED_EXAMPLE.document_id)));
    expect(first.map((event) => event.event)).toEqual(['status', 'end']);
    const lastId = first[0]?.id ?? '';
    const resumed = named(
      await stream(h, events('document', DOCUMENTED_EXAMPLE.document_id), {
        'last-event-id': lastId,
      }),
    );
    expect(resumed.map((event) => event.event)).toEqual(['end']);
  });

  it('answers a finished document from the cache, without a poll loop', async () => {
    const h = await createEdgeHarness();
    const id = DOCUMENTED_EXAMPLE.document_id;
    await h.get(`/api/v1/document-status/${id}`);
    const calls = h.upstreamCalls;
    const all = named(await stream(h, events('document', id)));
    expect(all.map((event) => event.event)).toEqual(['status', 'end']);
    expect(h.upstreamCalls).toBe(calls);
    // A client that has it already is told to stop reconnecting: 204 (WHATWG server-sent events).
    const again = await h.get(events('document', id), { 'last-event-id': all[0]?.id ?? '' });
    expect(again.status).toBe(204);
    expect(h.upstreamCalls).toBe(calls);
  });

  it('answers HEAD without starting a stream', async () => {
    const h = await createEdgeHarness();
    const res = await h.app.request(events('document', PURCHASE_ORDER), { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const metrics = await (await h.get('/metrics')).text();
    expect(metrics).toContain('neurostatus_edge_event_streams 0');
    expect(metrics).toContain('neurostatus_edge_poll_loops 0');
    expect(h.upstreamCalls).toBe(0);
  });

  it('refuses a stream past EDGE_MAX_EVENT_STREAMS with 503, and takes one again once a stream ends', async () => {
    const h = await createEdgeHarness({ EDGE_MAX_EVENT_STREAMS: '1' });
    const open = await h.get(events('document', PURCHASE_ORDER));
    const refused = await h.get(events('document', REPORT));
    expect(refused.status).toBe(503);
    expect(await refused.json()).toMatchObject({ error: { code: 'TOO_MANY_STREAMS' } });
    await driveWhenIdle(h.clock, open.text(), h);
    expect((await h.get(events('document', DOCUMENTED_EXAMPLE.document_id))).status).toBe(200);
  });

  it('closes a stream, without `end`, when its status token expires', async () => {
    const h = await createEdgeHarness({ EDGE_MODE: 'scoped-token' });
    const token = await mintStatusToken({
      secret: TEST_SECRET,
      documentIds: [REPORT],
      ttlSeconds: 10,
      now: () => h.clock.now(),
    });
    const started = h.clock.now();
    const all = named(
      await stream(h, events('document', REPORT), { authorization: `Bearer ${token}` }),
    );
    expect(all.length).toBeGreaterThanOrEqual(1);
    expect(all.every((event) => event.event === 'status')).toBe(true);
    // The report completes at 40.5 s: the stream must have closed before, at the token's expiry.
    // (The driver may move time on while the closed response drains, so time is a lower bound.)
    expect(all.map((event) => JSON.parse(event.data).status)).not.toContain('completed');
    expect(h.clock.now() - started).toBeGreaterThanOrEqual(10_000);
  });

  it('shares one poll loop between all the streams of a document', async () => {
    const alone = await createEdgeHarness();
    await stream(alone, events('document', PURCHASE_ORDER));
    const crowd = await createEdgeHarness();
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => crowd.get(events('document', PURCHASE_ORDER))),
    );
    const texts = await driveWhenIdle(
      crowd.clock,
      Promise.all(responses.map((response) => response.text())),
      crowd,
    );
    for (const text of texts) {
      expect(named(parseEvents(text)).map((event) => event.event)).toEqual([
        'status',
        'status',
        'end',
      ]);
    }
    expect(alone.simulator.stats().byId[PURCHASE_ORDER]).toBeGreaterThanOrEqual(2);
    expect(crowd.simulator.stats().byId[PURCHASE_ORDER]).toBe(
      alone.simulator.stats().byId[PURCHASE_ORDER],
    );
  });

  it('stores what the stream learns, so a poll afterwards is a cache hit', async () => {
    const h = await createEdgeHarness();
    await stream(h, events('document', PURCHASE_ORDER));
    const calls = h.upstreamCalls;
    const res = await h.get(`/api/v1/document-status/${PURCHASE_ORDER}`);
    expect(res.headers.get('cache-status')).toMatch(/; hit; /);
    expect(JSON.parse(await res.text()).status).toBe('completed');
    expect(h.upstreamCalls).toBe(calls);
  });

  it('ends with a `failure` event for a document that never appears', async () => {
    const h = await createEdgeHarness();
    const all = named(await stream(h, events('document', '00000000-0000-4000-8000-000000000000')));
    expect(all.map((event) => event.event)).toEqual(['failure']);
    expect(JSON.parse(all[0]?.data ?? '{}')).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });

  it('accepts a status token in access_token, since EventSource cannot send headers', async () => {
    const h = await createEdgeHarness({ EDGE_MODE: 'scoped-token' });
    const token = await mintStatusToken({ secret: TEST_SECRET, documentIds: [PURCHASE_ORDER] });
    const path = `${events('document', PURCHASE_ORDER)}?access_token=${encodeURIComponent(token)}`;
    expect(named(await stream(h, path)).at(-1)?.event).toBe('end');
    expect((await h.get(events('document', PURCHASE_ORDER))).status).toBe(401);
  });
});

describe('request event streams', () => {
  it('pushes the request as its documents finish, then `end`', async () => {
    const h = await createEdgeHarness();
    const all = named(await stream(h, events('request', DEMO_REQUEST_ID)));
    const statuses = all
      .filter((event) => event.event === 'status')
      .map((event) => parseRequestStatus(JSON.parse(event.data)));
    expect(statuses.length).toBeGreaterThanOrEqual(3);
    expect(statuses[0]?.status).not.toBe(statuses.at(-1)?.status);
    expect(['completed', 'partial', 'failed']).toContain(statuses.at(-1)?.status);
    expect(all.at(-1)?.event).toBe('end');
  });
});

describe('shutdown', () => {
  it('closes document and request streams without `end`, so clients reconnect elsewhere', async () => {
    const h = await createEdgeHarness();
    const responses = await Promise.all([
      h.get(events('document', REPORT)),
      h.get(events('request', DEMO_REQUEST_ID)),
    ]);
    // Read each stream until its first status has arrived, then shut down mid-way.
    const readers = responses.map((response) => readUntil(response, 'event: status'));
    const firsts = await Promise.all(readers.map((reader) => reader.first));
    h.shutdown();
    const texts = await Promise.all(
      readers.map(async (reader, i) => firsts[i] + (await reader.rest())),
    );
    for (const text of texts) {
      const all = named(parseEvents(text));
      expect(all.length).toBeGreaterThanOrEqual(1);
      expect(all.every((event) => event.event === 'status')).toBe(true);
    }
  });
});

describe('a client that leaves', () => {
  it('releases its listener, heartbeat and poll loop', async () => {
    const h = await createEdgeHarness();
    const response = await h.get(events('document', REPORT));
    const reader = response.body?.getReader();
    if (reader === undefined) throw new Error('no body');
    await reader.read(); // the stream is open: `retry:` arrived
    const gauges = async () => {
      const text = await (await h.get('/metrics')).text();
      return [/event_streams (\d+)/.exec(text)?.[1], /poll_loops (\d+)/.exec(text)?.[1]];
    };
    expect(await gauges()).toEqual(['1', '1']);
    await reader.cancel();
    await eventLoopUntil(async () => (await gauges())[0] === '0', 'the stream gauge at 0');
    expect(await gauges()).toEqual(['0', '0']);
    const calls = h.upstreamCalls;
    h.clock.advance(60_000); // nothing polls or beats any more
    for (let turn = 0; turn < 20; turn++) await new Promise((resolve) => setImmediate(resolve));
    expect(h.upstreamCalls).toBe(calls);
    expect(h.clock.pending).toHaveLength(0);
  });
});
