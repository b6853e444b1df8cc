// The benchmark's own redis-server (Debian's `redis-server`; `REDIS_SERVER` may point elsewhere):
// on a free 127.0.0.1 port, persistence off, stopped by its pid like every other child.
import { execFileSync } from 'node:child_process';
import { freePort, startChild, stopChild } from './processes.mjs';
import { pinned } from './wrk.mjs';

/** What to run when the binary is missing. */
export const REDIS_INSTALL_HINT = 'install it with `apt-get install -y redis-server` (as root)';

/**
 * Starts a redis-server for one bench run and resolves once it accepts connections; pinned to
 * `core` with taskset when given (and taskset is there).
 *
 * @example
 * ```js
 * const redis = await startRedisServer();
 * // ... EDGE_REDIS_URL: redis.url ...
 * await redis.stop();
 * ```
 */
export async function startRedisServer({
  binary = process.env.REDIS_SERVER ?? 'redis-server',
  core,
} = {}) {
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  const spawned = pinned(core, binary, args);
  const handle = await startChild({
    name: 'redis-server',
    command: spawned.command,
    args: spawned.args,
    ready: /Ready to accept connections/,
    timeoutMs: 10_000,
  }).catch((error) => {
    throw new Error(`${error.message.split('\n')[0]}; ${REDIS_INSTALL_HINT}`);
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    pid: handle.pid,
    stop: () => stopChild(handle),
  };
}

/**
 * Commands the server has processed so far (`INFO stats`, through Debian's `redis-cli`), to show
 * how many Redis round trips a run caused (a difference of two readings counts the first `INFO`); `NaN` when `redis-cli` is missing.
 *
 * @example
 * ```js
 * const before = redisCommandsProcessed(redis.port); await load(); redisCommandsProcessed(redis.port) - before;
 * ```
 */
export function redisCommandsProcessed(port) {
  try {
    const out = execFileSync(
      'redis-cli',
      ['-h', '127.0.0.1', '-p', String(port), 'INFO', 'stats'],
      {
        encoding: 'utf8',
      },
    );
    return Number(/total_commands_processed:(\d+)/.exec(out)?.[1]);
  } catch {
    return Number.NaN;
  }
}
