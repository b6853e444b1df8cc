import type { HttpReply } from './upstream-reply.ts';
import type { DurableObjectStorageLike } from './workers-platform.ts';

/** Where the object's answer lives in its storage. Never a key: the upstream's answer only. */
const REPLY_KEY = 'reply';

/**
 * The longest body stored as one value, in UTF-16 units: 1 MiB at most once serialized (2 bytes a
 * unit at worst), within the 2 MB a SQLite-backed object takes per value. A request status of a
 * large request is longer (about 3.4 MB for 1,000 documents of 40 pages), and is stored in parts.
 */
const PART_UNITS = 512 * 1024;

/** The most keys one storage call takes. */
const KEYS_PER_CALL = 128;

/** An answer as stored: whole, or its fields with the keys of its body's parts, in order. */
type StoredReply = HttpReply | (Omit<HttpReply, 'body'> & { readonly bodyParts: string[] });

/** `keys` in groups one storage call takes. */
function* callGroups<T>(keys: readonly T[]): Generator<T[]> {
  for (let at = 0; at < keys.length; at += KEYS_PER_CALL) yield keys.slice(at, at + KEYS_PER_CALL);
}

/**
 * The status object's kept answer in its storage, of any size up to `EDGE_UPSTREAM_MAX_BYTES`:
 * a short one as one value, a long one as parts under keys of their own (a fresh set each time),
 * written before the record naming them, so a reader never meets a record whose parts are missing
 * or another answer's. The parts of the answer it replaces are deleted after.
 *
 * @example
 * ```ts
 * const replies = createStoredReply(state.storage);
 * let reply = await replies.load();
 * await replies.save(reply);
 * ```
 */
export function createStoredReply(storage: DurableObjectStorageLike) {
  /** The keys of the parts of the answer stored now (none when it is stored whole). */
  let keptParts: string[] = [];
  const deleteParts = async (keys: readonly string[]) => {
    for (const group of callGroups(keys)) await storage.delete(group);
  };
  /** The save under way (settled): the next waits for it. */
  let saving: Promise<unknown> = Promise.resolve();
  const write = async (reply: HttpReply) => {
    const replaced = keptParts;
    if (reply.body.length <= PART_UNITS) {
      await storage.put(REPLY_KEY, reply);
      keptParts = [];
    } else {
      const set = crypto.randomUUID();
      const parts: Array<[string, string]> = [];
      for (let at = 0; at < reply.body.length; at += PART_UNITS) {
        parts.push([`reply-part:${set}:${parts.length}`, reply.body.slice(at, at + PART_UNITS)]);
      }
      for (const group of callGroups(parts)) await storage.put(Object.fromEntries(group));
      const { body: _body, ...fields } = reply;
      const bodyParts = parts.map(([key]) => key);
      await storage.put(REPLY_KEY, { ...fields, bodyParts } satisfies StoredReply);
      keptParts = bodyParts;
    }
    await deleteParts(replaced);
  };
  return {
    /** The stored answer, or `undefined` (none, or one whose parts are not all there). */
    async load(): Promise<HttpReply | undefined> {
      const stored = await storage.get<StoredReply>(REPLY_KEY);
      if (stored === undefined || !('bodyParts' in stored)) return stored;
      const { bodyParts, ...fields } = stored;
      const texts: string[] = [];
      for (const group of callGroups(bodyParts)) {
        const found = await storage.get<string>(group);
        for (const key of group) texts.push(found.get(key) as string);
      }
      if (texts.some((text) => typeof text !== 'string')) {
        // Unusable: the parts still there are deleted with the record.
        await storage.deleteAll();
        return undefined;
      }
      keptParts = bodyParts;
      return { ...fields, body: texts.join('') };
    },
    /** Stores `reply` in place of the answer stored before (one save at a time, in order). */
    save(reply: HttpReply): Promise<void> {
      const saved = saving.then(() => write(reply));
      saving = saved.catch(() => undefined);
      return saved;
    },
    /** Deletes all the object stored (and, from compatibility date 2026-02-24, its alarm). */
    async clear(): Promise<void> {
      await saving;
      keptParts = [];
      await storage.deleteAll();
    },
  };
}

/** See {@link createStoredReply}. */
export type StoredReplies = ReturnType<typeof createStoredReply>;
