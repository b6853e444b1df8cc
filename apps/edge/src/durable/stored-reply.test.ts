import { describe, expect, it } from 'vitest';
import { createStoredReply } from './stored-reply.ts';
import type { HttpReply } from './upstream-reply.ts';
import type { DurableObjectStorageLike } from './workers-platform.ts';

/** Storage as a map, refusing what workerd refuses: values over 2 MB, calls over 128 keys. */
function fakeStorage() {
  const data = new Map<string, unknown>();
  const check = (keys: number, values: unknown[] = []) => {
    if (keys > 128) throw new Error('too many keys');
    for (const value of values)
      if (JSON.stringify(value).length > 2_000_000) throw new Error('SQLITE_TOOBIG');
  };
  const storage = {
    async get(key: string | string[]) {
      if (typeof key === 'string') return data.get(key);
      check(key.length);
      return new Map(key.filter((k) => data.has(k)).map((k) => [k, data.get(k)]));
    },
    async put(key: string | Record<string, unknown>, value?: unknown) {
      const entries = typeof key === 'string' ? { [key]: value } : key;
      check(Object.keys(entries).length, Object.values(entries));
      for (const [k, v] of Object.entries(entries)) data.set(k, v);
    },
    async delete(key: string | string[]) {
      const keys = typeof key === 'string' ? [key] : key;
      check(keys.length);
      return keys.filter((k) => data.delete(k)).length;
    },
    async deleteAll() {
      data.clear();
    },
    async setAlarm() {},
    async deleteAlarm() {},
  };
  return { data, storage: storage as unknown as DurableObjectStorageLike };
}

const reply = (body: string): HttpReply => ({
  type: 'http',
  status: 200,
  body,
  headers: { 'content-type': 'application/json' },
  receivedAt: 1,
  terminal: true,
  storable: true,
});

describe('createStoredReply', () => {
  it('stores a long answer in parts, reads it back whole, and deletes the parts it replaces', async () => {
    const { data, storage } = fakeStorage();
    const long = 'x'.repeat(3_500_000);
    await createStoredReply(storage).save(reply(long));
    const restarted = createStoredReply(storage);
    expect(await restarted.load()).toEqual(reply(long));
    await restarted.save(reply('{"short":true}'));
    expect([...data.keys()]).toEqual(['reply']);
    expect(await createStoredReply(storage).load()).toEqual(reply('{"short":true}'));
  });

  it('reads no answer when a part is missing, rather than a cut one', async () => {
    const { data, storage } = fakeStorage();
    await createStoredReply(storage).save(reply('y'.repeat(1_200_000)));
    data.delete([...data.keys()].find((key) => key.startsWith('reply-part:')) as string);
    expect(await createStoredReply(storage).load()).toBeUndefined();
    expect(data.size).toBe(0);
  });

  it('keeps saves in order: the last one is the one stored, with no parts left over', async () => {
    const { data, storage } = fakeStorage();
    const stored = createStoredReply(storage);
    await Promise.all([
      stored.save(reply('a'.repeat(1_100_000))),
      stored.save(reply('b'.repeat(1_100_000))),
    ]);
    expect((await createStoredReply(storage).load())?.body.startsWith('b')).toBe(true);
    expect([...data.keys()].filter((key) => key.startsWith('reply-part:'))).toHaveLength(3);
  });
});
