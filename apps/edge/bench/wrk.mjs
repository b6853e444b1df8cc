// Closed-loop load with wrk (Debian's `wrk`), pinned with taskset to its own core: one C process
// with an epoll loop sends far more than autocannon in a Node process (which saturates near 50k
// req/s here), so fast targets (nginx, Bun) are measured, not the generator.
import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * The wrk binary on PATH (or /usr/bin/wrk), `undefined` when it is not installed.
 *
 * @example
 * ```js
 * const wrk = findWrk() ?? fallBackToAutocannon();
 * ```
 */
export function findWrk() {
  const candidates = [...(process.env.PATH ?? '').split(delimiter), '/usr/bin'].map((dir) =>
    join(dir, 'wrk'),
  );
  return candidates.find((path) => path !== '/wrk' && existsSync(path));
}

/** Whether `taskset` exists (util-linux), to pin each side to its own core. */
export function hasTaskset() {
  return spawnSync('taskset', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** `taskset -c <core>` before a command, when taskset exists and a core is given. */
export function pinned(core, command, args) {
  if (core === undefined || !hasTaskset()) return { command, args };
  return { command: 'taskset', args: ['-c', String(core), command, ...args] };
}

/**
 * Runs wrk against `url` for `seconds` with `connections` connections over one thread (pinned to
 * `core`), and resolves with its figures: req/s, latency quantiles (ms), non-2xx/3xx responses
 * and socket errors.
 *
 * @example
 * ```js
 * const { rps, p99 } = await runWrk({ binary, url, seconds: 5, connections: 64, core: 1 });
 * ```
 */
export function runWrk({ binary, url, seconds, connections, headers = {}, core }) {
  const wrkArgs = ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', '--timeout', '5s'];
  for (const [name, value] of Object.entries(headers)) wrkArgs.push('-H', `${name}: ${value}`);
  wrkArgs.push(url);
  const { command, args } = pinned(core, binary, wrkArgs);
  return new Promise((resolve, reject) => {
    execFile(command, args, { timeout: (seconds + 30) * 1000 }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`wrk failed: ${error.message}\n${stderr}`));
      try {
        resolve(parseWrk(stdout));
      } catch (parseError) {
        reject(parseError);
      }
    });
  });
}

/**
 * Reads wrk's text output.
 *
 * @example
 * ```js
 * parseWrk('...Requests/sec:  51234.10\n...'); // { rps: 51234.1, ... }
 * ```
 */
export function parseWrk(text) {
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(text);
  if (rps === null) throw new Error(`wrk printed no Requests/sec:\n${text}`);
  const total = /(\d+) requests in ([\d.]+)(\w+)/.exec(text);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(text);
  const latency = (q) => {
    const match = new RegExp(`^\\s+${q}%\\s+([\\d.]+)(us|ms|s)\\s*$`, 'm').exec(text);
    if (match === null) return undefined;
    const unit = { us: 0.001, ms: 1, s: 1000 }[match[2]];
    return Number(match[1]) * unit;
  };
  return {
    rps: Number(rps[1]),
    total: total === null ? undefined : Number(total[1]),
    p50: latency(50),
    p99: latency(99),
    errors: socket === null ? 0 : socket.slice(1).reduce((sum, n) => sum + Number(n), 0),
    non2xx: non2xx === null ? 0 : Number(non2xx[1]),
  };
}
