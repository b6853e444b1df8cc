import { describe, expect, it } from 'vitest';
import type { StatusStore, StoredStatus } from '../status-store.ts';

/** What a store under test needs: a fresh store on a clock the suite controls. */
export type StoreFactory = (clock: { now(): number }) => StatusStore | Promise<StatusStore>;

function entry(overrides: Partial<StoredStatus> = {}): StoredStatus {
  return {
    body: '{"status":"processing"}',
    etag: '"a"',
    status: 200,
    storedAt: 1_000,
    freshUntil: 3_000,
    staleUntil: 60_000,
    terminal: false,
    ...overrides,
  };
}

/**
 * The conformance suite every `StatusStore` runs, so that memory, Workers and later distributed
 * stores behave the same behind the proxy.
 *
 * @example
 * ```ts
 * describeStatusStore('memory', (clock) => createMemoryStore({ now: () => clock.now() }));
 * ```
 */
export function describeStatusStore(name: string, factory: StoreFactory): void {
  describe(`StatusStore conformance: ${name}`, () => {
    const setUp = async () => {
      let time = 1_000;
      const clock = { now: () => time };
      const store = await factory(clock);
      return { store, advance: (ms: number) => (time += ms) };
    };

    it('returns what was stored, and undefined for an unknown key', async () => {
      const { store } = await setUp();
      expect(await store.set('k', entry())).toBe(true);
      expect(await store.get('k')).toEqual(entry());
      expect(await store.get('other')).toBeUndefined();
    });

    it('peeks (when it can) a fresh entry as get resolves it, and nothing past staleUntil', async () => {
      const { store, advance } = await setUp();
      if (store.peek === undefined) return; // optional: only stores with an in-process tier peek
      expect(store.peek('k')).toBeUndefined();
      const stored = entry({ staleUntil: 5_000 });
      await store.set('k', stored);
      // Fresh (freshUntil 3 000): a store that peeks must answer it, exactly as `get` does.
      expect(store.peek('k')).toEqual(stored);
      expect(await store.get('k')).toEqual(stored);
      advance(2_500);
      // Stale: a peek may leave it to `get` (which may ask elsewhere), but never disagrees.
      expect([undefined, await store.get('k')]).toContainEqual(store.peek('k'));
      advance(1_500);
      expect(store.peek('k')).toBeUndefined();
      expect(await store.get('k')).toBeUndefined();
    });

    it('forgets an entry once it is past staleUntil', async () => {
      const { store, advance } = await setUp();
      await store.set('k', entry({ staleUntil: 5_000 }));
      advance(3_999);
      expect(await store.get('k')).toBeDefined();
      advance(1);
      expect(await store.get('k')).toBeUndefined();
    });

    it('never replaces a terminal entry with a non-terminal one', async () => {
      const { store } = await setUp();
      const done = entry({ body: '{"status":"completed"}', terminal: true });
      await store.set('k', done);
      expect(await store.set('k', entry())).toBe(false);
      expect(await store.get('k')).toEqual(done);
      const newer = entry({ body: '{"status":"completed","x":1}', terminal: true });
      expect(await store.set('k', newer)).toBe(true);
      expect(await store.get('k')).toEqual(newer);
    });

    it('replaces a non-terminal entry with a newer one', async () => {
      const { store } = await setUp();
      await store.set('k', entry());
      const next = entry({ body: '{"status":"completed"}', terminal: true });
      expect(await store.set('k', next)).toBe(true);
      expect(await store.get('k')).toEqual(next);
    });

    it('deletes', async () => {
      const { store } = await setUp();
      await store.set('k', entry());
      await store.delete('k');
      await store.delete('never-there');
      expect(await store.get('k')).toBeUndefined();
    });

    it('keeps keys apart, however similar', async () => {
      const { store } = await setUp();
      await store.set('tenant-a:document:1', entry({ body: 'a' }));
      await store.set('tenant-b:document:1', entry({ body: 'b' }));
      expect((await store.get('tenant-a:document:1'))?.body).toBe('a');
      expect((await store.get('tenant-b:document:1'))?.body).toBe('b');
    });
  });
}
