import {
  type DocumentStatus,
  NotFoundError,
  RateLimitError,
  type RequestStatus,
  type WithMeta,
} from '@neurostatus/core';
import { describe, expect, it } from 'vitest';
import { fixedInterval } from './fixed-interval.ts';
import { createPollScheduler } from './poll-scheduler.ts';
import { createVirtualClock } from './virtual-clock.ts';

const R = '00000000-0000-4000-8000-0000000000aa';
const A = '00000000-0000-4000-8000-0000000000a1';
const B = '00000000-0000-4000-8000-0000000000b1';
const docOf = (id: string, status = 'processing'): DocumentStatus =>
  ({
    document_id: id,
    request_id: R,
    status,
    started_at: null,
    completed_at: null,
    results: {},
  }) as DocumentStatus;
const requestOf = (ids: string[], status = 'processing'): RequestStatus =>
  ({
    success: true,
    request_id: R,
    status,
    documents: ids.map((id) => ({
      document_id: id,
      filename: 'x.pdf',
      status: 'processing',
      result: docOf(id),
    })),
  }) as unknown as RequestStatus;
const meta = { freshForMs: undefined, requestId: undefined, attempts: 1 };
const flush = async () => {
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
};
const noop = { status: () => {}, end: () => {}, error: () => {} };

function reader(
  clock: ReturnType<typeof createVirtualClock>,
  answer: (n: number) => RequestStatus | Error,
  latencyMs = 0,
) {
  const calls: { kind: string; at: number }[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  let n = 0;
  return {
    calls,
    get maxInFlight() {
      return maxInFlight;
    },
    client: {
      async getDocumentStatusWithMeta(id: string): Promise<WithMeta<DocumentStatus>> {
        calls.push({ kind: `doc ${id}`, at: clock.now() });
        return { data: docOf(id), meta };
      },
      async getRequestStatusWithMeta(
        _id: string,
        options?: { signal?: AbortSignal },
      ): Promise<WithMeta<RequestStatus>> {
        calls.push({ kind: 'request', at: clock.now() });
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        try {
          if (latencyMs > 0) await clock.sleep(latencyMs, options?.signal);
          const result = answer(n++);
          if (result instanceof Error) throw result;
          return { data: result, meta };
        } finally {
          inFlight--;
        }
      },
    },
  };
}

// Found by review: the pace rules (Retry-After, one poll of a request at a time) and the ends of
// request watchers, on a fake reader whose answers and latency each test sets.
describe('request watchers and the shared request poll, at the edges', () => {
  it('a document joining a failing request polls neither it nor itself before its Retry-After', async () => {
    const clock = createVirtualClock(0);
    const r = reader(clock, (n) =>
      n === 0
        ? new RateLimitError('slow down', { status: 429, retryAfterMs: 30_000 })
        : requestOf([A, B]),
    );
    const scheduler = createPollScheduler({ clock, policy: fixedInterval(1_000) });
    scheduler.subscribeRequest(r.client as never, R, noop);
    await flush();
    expect(r.calls.filter((c) => c.kind === 'request')).toHaveLength(1);
    clock.advance(2_000);
    await flush();
    const seen: string[] = [];
    scheduler.subscribe(
      r.client as never,
      A,
      { ...noop, status: (s) => seen.push(s.status) },
      {
        requestId: R,
      },
    );
    await flush();
    // The 429's Retry-After speaks for the client: its document waits it out too (it used to
    // poll at once, asking a rate-limited upstream again right after being told to wait).
    expect(r.calls).toHaveLength(1);
    expect(seen).toEqual([]);
    clock.advance(28_000);
    await flush();
    expect(r.calls.slice(1).every((c) => c.at >= 30_000)).toBe(true);
    expect(r.calls.length).toBeGreaterThan(1);
    expect(seen).toEqual(['processing']);
    scheduler.close();
  });

  it("never has two polls of one request in flight (a document joins from a watcher's callback)", async () => {
    const clock = createVirtualClock(0);
    const r = reader(clock, () => requestOf([A, B]), 500);
    const scheduler = createPollScheduler({ clock, policy: fixedInterval(100), concurrency: 4 });
    let joined = false;
    scheduler.subscribeRequest(r.client as never, R, {
      status: () => {
        if (joined) return;
        joined = true;
        scheduler.subscribe(r.client as never, A, noop, { requestId: R });
      },
      end: () => {},
      error: () => {},
    });
    for (let i = 0; i < 40; i++) {
      await flush();
      clock.advance(50);
    }
    await flush();
    scheduler.close();
    expect(r.maxInFlight).toBe(1);
  });

  it("a watcher whose request 404s past the grace does not keep that request's documents from being batched later", async () => {
    const clock = createVirtualClock(0);
    let exists = false;
    const r = reader(clock, () =>
      exists ? requestOf([A, B]) : new NotFoundError('no', { status: 404 }),
    );
    const scheduler = createPollScheduler({
      clock,
      policy: fixedInterval(1_000),
      notFoundGraceMs: 2_000,
    });
    const errors: unknown[] = [];
    scheduler.subscribeRequest(r.client as never, R, { ...noop, error: (e) => errors.push(e) });
    for (let i = 0; i < 5; i++) {
      await flush();
      clock.advance(1_000);
    }
    await flush();
    expect(errors).toHaveLength(1);
    exists = true;
    const before = r.calls.length;
    scheduler.subscribe(r.client as never, A, noop, { requestId: R });
    scheduler.subscribe(r.client as never, B, noop, { requestId: R });
    for (let i = 0; i < 5; i++) {
      await flush();
      clock.advance(1_000);
    }
    const after = r.calls.slice(before).map((c) => c.kind);
    scheduler.close();
    expect(after.filter((k) => k.startsWith('doc'))).toHaveLength(0);
  });

  it('a watcher told end (another watcher closed the scheduler) is not told a status afterwards', async () => {
    const clock = createVirtualClock(0);
    const r = reader(clock, () => requestOf([A]));
    const scheduler = createPollScheduler({ clock, policy: fixedInterval(1_000) });
    const events: string[] = [];
    scheduler.subscribeRequest(r.client as never, R, { ...noop, status: () => scheduler.close() });
    scheduler.subscribeRequest(r.client as never, R, {
      status: () => events.push('status'),
      end: () => events.push('end'),
      error: () => events.push('error'),
    });
    await flush();
    expect(events).toEqual(['end']);
  });

  it('a watcher whose end() throws is not told error() after it: one ending', async () => {
    const clock = createVirtualClock(0);
    const r = reader(clock, (n) => requestOf([A], n === 0 ? 'processing' : 'completed'));
    const scheduler = createPollScheduler({ clock, policy: fixedInterval(1_000) });
    const events: string[] = [];
    scheduler.subscribeRequest(r.client as never, R, {
      status: (request) => events.push(request.status),
      end: () => {
        events.push('end');
        throw new Error('listener bug');
      },
      error: () => events.push('error'),
    });
    for (let i = 0; i < 3; i++) {
      await flush();
      clock.advance(1_000);
    }
    expect(events).toEqual(['processing', 'completed', 'end']);
    expect(scheduler.stats()).toMatchObject({ batches: 0, consumers: 0 });
  });
});
