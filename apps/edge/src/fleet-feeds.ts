import type { PollerClock } from '@neurostatus/poller';
import { fromWireError, toWireError, type WireError } from './durable/feed-message.ts';
import type { FeedListener, FeedSource } from './feed-hub.ts';
import type { FleetConnection } from './redis-connection.ts';

/** Options of {@link createFleetFeeds}. */
export interface FleetFeedsOptions {
  readonly redis: Pick<FleetConnection, 'commands' | 'ready' | 'subscribe'>;
  /** Time and sleep (lease renewals and takeover checks). */
  readonly clock: PollerClock;
  /** This instance's name, in lease values and messages. Default: a random UUID. */
  readonly origin?: string;
  /** Redis key and channel prefix. Default `neurostatus:edge:`. */
  readonly prefix?: string;
  /**
   * How long a leader's lease lasts without renewal, ms (renewed every third of it). When the
   * leader dies, another instance with listeners takes over within two of these. Default 3 000.
   */
  readonly leaseMs?: number;
  /** How long the latest status of a feed is kept for instances that join late, ms. Default 600 000. */
  readonly latestTtlMs?: number;
  /**
   * Aborted when this instance shuts down: a loop that ends then hands the feed over (the other
   * instances take over) instead of announcing its end, which would mean "finished" to them.
   */
  readonly shutdown?: AbortSignal;
}

/** See {@link createFleetFeeds}. */
export interface FleetFeeds {
  /** Wraps a feed's upstream loop so that one instance of the fleet runs it for everyone. */
  share(key: string, source: FeedSource<string>): FeedSource<string>;
  /** Feeds whose upstream loop runs in this instance. */
  readonly leading: number;
  /**
   * Hands every feed this instance leads over to the others (releases their leases at once, as
   * when a leader loses its last listener), and stops its loops; resolves once Redis was told.
   * Call it on shutdown, before closing the connection.
   */
  handOver(): Promise<void>;
}

/**
 * A feed message: who sent it, which feed, and a status (`s`, body `b`), the end (`e`), a failure
 * (`x`, the error's code and numbers `w`) or a release (`r`).
 */
interface FeedMessage {
  readonly o: string;
  readonly k: string;
  readonly t: 's' | 'e' | 'x' | 'r';
  readonly b?: string;
  readonly w?: WireError;
}

const DEFAULTS = { prefix: 'neurostatus:edge:', leaseMs: 3_000, latestTtlMs: 600_000 } as const;

const RENEW_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`;
// KEYS: lease, latest; ARGV: token, channel, message ('' = none).
const RELEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
if ARGV[3] ~= '' then redis.call('PUBLISH', ARGV[2], ARGV[3]) end
return 1
`;
// KEYS: latest; ARGV: body, ttl, channel, message.
const PUBLISH_SCRIPT = `
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('PUBLISH', ARGV[3], ARGV[4])
return 1
`;

function parseMessage(text: string): FeedMessage | undefined {
  try {
    const message = JSON.parse(text) as FeedMessage;
    return typeof message.k === 'string' && typeof message.o === 'string' ? message : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Fleet-wide event streams on Redis: per feed key, one instance (the leader, holding a lease it
 * renews while its loop runs) polls upstream and publishes each status; every instance with
 * listeners for the key feeds them from what is published, and the latest status is kept in Redis
 * for late joiners. A leader that dies stops renewing; one that loses its last listener releases
 * at once; either way an instance that still has listeners takes over within two lease periods.
 * A status equal to the last one delivered is not delivered again, so a takeover repeats nothing
 * (event ids are body ETags). A leader's failure is announced with its code and numbers, and
 * every instance's listeners end with it (an unknown id fails once, fleet-wide, not once per
 * instance after a grace period each). Without Redis, each instance runs its own loop; a feed
 * started then claims its lease once Redis is back, and joins the fleet.
 *
 * @throws {TypeError} for a lease that is not a positive number of milliseconds.
 * @example
 * ```ts
 * const feeds = createFleetFeeds({ redis, clock: systemClock });
 * const hub = createFeedHub<string>({ share: feeds.share });
 * ```
 */
export function createFleetFeeds(options: FleetFeedsOptions): FleetFeeds {
  const { redis, clock } = options;
  const { prefix, leaseMs, latestTtlMs } = { ...DEFAULTS, ...options };
  for (const [name, value] of Object.entries({ leaseMs, latestTtlMs })) {
    if (!Number.isFinite(value) || value <= 0)
      throw new TypeError(`\`${name}\` must be a positive number of milliseconds.`);
  }
  const origin = options.origin ?? crypto.randomUUID();
  const channel = `${prefix}feeds`;
  const handlers = new Map<string, Set<(message: FeedMessage) => void>>();
  /** Each running feed's hand-over (see `FleetFeeds.handOver`). */
  const handOvers = new Set<() => Promise<unknown>>();
  let leading = 0;
  void redis
    .subscribe(channel, (text) => {
      const message = parseMessage(text);
      if (message === undefined || message.o === origin) return;
      for (const handle of handlers.get(message.k) ?? []) handle(message);
    })
    .catch(() => undefined);
  const send = (args: readonly string[]) => redis.commands.sendCommand(args);

  const run = (key: string, source: FeedSource<string>, sink: FeedListener<string>) => {
    const lease = `${prefix}feed-lead:${key}`;
    const latest = `${prefix}feed-latest:${key}`;
    const life = new AbortController();
    const message = (t: FeedMessage['t'], extra: Pick<FeedMessage, 'b' | 'w'> = {}) =>
      JSON.stringify({ o: origin, k: key, t, ...extra });
    let last: string | undefined;
    let heard = false;
    let over = false;
    /** This instance's loop, and its lease token (`undefined` while leading without Redis). */
    let leader: { stop: () => void; token: string | undefined } | undefined;

    const deliver = (body: string) => {
      heard = true;
      if (over || body === last) return;
      last = body;
      sink.status(body);
    };
    const close = () => {
      over = true;
      life.abort();
      handOvers.delete(handOverAll);
      handlers.get(key)?.delete(onMessage);
      if (handlers.get(key)?.size === 0) handlers.delete(key);
    };
    /** Stops this instance's loop and releases the lease, announcing `note` (a message, or ''). */
    const stopLeading = (note: string): Promise<unknown> => {
      if (leader === undefined) return Promise.resolve();
      const { stop, token } = leader;
      leader = undefined;
      leading--;
      stop();
      return send(['EVAL', RELEASE_SCRIPT, '1', lease, token ?? '', channel, note]).catch(() => {});
    };
    /** Stops following and leading (the others take over at once); `tell` ends the listeners too. */
    function handOver(tell = false): Promise<unknown> {
      if (over) return Promise.resolve();
      close();
      const released = stopLeading(message('r'));
      // On shutdown the streams are closing already, without `end`; a close without shutdown
      // ends them as the loops' own end would.
      if (tell) sink.end();
      return released;
    }
    function handOverAll(): Promise<unknown> {
      return handOver(true);
    }
    handOvers.add(handOverAll);
    const lead = (token: string | undefined) => {
      leading++;
      const current = { stop: () => {}, token };
      leader = current;
      const settle = (note: string, notify: () => void) => {
        if (leader !== current) return;
        void stopLeading(note);
        if (over) return;
        close();
        notify();
      };
      const loop: FeedListener<string> = {
        status(body) {
          if (leader !== current) return;
          deliver(body);
          void send([
            'EVAL',
            PUBLISH_SCRIPT,
            '1',
            latest,
            body,
            String(latestTtlMs),
            channel,
            message('s', { b: body }),
          ]).catch(() => {});
        },
        end: () =>
          settle(message(options.shutdown?.aborted === true ? 'r' : 'e'), () => sink.end()),
        error: (error) => settle(message('x', { w: toWireError(error) }), () => sink.error(error)),
      };
      let stop: () => void;
      try {
        stop = source(loop);
      } catch (error) {
        // A source that cannot start here (this instance's scheduler is closed) fails this
        // instance's listeners; the others are not told to fail: the lead is handed over.
        settle(message('r'), () => sink.error(error));
        return;
      }
      // A loop that ended or failed as it started was settled before its stop was known.
      if (leader === current) current.stop = stop;
      else stop();
    };
    const tryLead = async () => {
      if (over || leader !== undefined) return;
      const token = `${origin}:${crypto.randomUUID()}`;
      let won: boolean;
      try {
        won = (await send(['SET', lease, token, 'NX', 'PX', String(leaseMs)])) === 'OK';
      } catch {
        // Redis is away: a loop of our own, so listeners are never left without news.
        if (!over && leader === undefined) lead(undefined);
        return;
      }
      if (!won) return;
      if (over || leader !== undefined) {
        void send(['EVAL', RELEASE_SCRIPT, '1', lease, token, channel, '']).catch(() => {});
        return;
      }
      lead(token);
    };
    /** While leading: renew (or, leading without Redis, claim) the lease; while following: try to lead. */
    const keep = async () => {
      if (leader === undefined) return tryLead();
      const { token } = leader;
      if (token === undefined) {
        const claimed = `${origin}:${crypto.randomUUID()}`;
        const reply = await send(['SET', lease, claimed, 'NX', 'PX', String(leaseMs)]).catch(
          () => undefined,
        );
        if (reply === 'OK' && leader !== undefined) leader.token = claimed;
        // Another instance led meanwhile: follow it.
        else if (reply === null) void stopLeading('');
        return;
      }
      const renewed = await send(['EVAL', RENEW_SCRIPT, '1', lease, token, String(leaseMs)]).catch(
        () => undefined,
      );
      if (renewed !== undefined && Number(renewed) === 0 && leader?.token === token) {
        void stopLeading('');
      }
    };
    function onMessage(received: FeedMessage) {
      if (received.t === 's' && received.b !== undefined) deliver(received.b);
      else if (received.t === 'e') {
        if (over) return;
        close();
        sink.end();
      } else if (received.t === 'x' && typeof received.w?.code === 'string') {
        if (over) return;
        close();
        sink.error(fromWireError(received.w));
      } else if (received.t === 'x' || received.t === 'r') void tryLead();
    }

    const listeners = handlers.get(key) ?? new Set();
    listeners.add(onMessage);
    handlers.set(key, listeners);
    // Redis is away: a loop of our own at once (it claims the lease once Redis is back).
    if (!redis.ready) lead(undefined);
    void (async () => {
      if (leader === undefined) {
        const known = await send(['GET', latest]).catch(() => null);
        if (typeof known === 'string' && !heard) deliver(known);
        await tryLead();
      }
      while (!over) {
        await clock.sleep(leader === undefined ? leaseMs : leaseMs / 3, life.signal);
        await keep();
      }
    })().catch(() => undefined);

    return () => void handOver();
  };

  return {
    get leading() {
      return leading;
    },
    // Whether Redis is there or not: `run` leads alone while it is away, and joins once it is back.
    share: (key, source) => (sink) => run(key, source, sink),
    async handOver() {
      await Promise.all([...handOvers].map((each) => each()));
    },
  };
}
