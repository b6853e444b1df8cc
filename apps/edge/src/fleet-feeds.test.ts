import { NotFoundError } from '@neurostatus/core';
import { systemClock } from '@neurostatus/poller';
import { describe, expect, it } from 'vitest';
import { createFeedHub, type FeedListener, type FeedSource } from './feed-hub.ts';
import { createFleetFeeds } from './fleet-feeds.ts';
import { connectRedis } from './redis-connection.ts';
import { startRedisServer } from './test-support/redis-server.ts';
import { useRedisServer } from './test-support/use-redis-server.ts';

/** Short enough for quick takeovers, long enough that a busy test process still renews in time. */
const LEASE_MS = 400;
const redisServer = useRedisServer();
let run = 0;

/** The upstream poll loops the instances start; the test makes them report statuses. */
function upstream() {
  const loops: Array<{ sink: FeedListener<string>; live: boolean }> = [];
  const source: FeedSource<string> = (sink) => {
    const loop = { sink, live: true };
    loops.push(loop);
    return () => {
      loop.live = false;
    };
  };
  const live = () => loops.filter((loop) => loop.live);
  return {
    source,
    loops,
    live,
    status: (body: string) => {
      for (const loop of live()) loop.sink.status(body);
    },
    end: () => {
      for (const loop of live()) loop.sink.end();
    },
  };
}

/** `count` instances, each with its own connection and hub, sharing one prefix. */
async function fleet(count: number) {
  const prefix = `feeds-${run++}:`;
  return Promise.all(
    Array.from({ length: count }, async (_, index) => {
      const redis = await redisServer.connect();
      const feeds = createFleetFeeds({
        redis,
        clock: systemClock,
        prefix,
        origin: `i${index}`,
        leaseMs: LEASE_MS,
      });
      const hub = createFeedHub<string>({ share: feeds.share });
      // Let the subscription settle before the test publishes.
      await redis.commands.sendCommand(['PING']);
      return { redis, feeds, hub, prefix };
    }),
  );
}

function listener() {
  const seen = { statuses: [] as string[], ended: 0, errors: 0 };
  const listen: FeedListener<string> = {
    status: (body) => seen.statuses.push(body),
    end: () => seen.ended++,
    error: () => seen.errors++,
  };
  return { seen, listen };
}

describe('createFleetFeeds', () => {
  it('runs one upstream loop for listeners on three instances, each getting each status once', async () => {
    const instances = await fleet(3);
    const api = upstream();
    const listeners = Array.from({ length: 30 }, (_, index) => {
      const { seen, listen } = listener();
      instances[index % 3]!.hub.subscribe('doc', api.source, listen);
      return seen;
    });
    await expect.poll(() => api.loops.length).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, LEASE_MS));
    expect(api.loops).toHaveLength(1);
    for (const body of [
      '{"s":"pending"}',
      '{"s":"processing"}',
      '{"s":"processing"}',
      '{"s":"completed"}',
    ]) {
      api.status(body);
    }
    api.end();
    await expect.poll(() => listeners.every((seen) => seen.ended === 1)).toBe(true);
    for (const seen of listeners) {
      expect(seen.statuses).toEqual(['{"s":"pending"}', '{"s":"processing"}', '{"s":"completed"}']);
      expect(seen.errors).toBe(0);
    }
    expect(instances.map(({ hub }) => hub.size)).toEqual([0, 0, 0]);
  });

  it('gives a late listener on another instance the latest status at once', async () => {
    const [a, b] = await fleet(2);
    const api = upstream();
    a!.hub.subscribe('doc', api.source, listener().listen);
    await expect.poll(() => api.loops.length).toBe(1);
    api.status('{"s":"processing","p":40}');
    const late = listener();
    await new Promise((resolve) => setTimeout(resolve, 50));
    b!.hub.subscribe('doc', api.source, late.listen);
    await expect.poll(() => late.seen.statuses).toEqual(['{"s":"processing","p":40}']);
    expect(api.loops).toHaveLength(1);
  });

  it('takes over within two lease periods when the leader dies, repeating nothing', async () => {
    const instances = await fleet(3);
    const api = upstream();
    const seen = instances.map(({ hub }) => {
      const { seen: each, listen } = listener();
      hub.subscribe('doc', api.source, listen);
      return each;
    });
    await expect.poll(() => api.loops.length).toBe(1);
    api.status('{"s":"processing"}');
    await expect.poll(() => seen.every((each) => each.statuses.length === 1)).toBe(true);
    const leaderIndex = instances.findIndex(({ feeds }) => feeds.leading === 1);
    // SIGKILL, as far as the fleet can tell: no renewal, no release, no more statuses.
    await instances[leaderIndex]!.redis.close();
    api.loops[0]!.live = false;
    const killedAt = Date.now();
    await expect.poll(() => api.live().length, { timeout: 6 * LEASE_MS }).toBe(1);
    expect(Date.now() - killedAt).toBeLessThan(2 * LEASE_MS + 250);
    api.status('{"s":"processing"}'); // the new leader's first poll: the same status
    api.status('{"s":"completed"}');
    api.end();
    const survivors = seen.filter((_, index) => index !== leaderIndex);
    await expect.poll(() => survivors.every((each) => each.ended === 1)).toBe(true);
    for (const each of survivors) {
      expect(each.statuses).toEqual(['{"s":"processing"}', '{"s":"completed"}']);
    }
  });

  it('hands the loop over at once when the leader loses its last listener', async () => {
    const [a, b] = await fleet(2);
    const api = upstream();
    const stopA = a!.hub.subscribe('doc', api.source, listener().listen);
    await expect.poll(() => api.loops.length).toBe(1);
    const other = listener();
    b!.hub.subscribe('doc', api.source, other.listen);
    await new Promise((resolve) => setTimeout(resolve, 20));
    stopA();
    await expect.poll(() => b!.feeds.leading, { timeout: LEASE_MS / 2 }).toBe(1);
    expect(api.live()).toHaveLength(1);
    api.status('{"s":"completed"}');
    api.end();
    await expect.poll(() => other.seen.ended).toBe(1);
  });

  it('hands every led loop over at once on handOver (shutdown), before the connection closes', async () => {
    const [a, b] = await fleet(2);
    const api = upstream();
    for (const key of ['doc-1', 'doc-2']) a!.hub.subscribe(key, api.source, listener().listen);
    await expect.poll(() => a!.feeds.leading).toBe(2);
    for (const key of ['doc-1', 'doc-2']) b!.hub.subscribe(key, api.source, listener().listen);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await a!.feeds.handOver();
    await a!.redis.close();
    expect(a!.feeds.leading).toBe(0);
    await expect.poll(() => b!.feeds.leading, { timeout: LEASE_MS / 2 }).toBe(2);
  });

  it("ends every instance's listeners with the leader's failure, without polling again", async () => {
    const [a, b] = await fleet(2);
    const api = upstream();
    const errors: unknown[] = [];
    const follower: FeedListener<string> = {
      status: () => {},
      end: () => {},
      error: (error) => errors.push(error),
    };
    const first = listener();
    a!.hub.subscribe('doc', api.source, first.listen);
    await expect.poll(() => api.loops.length).toBe(1);
    b!.hub.subscribe('doc', api.source, follower);
    await new Promise((resolve) => setTimeout(resolve, 20));
    api.loops[0]!.sink.error(new NotFoundError('gone', { status: 404 }));
    await expect.poll(() => errors.length).toBe(1);
    expect(first.seen.errors).toBe(1);
    expect(errors[0]).toMatchObject({ code: 'NOT_FOUND', status: 404 });
    await new Promise((resolve) => setTimeout(resolve, LEASE_MS));
    expect(api.loops).toHaveLength(1);
  });

  // Found by review: a source that throws as it starts (a closed scheduler) left `leading` high,
  // the lease held until it expired, and its listeners waiting for ever.
  it('fails the listeners of a source that throws as it starts, and lets another instance lead', async () => {
    const [a, b] = await fleet(2);
    const refused = new TypeError('This scheduler is closed.');
    const { seen, listen } = listener();
    a!.hub.subscribe(
      'doc',
      () => {
        throw refused;
      },
      listen,
    );
    await expect.poll(() => seen.errors).toBe(1);
    expect(a!.feeds.leading).toBe(0);
    const api = upstream();
    const other = listener();
    b!.hub.subscribe('doc', api.source, other.listen);
    // The lease was released: the other instance leads at once, not after a lease period.
    await expect.poll(() => api.loops.length, { timeout: LEASE_MS / 2 }).toBe(1);
    api.status('{"s":"processing"}');
    expect(other.seen).toEqual({ statuses: ['{"s":"processing"}'], ended: 0, errors: 0 });
  });

  it('stops a loop that ended as it started (its stop was not known yet)', async () => {
    const [a] = await fleet(1);
    let stopped = 0;
    const { seen, listen } = listener();
    a!.hub.subscribe(
      'doc',
      (sink) => {
        sink.status('{"s":"completed"}');
        sink.end();
        return () => {
          stopped++;
        };
      },
      listen,
    );
    await expect.poll(() => seen.ended).toBe(1);
    expect(seen.statuses).toEqual(['{"s":"completed"}']);
    expect(stopped).toBe(1);
    expect(a!.feeds.leading).toBe(0);
  });

  it('hands the lead over, not a failure, when a source cannot start on this instance', async () => {
    const [a, b] = await fleet(2);
    const told: string[] = [];
    const watcher = await redisServer.connect();
    await watcher.subscribe(`${a!.prefix}feeds`, (text) => told.push(JSON.parse(text).t));
    const api = upstream();
    b!.hub.subscribe('doc', api.source, listener().listen);
    await expect.poll(() => api.loops.length).toBe(1);
    const failing = listener();
    a!.hub.subscribe(
      'doc',
      () => {
        throw new TypeError('This scheduler is closed.');
      },
      failing.listen,
    );
    // a follows b's loop, and leads once b hands over: then its source throws.
    await b!.feeds.handOver();
    await expect.poll(() => failing.seen.errors).toBe(1);
    // Other instances are told to take the lead ('r'), never that the feed failed ('x').
    await expect.poll(() => told).toEqual(['r', 'r']);
  });

  it('runs a loop per instance while Redis is away', async () => {
    const own = await startRedisServer();
    const redis = redisServer.closeAtEnd(
      await connectRedis({ url: own.url, log: () => {}, maxBackoffMs: 100 }),
    );
    const feeds = createFleetFeeds({ redis, clock: systemClock, leaseMs: LEASE_MS });
    const hub = createFeedHub<string>({ share: feeds.share });
    await own.stop();
    await expect.poll(() => redis.ready).toBe(false);
    const api = upstream();
    const { seen, listen } = listener();
    hub.subscribe('doc', api.source, listen);
    expect(api.loops).toHaveLength(1);
    api.status('{"s":"completed"}');
    api.end();
    expect(seen).toEqual({ statuses: ['{"s":"completed"}'], ended: 1, errors: 0 });
    await own.stop();
  });
});

describe('createFleetFeeds across a Redis outage', () => {
  it('joins the fleet with a feed started while Redis was away, once it is back: one loop', async () => {
    const own = await startRedisServer();
    const prefix = `feeds-outage-${run++}:`;
    const make = async (origin: string) => {
      const redis = redisServer.closeAtEnd(
        await connectRedis({ url: own.url, log: () => {}, maxBackoffMs: 100 }),
      );
      const feeds = createFleetFeeds({
        redis,
        clock: systemClock,
        prefix,
        origin,
        leaseMs: LEASE_MS,
      });
      return { redis, feeds, hub: createFeedHub<string>({ share: feeds.share }) };
    };
    try {
      const a = await make('a');
      const b = await make('b');
      const subscribers = async () =>
        (
          (await a.redis.commands.sendCommand(['PUBSUB', 'NUMSUB', `${prefix}feeds`])) as unknown[]
        )[1];
      await expect.poll(subscribers).toBe(2);
      await own.stop();
      await expect.poll(() => a.redis.ready).toBe(false);
      const api = upstream();
      a.hub.subscribe('doc', api.source, listener().listen);
      expect(api.loops).toHaveLength(1);

      await own.restart();
      await expect.poll(() => a.redis.ready && b.redis.ready, { timeout: 5_000 }).toBe(true);
      await expect.poll(subscribers).toBe(2);
      await expect.poll(() => a.feeds.leading, { timeout: 4 * LEASE_MS }).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, LEASE_MS));
      const late = listener();
      b.hub.subscribe('doc', api.source, late.listen);
      await new Promise((resolve) => setTimeout(resolve, 2 * LEASE_MS));
      expect(api.live()).toHaveLength(1);
      api.status('{"s":"completed"}');
      await expect.poll(() => late.seen.statuses).toEqual(['{"s":"completed"}']);
    } finally {
      await own.stop();
    }
  });
});

describe('createFleetFeeds when the leader shuts down', () => {
  it('hands the feed over instead of ending it for the other instances', async () => {
    const prefix = `feeds-shutdown-${run++}:`;
    const shutdown = new AbortController();
    const make = async (origin: string, signal?: AbortSignal) => {
      const redis = await redisServer.connect();
      const feeds = createFleetFeeds({
        redis,
        clock: systemClock,
        prefix,
        origin,
        leaseMs: LEASE_MS,
        ...(signal === undefined ? {} : { shutdown: signal }),
      });
      await redis.commands.sendCommand(['PING']);
      return { feeds, hub: createFeedHub<string>({ share: feeds.share }) };
    };
    const leaving = await make('leaving', shutdown.signal);
    const staying = await make('staying');
    const api = upstream();
    leaving.hub.subscribe('doc', api.source, listener().listen);
    await expect.poll(() => api.loops.length).toBe(1);
    const other = listener();
    staying.hub.subscribe('doc', api.source, other.listen);
    await new Promise((resolve) => setTimeout(resolve, 20));
    shutdown.abort();
    api.loops[0]!.sink.end(); // what a loop does when the runtime shuts down
    await expect.poll(() => staying.feeds.leading, { timeout: LEASE_MS / 2 }).toBe(1);
    expect(other.seen.ended).toBe(0);
    api.status('{"s":"completed"}');
    api.end();
    await expect
      .poll(() => other.seen)
      .toEqual({
        statuses: ['{"s":"completed"}'],
        ended: 1,
        errors: 0,
      });
  });
});
