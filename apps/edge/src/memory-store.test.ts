import { describe, expect, it } from 'vitest';
import { createMemoryStore } from './memory-store.ts';
import type { StoredStatus } from './status-store.ts';
import { describeStatusStore } from './test-support/status-store-conformance.ts';

describeStatusStore('memory', (clock) => createMemoryStore({ now: () => clock.now() }));

const entry = (body: string): StoredStatus => ({
  body,
  etag: '"e"',
  status: 200,
  storedAt: 0,
  freshUntil: 1_000,
  staleUntil: Number.POSITIVE_INFINITY,
  terminal: false,
});

describe('createMemoryStore', () => {
  it('evicts the least recently used entry beyond maxEntries', async () => {
    const store = createMemoryStore({ maxEntries: 2 });
    await store.set('a', entry('a'));
    await store.set('b', entry('b'));
    await store.get('a'); // a is now the most recently used
    await store.set('c', entry('c'));
    expect(await store.get('b')).toBeUndefined();
    expect(await store.get('a')).toBeDefined();
    expect(await store.get('c')).toBeDefined();
  });

  it('keeps the recency order when the same entry is read again and again', async () => {
    const store = createMemoryStore({ maxEntries: 2 });
    await store.set('a', entry('a'));
    await store.set('b', entry('b'));
    store.peek?.('b');
    store.peek?.('b');
    store.peek?.('a');
    store.peek?.('a'); // a is the most recently used, b the least
    await store.delete('a');
    await store.set('a', entry('a2'));
    store.peek?.('b');
    await store.set('c', entry('c')); // b was read after a was set again: a goes
    expect(await store.get('a')).toBeUndefined();
    expect(await store.get('b')).toBeDefined();
    expect(await store.get('c')).toBeDefined();
  });

  it('evicts by bytes too, and refuses an entry larger than the whole budget', async () => {
    const store = createMemoryStore({ maxBytes: 1_000 });
    await store.set('a', entry('x'.repeat(300)));
    await store.set('b', entry('y'.repeat(300)));
    expect(await store.get('a')).toBeUndefined();
    expect(await store.get('b')).toBeDefined();
    expect(await store.set('huge', entry('z'.repeat(1_000)))).toBe(false);
    expect(await store.get('b')).toBeDefined();
  });

  it('rejects limits that are not positive integers', () => {
    expect(() => createMemoryStore({ maxEntries: 0 })).toThrow(TypeError);
    expect(() => createMemoryStore({ maxBytes: 1.5 })).toThrow(TypeError);
  });
});
