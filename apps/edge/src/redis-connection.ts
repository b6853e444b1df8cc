import { createClient } from 'redis';
import type { LogRecord } from './log-record.ts';
import { type Subscriber, subscribeUntilConfirmed } from './redis-subscription.ts';
import { assertRedisUrl, redactRedisUrl } from './redis-url.ts';

/**
 * The one Redis call the fleet's parts make: a command as strings, its reply, or a rejection when
 * Redis cannot answer (it then fails at once, never queues). node-redis clients fit as they are.
 */
export interface RedisCommands {
  sendCommand(args: readonly string[]): Promise<unknown>;
}

/** A message on a Redis pub/sub channel. */
export type ChannelListener = (message: string) => void;

/**
 * Redis as the fleet uses it: commands, pub/sub, and whether Redis is there right now. While it
 * is not, commands reject at once and the fleet's parts fall back to per-instance behaviour.
 */
export interface FleetConnection {
  readonly commands: RedisCommands;
  /** Both connections (commands and pub/sub) are up. */
  readonly ready: boolean;
  /**
   * Listens to `channel` (subscribed again by the client after each reconnection); resolves once
   * Redis confirmed it, sending it again after a reconnection until it does.
   */
  subscribe(channel: string, listener: ChannelListener): Promise<void>;
  /** Called with each change of `ready`; returns how to stop. */
  onReadyChange(listener: (ready: boolean) => void): () => void;
  /** Closes both connections; commands reject afterwards. */
  close(): Promise<void>;
}

/** Options of {@link connectRedis}. */
export interface RedisConnectionOptions {
  /** `redis://` or `rediss://`; may hold a password, which is never logged. */
  readonly url: string;
  /** Receives one line when Redis is unreachable at startup, lost, or back. */
  readonly log: (record: LogRecord) => void;
  /** How long startup waits for Redis before going on without it, ms. Default 2 000. */
  readonly connectTimeoutMs?: number;
  /** Longest a command may take before it counts as failed, ms. Default 1 000. */
  readonly commandTimeoutMs?: number;
  /** Longest pause between reconnection attempts, ms (exponential backoff with jitter). Default 5 000. */
  readonly maxBackoffMs?: number;
}

const DEFAULTS = { connectTimeoutMs: 2_000, commandTimeoutMs: 1_000, maxBackoffMs: 5_000 } as const;

/** Thrown for a command that took longer than `commandTimeoutMs`. */
export class RedisTimeoutError extends Error {
  override readonly name = 'RedisTimeoutError' as const;
  readonly code = 'REDIS_TIMEOUT' as const;
}

/**
 * What a Redis error says about our credentials: `WRONGPASS`, `NOAUTH` or `NOPERM` (the reply's
 * first word; the rest of the message is never logged), or undefined for any other error.
 */
export function credentialsRefusal(error: unknown): string | undefined {
  const message = error instanceof Error ? error.message : '';
  return /^(WRONGPASS|NOAUTH|NOPERM)\b/.exec(message)?.[1];
}

/** `promise`, or a {@link RedisTimeoutError} after `ms`. */
function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RedisTimeoutError(`Redis took over ${ms} ms.`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Reconnection delay: 100 ms doubling to `maxMs`, each drawn in [half, full] so a fleet spreads out. */
export function reconnectDelay(retries: number, maxMs: number): number {
  const ceiling = Math.min(maxMs, 100 * 2 ** Math.min(retries, 16));
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}

/**
 * Connects to Redis with the official `redis` client (two connections: commands, and pub/sub,
 * which Redis dedicates to subscriptions). Redis being down is not the proxy being down: when it
 * is unreachable at startup this resolves anyway after `connectTimeoutMs` (one log line) and keeps
 * reconnecting in the background; when it goes away later, the same. Commands are never queued
 * while disconnected (`disableOfflineQueue`): they fail at once, so no request waits on Redis.
 *
 * @throws {RedisUrlError} for a URL that is not redis:// or rediss:// (the message omits it).
 * @example
 * ```ts
 * const redis = await connectRedis({ url: config.redisUrl, log });
 * const store = createRedisStore({ redis: redis.commands, now: Date.now });
 * ```
 */
export async function connectRedis(options: RedisConnectionOptions): Promise<FleetConnection> {
  const url = assertRedisUrl(options.url);
  const { connectTimeoutMs, commandTimeoutMs, maxBackoffMs } = { ...DEFAULTS, ...options };
  const where = redactRedisUrl(url);
  const log = (level: LogRecord['level'], msg: string) =>
    options.log({ time: new Date().toISOString(), level, msg, redis: where });

  const client = createClient({
    url,
    disableOfflineQueue: true,
    pingInterval: 5_000,
    socket: {
      connectTimeout: connectTimeoutMs,
      reconnectStrategy: (retries) => reconnectDelay(retries, maxBackoffMs),
    },
  });
  // Subscriptions queue while disconnected (unlike commands) and are renewed on reconnection.
  const subscriber = client.duplicate({ disableOfflineQueue: false });
  const listeners = new Set<(ready: boolean) => void>();
  let ready = false;
  let closed = false;
  /** A command timed out: Redis is connected but not answering (a hung server, a lost route). */
  let stalled = false;
  let probe: ReturnType<typeof setTimeout> | undefined;
  /** The credentials refusal last logged (once until Redis is ready again). */
  let refused: string | undefined;
  const update = () => {
    const now = !closed && !stalled && client.isReady && subscriber.isReady;
    if (now === ready) return;
    ready = now;
    if (now) refused = undefined;
    if (!closed) {
      const lost = stalled
        ? 'fleet: Redis stopped answering, running per instance'
        : 'fleet: Redis lost, running per instance';
      log(now ? 'info' : 'warn', now ? 'fleet: Redis connected, fleet mode on' : lost);
    }
    for (const listener of listeners) listener(now);
  };
  /** Until a PING is answered again, every `commandTimeoutMs`: commands fail at once meanwhile. */
  const stall = () => {
    if (stalled || closed) return;
    stalled = true;
    update();
    const check = () => {
      probe = setTimeout(async () => {
        const answered = await within(client.sendCommand(['PING']), commandTimeoutMs).then(
          () => true,
          () => false,
        );
        if (closed) return;
        if (!answered) return check();
        stalled = false;
        update();
      }, commandTimeoutMs);
    };
    check();
  };
  /**
   * One slow command is not a stalled Redis (a blocked event loop runs timers before it reads
   * the socket): a PING must time out too.
   */
  let confirming = false;
  const confirmStall = () => {
    if (confirming || stalled || closed) return;
    confirming = true;
    void within(client.sendCommand(['PING']), commandTimeoutMs).then(
      () => {
        confirming = false;
      },
      () => {
        confirming = false;
        stall();
      },
    );
  };
  const noteError = (error: unknown) => {
    const refusal = credentialsRefusal(error);
    if (refusal !== undefined && refusal !== refused && !closed) {
      refused = refusal;
      log('error', `fleet: Redis refused the credentials (${refusal}), running per instance`);
    }
    update();
  };
  for (const each of [client, subscriber]) {
    // Without an `error` listener an emitter's error would crash the process; connection errors
    // (ECONNREFUSED, ...) are the state change `update` reports, a refused password is logged.
    each.on('error', noteError);
    each.on('ready', update);
    each.on('end', update);
    each.on('reconnecting', update);
    each.connect().catch(() => update());
  }

  const startedUp = await new Promise<boolean>((resolve) => {
    if (ready) return resolve(true);
    const timer = setTimeout(() => {
      listeners.delete(onReady);
      resolve(false);
    }, connectTimeoutMs);
    const onReady = (now: boolean) => {
      if (!now) return;
      clearTimeout(timer);
      listeners.delete(onReady);
      resolve(true);
    };
    listeners.add(onReady);
  });
  if (!startedUp) log('warn', 'fleet: Redis unreachable at startup, running per instance');

  return {
    get ready() {
      return ready;
    },
    commands: {
      sendCommand(args) {
        if (!ready) return Promise.reject(new Error('Redis is not connected.'));
        return within(client.sendCommand([...args]), commandTimeoutMs).catch((error: unknown) => {
          if (error instanceof RedisTimeoutError) confirmStall();
          throw error;
        });
      },
    },
    subscribe: (channel, listener) =>
      subscribeUntilConfirmed(
        subscriber as Subscriber,
        channel,
        (message) => listener(message),
        () => closed,
        (attempt) => reconnectDelay(attempt, maxBackoffMs),
      ),
    onReadyChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      closed = true;
      clearTimeout(probe);
      update();
      listeners.clear();
      // Gracefully first, so that what was just sent (a lease released on shutdown, which lets
      // another instance take over at once) still reaches Redis; then for good.
      await Promise.all(
        [client, subscriber].map(async (each) => {
          let timer: ReturnType<typeof setTimeout> | undefined;
          await Promise.race([
            each.close().catch(() => undefined),
            new Promise((resolve) => {
              timer = setTimeout(resolve, commandTimeoutMs);
            }),
          ]);
          clearTimeout(timer);
          try {
            each.destroy();
          } catch {
            // Already closed.
          }
        }),
      );
    },
  };
}
