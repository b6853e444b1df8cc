// A throwaway redis-server for the bench's fleet-mode targets: no persistence, 127.0.0.1 only,
// stopped by pid with the other children.
import { spawnSync } from 'node:child_process';
import { freePort, startChild, stopChild } from './processes.mjs';
import { pinned } from './wrk.mjs';

/** How to get Redis when it is missing. */
export const REDIS_INSTALL_HINT = 'apt-get install -y redis-server';

/**
 * The `redis-server` binary (`REDIS_SERVER`, or the one on PATH), or undefined when there is none.
 *
 * @example
 * ```js
 * const binary = findRedis();
 * ```
 */
export function findRedis() {
  const binary = process.env.REDIS_SERVER ?? 'redis-server';
  const probe = spawnSync(binary, ['--version'], { encoding: 'utf8' });
  return probe.status === 0 ? binary : undefined;
}

/**
 * Starts redis-server on a free port, pinned to `core`, and resolves with its URL and a stop.
 *
 * @example
 * ```js
 * const redis = await startRedis({ binary, core: 0 });
 * cleanups.push(() => redis.stop());
 * ```
 */
export async function startRedis({ binary, core }) {
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  const spawned = pinned(core, binary, args);
  const handle = await startChild({
    name: 'redis-server',
    command: spawned.command,
    args: spawned.args,
    ready: /Ready to accept connections/,
  });
  return { url: `redis://127.0.0.1:${port}`, stop: () => stopChild(handle) };
}
