import type { RedisCommands } from './redis-connection.ts';
import type { StatusStore, StoredStatus } from './status-store.ts';

/** Options of {@link createRedisStore}. */
export interface RedisStoreOptions {
  /** Where commands go: `connectRedis(...).commands`, or any node-redis client. */
  readonly redis: RedisCommands;
  /** Clock for expiry, epoch ms. Default `Date.now`. */
  readonly now?: () => number;
  /** Put before every key, so several proxies (or apps) can share one Redis. Default `neurostatus:edge:`. */
  readonly prefix?: string;
  /**
   * Where each change is announced (pub/sub), in the same script as the write: the in-process
   * tiers of the other instances listen there. Default: not announced.
   */
  readonly announce?: { readonly channel: string; readonly origin: string };
}

/** A change as announced on `announce.channel`: who wrote, which key, and the entry (or null when deleted). */
export interface StoreChange {
  readonly origin: string;
  readonly key: string;
  readonly entry: StoredStatus | null;
}

const DEFAULT_PREFIX = 'neurostatus:edge:';

// Atomic "a terminal status is never replaced by an older non-terminal answer": the check and the
// write are one script, so no other instance's write can land between them (Redis runs a script
// alone). The hash expires by itself at `staleUntil`, and the change is published in the same step.
// KEYS[1] key; ARGV: terminal, now, ttl ms ('0' = none), body, etag, status, storedAt, freshUntil,
// staleUntil, channel ('' = none), message.
const SET_SCRIPT = `
if ARGV[1] == '0' then
  local held = redis.call('HMGET', KEYS[1], 't', 'u')
  if held[1] == '1' then
    local u = tonumber(held[2])
    if u == nil or u > tonumber(ARGV[2]) then return 0 end
  end
end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 't', ARGV[1], 'b', ARGV[4], 'e', ARGV[5], 's', ARGV[6], 'a', ARGV[7], 'f', ARGV[8], 'u', ARGV[9])
if ARGV[3] ~= '0' then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
if ARGV[10] ~= '' then redis.call('PUBLISH', ARGV[10], ARGV[11]) end
return 1
`;

// KEYS[1] key; ARGV: channel ('' = none), message.
const DELETE_SCRIPT = `
redis.call('DEL', KEYS[1])
if ARGV[1] ~= '' then redis.call('PUBLISH', ARGV[1], ARGV[2]) end
return 1
`;

/** An entry as flat strings; `Infinity` survives (JSON would turn it into null). */
function encode(entry: StoredStatus): Record<string, string> {
  return {
    b: entry.body,
    e: entry.etag,
    s: String(entry.status),
    a: String(entry.storedAt),
    f: String(entry.freshUntil),
    u: String(entry.staleUntil),
    t: entry.terminal ? '1' : '0',
  };
}

/** Tolerant of what it reads: anything malformed is a miss, never an error. */
function decode(fields: Record<string, string | undefined>): StoredStatus | undefined {
  const { b: body, e: etag } = fields;
  const [status, storedAt, freshUntil, staleUntil] = [fields.s, fields.a, fields.f, fields.u].map(
    Number,
  ) as [number, number, number, number];
  if (body === undefined || etag === undefined) return undefined;
  if ([status, storedAt, freshUntil, staleUntil].some(Number.isNaN)) return undefined;
  return { body, etag, status, storedAt, freshUntil, staleUntil, terminal: fields.t === '1' };
}

/** Parses an announced change; `undefined` for anything else on the channel. */
export function parseStoreChange(message: string): StoreChange | undefined {
  try {
    const [origin, key, fields] = JSON.parse(message) as [unknown, unknown, unknown];
    if (typeof origin !== 'string' || typeof key !== 'string') return undefined;
    if (fields === null) return { origin, key, entry: null };
    if (typeof fields !== 'object') return undefined;
    const entry = decode(fields as Record<string, string>);
    return entry === undefined ? undefined : { origin, key, entry };
  } catch {
    return undefined;
  }
}

/** HGETALL's reply: a flat array of pairs (RESP2), or an object (node-redis 6 maps it). */
function pairsToRecord(reply: unknown): Record<string, string> {
  const record: Record<string, string> = {};
  if (reply instanceof Map) {
    for (const [field, value] of reply) record[String(field)] = String(value);
    return record;
  }
  if (!Array.isArray(reply)) {
    if (typeof reply !== 'object' || reply === null) return record;
    for (const [field, value] of Object.entries(reply)) record[field] = String(value);
    return record;
  }
  for (let index = 0; index + 1 < reply.length; index += 2) {
    record[String(reply[index])] = String(reply[index + 1]);
  }
  return record;
}

/**
 * A {@link StatusStore} on Redis, shared by every proxy instance of a fleet. Each entry is a hash
 * under `prefix + "status:" + key` (the key is the cache key: an HMAC digest of the tenant's
 * credential, never a key or token), written by one Lua script that keeps a terminal status from
 * being replaced by an older non-terminal one atomically, and expiring by itself at `staleUntil`.
 * Redis failing makes calls reject; put it behind {@link createFleetStore} (or the status cache,
 * which reads a failing store as empty) so that the proxy does not fail with it.
 *
 * @throws {TypeError} for a prefix that is not a string.
 * @example
 * ```ts
 * const redis = await connectRedis({ url: 'redis://127.0.0.1:6379', log });
 * const store = createRedisStore({ redis: redis.commands, prefix: 'status-proxy:' });
 * ```
 */
export function createRedisStore(options: RedisStoreOptions): StatusStore {
  const { redis, announce } = options;
  const now = options.now ?? (() => Date.now());
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  if (typeof prefix !== 'string') throw new TypeError('`prefix` must be a string.');
  const channel = announce?.channel ?? '';
  const message = (key: string, fields: Record<string, string> | null) =>
    announce === undefined ? '' : JSON.stringify([announce.origin, key, fields]);
  const redisKey = (key: string) => `${prefix}status:${key}`;

  return {
    async get(key) {
      const entry = decode(pairsToRecord(await redis.sendCommand(['HGETALL', redisKey(key)])));
      return entry !== undefined && entry.staleUntil > now() ? entry : undefined;
    },
    async set(key, entry) {
      const fields = encode(entry);
      const ttlMs = Number.isFinite(entry.staleUntil)
        ? Math.max(1, Math.ceil(entry.staleUntil - now()))
        : 0;
      const reply = await redis.sendCommand([
        'EVAL',
        SET_SCRIPT,
        '1',
        redisKey(key),
        fields.t as string,
        String(now()),
        String(ttlMs),
        fields.b as string,
        fields.e as string,
        fields.s as string,
        fields.a as string,
        fields.f as string,
        fields.u as string,
        channel,
        message(key, fields),
      ]);
      return Number(reply) === 1;
    },
    async delete(key) {
      await redis.sendCommand([
        'EVAL',
        DELETE_SCRIPT,
        '1',
        redisKey(key),
        channel,
        message(key, null),
      ]);
    },
  };
}
