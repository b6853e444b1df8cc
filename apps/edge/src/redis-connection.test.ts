import { describe, expect, it } from 'vitest';
import type { LogRecord } from './log-record.ts';
import { connectRedis, reconnectDelay } from './redis-connection.ts';
import { freePort, startRedisServer } from './test-support/redis-server.ts';

const PASSWORD = 'hunter2-very-secret';

describe('connectRedis', () => {
  it('starts without Redis: one log line without the password, commands fail at once', async () => {
    const port = await freePort();
    const logs: LogRecord[] = [];
    const connection = await connectRedis({
      url: `redis://user:${PASSWORD}@127.0.0.1:${port}/0`,
      log: (record) => logs.push(record),
      connectTimeoutMs: 200,
      maxBackoffMs: 100,
    });
    try {
      expect(connection.ready).toBe(false);
      expect(logs).toHaveLength(1);
      expect(logs[0]).toMatchObject({
        level: 'warn',
        msg: 'fleet: Redis unreachable at startup, running per instance',
        redis: `redis://***@127.0.0.1:${port}/0`,
      });
      const error = (await connection.commands
        .sendCommand(['PING'])
        .catch((caught: unknown) => caught)) as Error;
      expect(error).toBeInstanceOf(Error);
      expect(JSON.stringify(logs) + String(error) + String(error.stack)).not.toContain(PASSWORD);
    } finally {
      await connection.close();
    }
  });

  it('joins the fleet once Redis appears after a start without it', async () => {
    const port = await freePort();
    const logs: LogRecord[] = [];
    const connection = await connectRedis({
      url: `redis://127.0.0.1:${port}`,
      log: (record) => logs.push(record),
      connectTimeoutMs: 200,
      maxBackoffMs: 100,
    });
    const server = await startRedisServer([], port);
    try {
      await expect.poll(() => connection.ready, { timeout: 5_000 }).toBe(true);
      expect(await connection.commands.sendCommand(['PING'])).toBe('PONG');
      expect(logs.map((record) => record.msg)).toEqual([
        'fleet: Redis unreachable at startup, running per instance',
        'fleet: Redis connected, fleet mode on',
      ]);
    } finally {
      await connection.close();
      await server.stop();
    }
  });

  it('logs losing Redis and getting it back, once each, and never the password', async () => {
    const server = await startRedisServer(['--requirepass', PASSWORD]);
    const logs: LogRecord[] = [];
    const changes: boolean[] = [];
    const connection = await connectRedis({
      url: `redis://:${PASSWORD}@127.0.0.1:${server.port}`,
      log: (record) => logs.push(record),
      maxBackoffMs: 100,
    });
    try {
      connection.onReadyChange((ready) => changes.push(ready));
      expect(connection.ready).toBe(true);
      expect(await connection.commands.sendCommand(['PING'])).toBe('PONG');
      await server.stop();
      await expect.poll(() => connection.ready).toBe(false);
      await server.restart();
      await expect.poll(() => connection.ready, { timeout: 5_000 }).toBe(true);
      expect(changes).toEqual([false, true]);
      expect(logs.map((record) => record.msg)).toEqual([
        'fleet: Redis connected, fleet mode on',
        'fleet: Redis lost, running per instance',
        'fleet: Redis connected, fleet mode on',
      ]);
      expect(JSON.stringify(logs)).not.toContain(PASSWORD);
    } finally {
      await connection.close();
      await server.stop();
    }
  });

  it('counts a Redis that stops answering as lost: commands fail at once until it answers again', async () => {
    const server = await startRedisServer();
    const logs: LogRecord[] = [];
    const connection = await connectRedis({
      url: server.url,
      log: (record) => logs.push(record),
      commandTimeoutMs: 200,
    });
    try {
      expect(connection.ready).toBe(true);
      process.kill(server.pid, 'SIGSTOP');
      await expect(connection.commands.sendCommand(['PING'])).rejects.toThrow(/took over/);
      // Confirmed by a PING of its own that times out too.
      await expect.poll(() => connection.ready).toBe(false);
      const started = performance.now();
      await expect(connection.commands.sendCommand(['PING'])).rejects.toThrow(/not connected/);
      expect(performance.now() - started).toBeLessThan(100);
      process.kill(server.pid, 'SIGCONT');
      await expect.poll(() => connection.ready, { timeout: 5_000 }).toBe(true);
      expect(await connection.commands.sendCommand(['PING'])).toBe('PONG');
      expect(logs.map((record) => record.msg)).toEqual([
        'fleet: Redis connected, fleet mode on',
        'fleet: Redis stopped answering, running per instance',
        'fleet: Redis connected, fleet mode on',
      ]);
    } finally {
      process.kill(server.pid, 'SIGCONT');
      await connection.close();
      await server.stop();
    }
  });

  // Found by review: node-redis registers a channel's listener only when Redis confirms the
  // SUBSCRIBE, and renews only registered channels after a reconnection: a subscription whose
  // connection died before the confirmation was lost for good (a fleet that never heard its peers).
  it('keeps a subscription whose connection died before Redis confirmed it', async () => {
    const server = await startRedisServer();
    const connection = await connectRedis({ url: server.url, log: () => {}, maxBackoffMs: 100 });
    const publisher = await connectRedis({ url: server.url, log: () => {}, maxBackoffMs: 100 });
    try {
      process.kill(server.pid, 'SIGSTOP');
      const heard: string[] = [];
      const subscribed = connection.subscribe('news', (message) => heard.push(message));
      // Sent, never confirmed: the server is stopped, then gone, then back (empty) on its port.
      await new Promise((resolve) => setTimeout(resolve, 50));
      await server.restart();
      await subscribed;
      await expect.poll(() => connection.ready && publisher.ready, { timeout: 5_000 }).toBe(true);
      await expect
        .poll(
          async () => {
            await publisher.commands.sendCommand(['PUBLISH', 'news', 'hello']);
            return heard.length > 0;
          },
          { timeout: 5_000 },
        )
        .toBe(true);
      expect(heard[0]).toBe('hello');
    } finally {
      await connection.close();
      await publisher.close();
      await server.stop();
    }
  });

  it('does not count one slow answer (a blocked event loop) as a Redis that stopped answering', async () => {
    const server = await startRedisServer();
    const connection = await connectRedis({
      url: server.url,
      log: () => {},
      commandTimeoutMs: 200,
    });
    const changes: boolean[] = [];
    connection.onReadyChange((ready) => changes.push(ready));
    try {
      const pending = connection.commands.sendCommand(['PING']).catch((error: unknown) => error);
      const until = performance.now() + 400;
      while (performance.now() < until) {
        // The event loop is blocked: the command's timer fires before its answer is read.
      }
      expect(await pending).toBeInstanceOf(Error);
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(connection.ready).toBe(true);
      expect(changes).toEqual([]);
    } finally {
      await connection.close();
      await server.stop();
    }
  });

  it('says so when Redis refuses the credentials (not "unreachable"), once, without the password', async () => {
    const server = await startRedisServer(['--requirepass', 'the-right-one']);
    const logs: LogRecord[] = [];
    const connection = await connectRedis({
      url: `redis://:${PASSWORD}@127.0.0.1:${server.port}`,
      log: (record) => logs.push(record),
      connectTimeoutMs: 500,
      maxBackoffMs: 100,
    });
    try {
      expect(connection.ready).toBe(false);
      await new Promise((resolve) => setTimeout(resolve, 500));
      const refused = logs.filter((record) => /refused the credentials/.test(record.msg));
      expect(refused).toHaveLength(1);
      expect(refused[0]).toMatchObject({ level: 'error' });
      expect(JSON.stringify(logs)).not.toContain(PASSWORD);
    } finally {
      await connection.close();
      await server.stop();
    }
  });

  it('refuses a URL that is not redis:// or rediss:// without quoting it', async () => {
    const error = await connectRedis({
      url: `http://:${PASSWORD}@example.test`,
      log: () => {},
    }).catch((caught) => caught);
    expect(error).toMatchObject({ name: 'RedisUrlError', code: 'INVALID_REDIS_URL' });
    expect(String(error.message)).not.toContain(PASSWORD);
  });

  it('backs off exponentially with jitter, capped', () => {
    for (let retries = 0; retries < 40; retries++) {
      const ceiling = Math.min(5_000, 100 * 2 ** Math.min(retries, 16));
      const delay = reconnectDelay(retries, 5_000);
      expect(delay).toBeGreaterThanOrEqual(ceiling / 2);
      expect(delay).toBeLessThanOrEqual(ceiling);
    }
  });
});
