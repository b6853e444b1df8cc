import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { Miniflare, Response as MiniflareResponse } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CacheLike, createCacheApiStore } from './cache-api-store.ts';
import type { StatusStore, StoredStatus } from './status-store.ts';
import { describeStatusStore } from './test-support/status-store-conformance.ts';

// A Worker that runs the store inside workerd, driven over `dispatchFetch` with the suite's clock,
// so the store's code (not only the cache behind it) meets workerd's Request, Response and Cache.
const STORE_WORKER = `
import { createCacheApiStore } from './cache-api-store.ts';
let time = 0;
const stores = new Map();
export default {
  async fetch(request) {
    const { op, namespace, key, entry, now } = await request.json();
    time = now;
    let store = stores.get(namespace);
    if (store === undefined) {
      store = createCacheApiStore({ cache: () => caches.open(namespace), now: () => time });
      stores.set(namespace, store);
    }
    const result = await store[op](key, entry);
    return Response.json({ result: result ?? null });
  },
};
`;

let mf: Miniflare;
let namespaces = 0;

beforeAll(async () => {
  const bundle = await build({
    stdin: {
      contents: STORE_WORKER,
      resolveDir: fileURLToPath(new URL('.', import.meta.url)),
      sourcefile: 'store-worker.js',
      loader: 'js',
    },
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    write: false,
  });
  mf = new Miniflare({
    modules: true,
    script: bundle.outputFiles[0]!.text,
    compatibilityDate: '2026-04-01',
    cf: false, // never fetch https://workers.cloudflare.com/cf.json
  });
  await mf.ready;
});

afterAll(async () => {
  await mf?.dispose();
});

/**
 * workerd's cache as Miniflare hands it to Node. Miniflare types it with `@cloudflare/workers-types`,
 * which this package does not install, so the part used here is spelled out.
 */
interface MiniflareCache {
  match(url: string): Promise<MiniflareResponse | undefined>;
  put(url: string, response: MiniflareResponse): Promise<void>;
  delete(url: string): Promise<boolean>;
}

/** A cache namespace no other test uses, in workerd's real Cache API. */
async function freshCache(): Promise<MiniflareCache> {
  const caches = (await mf.getCaches()) as unknown as {
    open(name: string): Promise<MiniflareCache>;
  };
  return caches.open(`neurostatus-test-${++namespaces}`);
}

/**
 * Miniflare's proxy to workerd only carries its own `Response` class, so convert at the boundary
 * (bodies as bytes, headers as they are). Bodies are read whole: cancelling a half-read body
 * through the proxy can fail later, outside any test.
 */
function fromNode(cache: MiniflareCache): CacheLike {
  return {
    async match(url) {
      const found = await cache.match(url);
      if (found === undefined) return undefined;
      const body = await found.arrayBuffer();
      return new Response(body, { status: found.status, headers: [...found.headers] });
    },
    async put(url, response) {
      const body = await response.arrayBuffer();
      const headers = [...response.headers];
      await cache.put(url, new MiniflareResponse(body, { status: response.status, headers }));
    },
    delete: (url) => cache.delete(url),
  };
}

/** Records what the store hands to the cache. */
function recording(cache: CacheLike) {
  const puts: { url: string; status: number; cacheControl: string | null }[] = [];
  const spy: CacheLike = {
    match: (url) => cache.match(url),
    put: (url, response) => {
      puts.push({
        url,
        status: response.status,
        cacheControl: response.headers.get('cache-control'),
      });
      return cache.put(url, response);
    },
    delete: (url) => cache.delete(url),
  };
  return { spy, puts };
}

/** A `StatusStore` whose every call runs inside workerd (see `STORE_WORKER`). */
function insideWorkerd(clock: { now(): number }): StatusStore {
  const namespace = `neurostatus-test-${++namespaces}`;
  const call = async (op: keyof StatusStore, key: string, entry?: StoredStatus) => {
    const response = await mf.dispatchFetch('http://store.test/', {
      method: 'POST',
      body: JSON.stringify({ op, namespace, key, entry, now: clock.now() }),
    });
    if (!response.ok) throw new Error(`store worker answered ${response.status}`);
    const { result } = (await response.json()) as { result: unknown };
    return result ?? undefined;
  };
  return {
    get: async (key) => (await call('get', key)) as StoredStatus | undefined,
    set: async (key, entry) => (await call('set', key, entry)) as boolean,
    delete: async (key) => {
      await call('delete', key);
    },
  };
}

describeStatusStore('Workers Cache API (workerd via Miniflare)', async (clock) =>
  createCacheApiStore({ cache: fromNode(await freshCache()), now: () => clock.now() }),
);

describeStatusStore('Workers Cache API (the store itself running in workerd)', insideWorkerd);

const NOW = 1_700_000_000_000;

const entry = (overrides: Partial<StoredStatus> = {}): StoredStatus => ({
  body: '{"status":"processing"}',
  etag: '"a"',
  status: 200,
  storedAt: NOW,
  freshUntil: NOW + 2_000,
  staleUntil: NOW + 302_000,
  terminal: false,
  ...overrides,
});

describe('createCacheApiStore', () => {
  it('returns the body byte-exact, unicode and control characters included, and every field', async () => {
    const store = createCacheApiStore({ cache: fromNode(await freshCache()), now: () => NOW });
    const stored = entry({
      body: '{"name":"Zoë 😀 日本語 \\u0000","raw":"\u0000\r\n\t\u2028 🏳️‍🌈"}',
      etag: 'W/"é 😀 \r\n"',
      terminal: true,
    });
    expect(await store.set('k', stored)).toBe(true);
    expect(await store.get('k')).toEqual(stored);
  });

  it('round-trips the status of a cached 404 in a header, handing the cache a 200', async () => {
    const { spy, puts } = recording(fromNode(await freshCache()));
    const store = createCacheApiStore({ cache: spy, now: () => NOW });
    const notFound = entry({ body: '{"error":"not_found"}', status: 404 });
    await store.set('k', notFound);
    expect(puts.map((put) => put.status)).toEqual([200]);
    expect(await store.get('k')).toEqual(notFound);
  });

  it('lets the Cache API expire the entry itself at staleUntil, in whole seconds rounded up', async () => {
    const { spy, puts } = recording(fromNode(await freshCache()));
    const store = createCacheApiStore({ cache: spy, now: () => NOW });
    await store.set('a', entry({ staleUntil: NOW + 1_500 }));
    await store.set('b', entry({ staleUntil: Number.POSITIVE_INFINITY }));
    expect(puts.map((put) => put.cacheControl)).toEqual(['max-age=2', 'max-age=2147483648']);
    expect((await store.get('b'))?.staleUntil).toBe(Number.POSITIVE_INFINITY);
  });

  it('stores nothing for an entry already past staleUntil, and drops the one it replaces', async () => {
    const { spy, puts } = recording(fromNode(await freshCache()));
    const store = createCacheApiStore({ cache: spy, now: () => NOW });
    await store.set('k', entry());
    expect(await store.set('k', entry({ staleUntil: NOW }))).toBe(true);
    expect(puts).toHaveLength(1);
    expect(await store.get('k')).toBeUndefined();
  });

  it('keeps keys apart that a URL would merge: dot segments, slashes, escapes, the empty key', async () => {
    const { spy, puts } = recording(fromNode(await freshCache()));
    const origin = 'https://status.example.test/__neurostatus';
    const store = createCacheApiStore({ cache: spy, now: () => NOW, origin });
    const keys = ['', '.', '..', '%2E', 'a/b', 'a%2Fb', 'a?b', 'a#b', 'A', 'a', 'ü', '%C3%BC'];
    for (const key of keys) await store.set(key, entry({ body: JSON.stringify(key) }));
    for (const key of keys) expect((await store.get(key))?.body).toBe(JSON.stringify(key));
    expect(new Set(puts.map((put) => put.url)).size).toBe(keys.length);
    for (const { url } of puts) expect(url.startsWith(`${origin}/entry-`)).toBe(true);
  });

  it('serializes writes to one key, so a concurrent non-terminal write never buries a terminal one', async () => {
    const store = createCacheApiStore({ cache: fromNode(await freshCache()), now: () => NOW });
    const done = entry({ body: '{"status":"completed"}', terminal: true });
    expect(await Promise.all([store.set('a', entry()), store.set('a', done)])).toEqual([
      true,
      true,
    ]);
    expect(await store.get('a')).toEqual(done);
    expect(await Promise.all([store.set('b', done), store.set('b', entry())])).toEqual([
      true,
      false,
    ]);
    expect(await store.get('b')).toEqual(done);
  });

  it('lets a non-terminal entry replace a terminal one that is past staleUntil', async () => {
    let time = NOW;
    const store = createCacheApiStore({ cache: fromNode(await freshCache()), now: () => time });
    await store.set('k', entry({ terminal: true, staleUntil: NOW + 1_000 }));
    time = NOW + 1_000;
    const next = entry({ staleUntil: NOW + 60_000 });
    expect(await store.set('k', next)).toBe(true);
    expect(await store.get('k')).toEqual(next);
  });

  it('reads an entry it did not write as a miss, and overwrites it', async () => {
    const cache = fromNode(await freshCache());
    const { spy, puts } = recording(cache);
    const store = createCacheApiStore({ cache: spy, now: () => NOW });
    await store.set('k', entry());
    const url = puts[0]!.url;
    const foreign = { 'cache-control': 'max-age=60', 'x-neurostatus-terminal': '1' };
    await cache.put(url, new Response('{"status":"completed"}', { headers: foreign }));
    expect(await store.get('k')).toBeUndefined();
    expect(await store.set('k', entry())).toBe(true);
    expect(await store.get('k')).toEqual(entry());
  });

  it('looks the cache up at first use, once, and again after a failed lookup', async () => {
    const cache = fromNode(await freshCache());
    let lookups = 0;
    const store = createCacheApiStore({
      cache: async () => {
        lookups += 1;
        if (lookups === 1) throw new Error('not yet');
        return cache;
      },
      now: () => NOW,
    });
    expect(lookups).toBe(0);
    await expect(store.get('k')).rejects.toThrow('not yet');
    await store.set('k', entry());
    await store.get('k');
    await store.delete('k');
    expect(lookups).toBe(2);
  });

  it('rejects an origin that is not a plain http(s) URL', () => {
    const cache = {} as CacheLike;
    for (const origin of [
      'not a url',
      'ftp://example.test/',
      'https://example.test/?q=1',
      'https://example.test/#f',
      'https://user:secret@example.test/',
    ]) {
      expect(() => createCacheApiStore({ cache, origin })).toThrow(TypeError);
    }
  });
});
