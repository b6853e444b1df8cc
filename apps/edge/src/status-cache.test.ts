import { ServerError } from '@neurostatus/core';
import { describe, expect, it } from 'vitest';
import type { CallLeases } from './fleet-call-leases.ts';
import { createHoldOff } from './hold-off.ts';
import { createMemoryStore } from './memory-store.ts';
import { createStatusCache, type StatusCache, type UpstreamAnswer } from './status-cache.ts';
import type { StatusStore } from './status-store.ts';
import { TEST_TTL, testStatusCache } from './test-support/test-status-cache.ts';

const processing: UpstreamAnswer = {
  status: 200,
  body: '{"status":"processing"}',
  terminal: false,
};
const completed: UpstreamAnswer = { status: 200, body: '{"status":"completed"}', terminal: true };

function setUp(store?: StatusStore) {
  let time = 1_000_000;
  const now = () => time;
  const cache = testStatusCache({
    store: store ?? createMemoryStore({ now }),
    now,
  });
  return { cache, advance: (ms: number) => (time += ms) };
}

describe('createStatusCache', () => {
  it('keeps serving a terminal status when an older processing answer lands after it', async () => {
    const { cache, advance } = setUp();
    await cache.remember('k', completed); // an event stream learned it
    advance(TEST_TTL.terminalMs); // expired: the next read asks upstream
    const read = await cache.read('k', 't', async () => {
      // Meanwhile a stream stores a newer completed status, then this slow answer arrives.
      await cache.remember('k', { ...completed, body: '{"status":"completed","v":2}' });
      return processing;
    });
    expect(read).toMatchObject({ outcome: 'miss', stored: false });
    expect(read.entry.body).toBe('{"status":"completed","v":2}');
  });

  it('degrades to uncached answers when the store fails, instead of failing requests', async () => {
    const broken: StatusStore = {
      get: () => Promise.reject(new Error('store down')),
      set: () => Promise.reject(new Error('store down')),
      delete: () => Promise.reject(new Error('store down')),
    };
    const { cache } = setUp(broken);
    let calls = 0;
    const load = async () => {
      calls++;
      return processing;
    };
    const read = await cache.read('k', 't', load);
    expect(read).toMatchObject({ outcome: 'miss', stored: false });
    expect(read.entry.body).toBe(processing.body);
    expect(await cache.fresh('k')).toBeUndefined();
    await cache.read('k', 't', load);
    expect(calls).toBe(2);
  });

  it('does not let a failing background refresh reach anyone, and asks again next time', async () => {
    const { cache, advance } = setUp();
    await cache.read('k', 't', async () => processing);
    advance(2_500);
    let failed = 0;
    const failing = async (): Promise<UpstreamAnswer> => {
      failed++;
      throw new ServerError('down', { status: 503 });
    };
    expect(await cache.read('k', 't', failing)).toMatchObject({
      outcome: 'stale',
      reason: 'revalidating',
    });
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(failed).toBe(1);
    advance(2_000);
    expect(await cache.read('k', 't', failing)).toMatchObject({
      outcome: 'stale',
      reason: 'upstream-error',
    });
    expect(failed).toBe(2);
  });

  it('hands every upstream call to waitUntil, so one request ending cannot cut a shared call', async () => {
    const { cache } = setUp();
    const kept: Promise<unknown>[] = [];
    await cache.read(
      'k',
      't',
      async () => processing,
      (promise) => kept.push(promise),
    );
    expect(kept).toHaveLength(1);
  });
});

describe('createStatusCache options', () => {
  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY])('refuses a ttl of %s', (bad) => {
    expect(() =>
      createStatusCache({
        store: createMemoryStore(),
        ttl: { ...TEST_TTL, activeMs: bad },
        holdOff: createHoldOff({ now: Date.now }),
        now: Date.now,
        deadlineMs: 10_000,
      }),
    ).toThrow(/ttl\.activeMs/);
  });
});

/** This instance's cache, on a store it shares with `elsewhere`, another instance's plain cache. */
function besideAnotherInstance(leasesFor: (elsewhere: StatusCache) => CallLeases): StatusCache {
  const now = () => 1_000_000;
  const store = createMemoryStore({ now });
  const elsewhere = testStatusCache({ store, now });
  return testStatusCache({ store, now, leases: leasesFor(elsewhere) });
}

describe('createStatusCache with injected call leases', () => {
  it('answers from the store, as coalesced, when another instance led the call', async () => {
    const cache = besideAnotherInstance((elsewhere) => ({
      // Another instance holds every lease and stores its answer before letting go.
      async lead() {
        await elsewhere.remember('k', processing);
        return { led: false };
      },
    }));
    let calls = 0;
    const read = await cache.read('k', 't', async () => {
      calls++;
      return completed;
    });
    expect(read).toMatchObject({ outcome: 'coalesced', entry: { body: processing.body } });
    expect(calls).toBe(0);
  });

  it('calls by itself after the leader ended without an answer three times', async () => {
    const now = () => 1_000_000;
    let rounds = 0;
    const cache = testStatusCache({
      store: createMemoryStore({ now }),
      now,
      leases: {
        async lead() {
          rounds++;
          return { led: false };
        },
      },
    });
    const read = await cache.read('k', 't', async () => processing);
    expect(rounds).toBe(3);
    expect(read.outcome).toBe('miss');
  });
});

describe('createStatusCache with fleet-wide leases, when the lease comes late', () => {
  it('does not call upstream when another instance stored an answer just before it got the lease', async () => {
    const cache = besideAnotherInstance((elsewhere) => ({
      // The other instance finished and let go of the lease between this read and this lead.
      async lead(_key, call) {
        await elsewhere.remember('k', processing);
        return { led: true, value: await call() };
      },
    }));
    let calls = 0;
    const read = await cache.read('k', 't', async () => {
      calls++;
      return completed;
    });
    expect(calls).toBe(0);
    expect(read).toMatchObject({ outcome: 'coalesced', entry: { body: processing.body } });
  });
});
