import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import type { CacheRead } from './status-cache.ts';
import { CACHE_NAME, cacheStatus, statusReply } from './status-response.ts';
import type { StoredStatus } from './status-store.ts';

/** The reply as the Response the app makes of it. */
function statusResponse(...args: Parameters<typeof statusReply>): Response {
  const { body, status, headers } = statusReply(...args);
  return new Response(body, { status, headers });
}

const NOW = 1_700_000_000_000;
const ETAG = '"47DEQpj8HBSa-_TImW-5JA"';

/** An entry stored 3 s ago and fresh for 2 s more, unless the test says otherwise. */
function entryWith(overrides: Partial<StoredStatus> = {}): StoredStatus {
  return {
    body: '{"id":"doc_1","status":"processing"}',
    etag: ETAG,
    status: 200,
    storedAt: NOW - 3_000,
    freshUntil: NOW + 2_000,
    staleUntil: NOW + 302_000,
    terminal: false,
    ...overrides,
  };
}

describe('cacheStatus', () => {
  it('names this cache', () => {
    expect(CACHE_NAME).toBe('neurostatus-edge');
  });

  it('reports a fresh entry as a hit with its remaining freshness', () => {
    expect(cacheStatus({ outcome: 'hit', entry: entryWith() }, NOW)).toBe(
      'neurostatus-edge; hit; ttl=2',
    );
  });

  it('reports a miss as forwarded and stored, with the upstream status', () => {
    expect(cacheStatus({ outcome: 'miss', entry: entryWith(), stored: true }, NOW)).toBe(
      'neurostatus-edge; fwd=miss; fwd-status=200; stored; ttl=2',
    );
    expect(
      cacheStatus({ outcome: 'miss', entry: entryWith({ status: 404 }), stored: true }, NOW),
    ).toBe('neurostatus-edge; fwd=miss; fwd-status=404; stored; ttl=2');
  });

  it('leaves out `stored` when the store kept what it had', () => {
    expect(cacheStatus({ outcome: 'miss', entry: entryWith(), stored: false }, NOW)).toBe(
      'neurostatus-edge; fwd=miss; fwd-status=200; ttl=2',
    );
  });

  it('reports stale-if-error as forwarded because stale, with the upstream status when known', () => {
    const entry = entryWith({ freshUntil: NOW - 5_000 });
    const error = Object.assign(new Error('503'), { status: 503 });
    expect(cacheStatus({ outcome: 'stale', entry, reason: 'upstream-error', error }, NOW)).toBe(
      'neurostatus-edge; fwd=stale; fwd-status=503; ttl=-5; detail=upstream-error',
    );
  });

  it('reports a coalesced read as forwarded and collapsed', () => {
    expect(cacheStatus({ outcome: 'coalesced', entry: entryWith() }, NOW)).toBe(
      'neurostatus-edge; fwd=miss; fwd-status=200; collapsed; ttl=2',
    );
  });

  it('reports a stale entry as a hit with a negative ttl and why it is stale', () => {
    const entry = entryWith({ freshUntil: NOW - 5_000 });
    expect(cacheStatus({ outcome: 'stale', entry, reason: 'upstream-error' }, NOW)).toBe(
      'neurostatus-edge; fwd=stale; ttl=-5; detail=upstream-error',
    );
    expect(cacheStatus({ outcome: 'stale', entry, reason: 'revalidating' }, NOW)).toBe(
      'neurostatus-edge; hit; ttl=-5; detail=revalidating',
    );
    expect(cacheStatus({ outcome: 'stale', entry, reason: 'held-off' }, NOW)).toBe(
      'neurostatus-edge; hit; ttl=-5; detail=held-off',
    );
  });

  it('gives a stale entry a ttl of at most -1, even just past its freshness', () => {
    for (const freshUntil of [NOW, NOW - 1, NOW - 999, NOW + 500]) {
      const read: CacheRead = {
        outcome: 'stale',
        entry: entryWith({ freshUntil }),
        reason: 'held-off',
      };
      expect(cacheStatus(read, NOW)).toBe('neurostatus-edge; hit; ttl=-1; detail=held-off');
    }
  });

  it('rounds the ttl down to whole seconds', () => {
    expect(
      cacheStatus({ outcome: 'hit', entry: entryWith({ freshUntil: NOW + 1_999 }) }, NOW),
    ).toBe('neurostatus-edge; hit; ttl=1');
    expect(cacheStatus({ outcome: 'hit', entry: entryWith({ freshUntil: NOW + 999 }) }, NOW)).toBe(
      'neurostatus-edge; hit; ttl=0',
    );
  });

  it('agrees with `max-age` minus `Age`, which is what a client computes from the same answer', () => {
    const entry = entryWith({ storedAt: NOW - 5, freshUntil: NOW - 5 + 2_000 });
    const { headers } = statusReply({ outcome: 'miss', entry, stored: true }, NOW, undefined);
    expect(headers['cache-control']).toBe('private, max-age=2');
    expect(headers.age).toBe('0');
    expect(headers['cache-status']).toBe(
      'neurostatus-edge; fwd=miss; fwd-status=200; stored; ttl=2',
    );
  });

  test.prop([
    fc.constantFrom('hit' as const, 'miss' as const, 'coalesced' as const, 'stale' as const),
    fc.integer({ min: -1_000_000, max: 1_000_000 }),
  ])('is a list of RFC 9211 parameters after the cache name', (outcome, freshInMs) => {
    const entry = entryWith({ freshUntil: NOW + freshInMs });
    const read: CacheRead =
      outcome === 'stale'
        ? { outcome, entry, reason: 'revalidating' }
        : outcome === 'miss'
          ? { outcome, entry, stored: true }
          : { outcome, entry };
    const [name, ...params] = cacheStatus(read, NOW).split('; ');
    expect(name).toBe(CACHE_NAME);
    for (const param of params) expect(param).toMatch(/^[a-z-]+(=(-?\d+|[a-z][a-z-]*))?$/);
    if (outcome === 'stale')
      expect(params).toContain(`ttl=${Math.min(-1, Math.floor(freshInMs / 1000))}`);
    else expect(params).toContain(`ttl=${Math.floor(freshInMs / 1000)}`);
  });
});

describe('statusReply', () => {
  it('serves the stored body as JSON with its status', async () => {
    const entry = entryWith();
    const response = statusResponse({ outcome: 'hit', entry }, NOW, undefined);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await response.text()).toBe(entry.body);
  });

  it('sets ETag, Age, Cache-Status and a private max-age of the whole lifetime, Age counted once (RFC 9111 4.2)', () => {
    const response = statusResponse({ outcome: 'hit', entry: entryWith() }, NOW, undefined);
    expect(response.headers.get('etag')).toBe(ETAG);
    expect(response.headers.get('age')).toBe('3');
    expect(response.headers.get('cache-status')).toBe('neurostatus-edge; hit; ttl=2');
    // Stored 3 s ago, fresh for 5 s in all: a client computes 5 - 3 = 2 s left, as the proxy does.
    expect(response.headers.get('cache-control')).toBe('private, max-age=5');
    expect(response.headers.has('x-neurostatus-stale')).toBe(false);
  });

  it('rounds max-age and Age down to whole seconds', () => {
    const entry = entryWith({ storedAt: NOW - 2_999, freshUntil: NOW + 1_999 });
    const response = statusResponse({ outcome: 'miss', entry, stored: true }, NOW, undefined);
    expect(response.headers.get('cache-control')).toBe('private, max-age=4');
    expect(response.headers.get('age')).toBe('2');
  });

  it('never gives a negative max-age or Age', () => {
    const entry = entryWith({ storedAt: NOW + 5_000, freshUntil: NOW - 10_000 });
    const response = statusResponse(
      { outcome: 'stale', entry, reason: 'upstream-error' },
      NOW,
      undefined,
    );
    expect(response.headers.get('cache-control')).toBe('private, max-age=0');
    expect(response.headers.get('age')).toBe('0');
  });

  test.prop([
    fc.integer({ min: -10_000_000, max: 10_000_000 }),
    fc.integer({ min: -10_000_000, max: 10_000_000 }),
  ])('always gives whole, non-negative max-age and Age', (storedInMs, freshInMs) => {
    const entry = entryWith({ storedAt: NOW + storedInMs, freshUntil: NOW + freshInMs });
    const response = statusResponse({ outcome: 'hit', entry }, NOW, undefined);
    expect(response.headers.get('cache-control')).toMatch(/^private, max-age=\d+$/);
    expect(response.headers.get('age')).toMatch(/^\d+$/);
  });

  it('marks a stale answer with why it is stale', async () => {
    const entry = entryWith({ freshUntil: NOW - 4_000 });
    const response = statusResponse(
      { outcome: 'stale', entry, reason: 'held-off' },
      NOW,
      undefined,
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('x-neurostatus-stale')).toBe('held-off');
    expect(response.headers.get('cache-status')).toBe(
      'neurostatus-edge; hit; ttl=-4; detail=held-off',
    );
    expect(response.headers.get('cache-control')).toBe('private, max-age=0');
    expect(await response.text()).toBe(entry.body);
  });

  it('answers 304 without a body when If-None-Match matches a status', async () => {
    const response = statusResponse({ outcome: 'hit', entry: entryWith() }, NOW, `"x", W/${ETAG}`);
    expect(response.status).toBe(304);
    expect(await response.text()).toBe('');
    expect(response.headers.has('content-type')).toBe(false);
    expect(response.headers.get('etag')).toBe(ETAG);
    expect(response.headers.get('cache-control')).toBe('private, max-age=5');
    expect(response.headers.get('cache-status')).toBe('neurostatus-edge; hit; ttl=2');
  });

  it('answers 304 for a stale status too, still marked stale', () => {
    const entry = entryWith({ freshUntil: NOW - 1_000 });
    const response = statusResponse({ outcome: 'stale', entry, reason: 'revalidating' }, NOW, ETAG);
    expect(response.status).toBe(304);
    expect(response.headers.get('x-neurostatus-stale')).toBe('revalidating');
  });

  it('serves the body when If-None-Match does not match', async () => {
    const entry = entryWith();
    const response = statusResponse({ outcome: 'hit', entry }, NOW, '"something-else"');
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(entry.body);
  });

  it('never answers 304 for a cached 404, even when the tag matches', async () => {
    const entry = entryWith({ status: 404, body: '{"error":"not_found"}' });
    for (const header of [ETAG, '*']) {
      const response = statusResponse({ outcome: 'hit', entry }, NOW, header);
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(await response.text()).toBe(entry.body);
    }
  });
});
