// The cache-hit comparison (issue 12): the proxy on each runtime against nginx and against bare
// servers of the same runtime sending the same bytes (status, headers and body captured from a
// real proxy hit), all in one run. Every server is pinned to core 0 and the load generator to
// core 1; the targets take turns, round after round, so each ratio compares figures measured
// seconds apart on a machine whose load drifts.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runLoad } from './load.mjs';
import { startNginx } from './nginx.mjs';
import { freePort, startChild, stopChild } from './processes.mjs';
import { DENO_RUN, startProxy } from './proxy-targets.mjs';
import { pinned, runWrk } from './wrk.mjs';

/** The server core and the load generator's core. */
export const SERVER_CORE = 0;
export const LOAD_CORE = 1;

/** Response headers each server adds by itself: not part of what the bare servers are given. */
const SERVER_OWN_HEADERS = new Set([
  'date',
  'content-length',
  'connection',
  'keep-alive',
  'transfer-encoding',
]);

/**
 * The proxy's warm answer for `path` (a miss first, then the hit): status, headers (those the
 * proxy sets, in order) and body, for the bare servers to send byte for byte.
 *
 * @example
 * ```js
 * const response = await captureHit(proxy.url, documentPath, { authorization });
 * ```
 */
export async function captureHit(url, path, headers) {
  // What wrk gets: it asks for no encoding (fetch would ask for gzip, and decode it).
  const asWrk = { ...headers, 'accept-encoding': 'identity' };
  await (await fetch(`${url}${path}`, { headers: asWrk })).arrayBuffer();
  const hit = await fetch(`${url}${path}`, { headers: asWrk });
  const body = await hit.text();
  if (hit.status !== 200 || !/\bhit\b/.test(hit.headers.get('cache-status') ?? '')) {
    throw new Error(
      `the second request was not a cache hit: ${hit.status} ${hit.headers.get('cache-status')}`,
    );
  }
  return {
    status: hit.status,
    headers: [...hit.headers].filter(([name]) => !SERVER_OWN_HEADERS.has(name)),
    body,
  };
}

/**
 * Every target of the comparison, in the table's order. `runtime` groups a proxy with the bare
 * servers it is compared to; `role` says which is which.
 */
export function hitTargets({
  appDir,
  runtimes,
  nginxBinary,
  upstreamPort,
  env,
  bareResponse,
  redisUrl,
}) {
  const bun = join(appDir, 'node_modules/bun/bin/bun.exe');
  const deno = join(appDir, 'node_modules/deno/deno');
  const bareEnv = (port) => ({
    ...process.env,
    HOST: '127.0.0.1',
    PORT: String(port),
    BARE_RESPONSE: JSON.stringify(bareResponse),
    DENO_NO_UPDATE_CHECK: '1',
  });
  const bare = (name, runtime, role, command, args) => ({
    name,
    runtime,
    role,
    start: () => startBare({ name, command, args, appDir, env: bareEnv }),
  });
  const proxy = (key, name, extra, role = extra === undefined ? 'proxy' : 'proxy-logs') => {
    const prepared = runtimes.find((runtime) => runtime.key === key)?.prepared;
    if (prepared === undefined) return [];
    return [
      {
        name,
        runtime: key,
        role,
        start: () =>
          startProxy({
            name,
            prepared,
            appDir,
            env: env(extra ?? {}),
            core: SERVER_CORE,
            quietStdout: role === 'proxy-logs',
          }),
      },
    ];
  };
  const logsOn = { EDGE_LOG: 'json' };
  // Fleet mode (issue 10): the fleet store, an in-process tier in front of Redis.
  const fleet = (key, name) =>
    redisUrl === undefined ? [] : proxy(key, name, { EDGE_REDIS_URL: redisUrl }, 'proxy-fleet');
  const targets = [];
  if (nginxBinary !== undefined) {
    targets.push({
      name: 'nginx proxy_cache (1 worker)',
      runtime: 'nginx',
      role: 'nginx',
      start: () => startNginx({ binary: nginxBinary, upstreamPort, core: SERVER_CORE }),
    });
  }
  targets.push(
    bare('bare node:http', 'node', 'bare', process.execPath, ['bench/bare/node-http.mjs']),
    bare('bare Hono on Node', 'node', 'hono', process.execPath, ['bench/bare/hono-node.mjs']),
    ...proxy('node', 'proxy on Node'),
    ...proxy('node', 'proxy on Node, JSON logs on', logsOn),
    ...fleet('node', 'proxy on Node, fleet mode (Redis)'),
  );
  if (existsSync(bun)) {
    targets.push(
      bare('bare Bun.serve', 'bun', 'bare', bun, ['bench/bare/bun-serve.mjs']),
      bare('bare Hono on Bun', 'bun', 'hono', bun, ['bench/bare/hono-bun.mjs']),
      ...proxy('bun', 'proxy on Bun'),
      ...proxy('bun', 'proxy on Bun, JSON logs on', logsOn),
      ...fleet('bun', 'proxy on Bun, fleet mode (Redis)'),
    );
  }
  if (existsSync(deno)) {
    targets.push(
      bare('bare Deno.serve', 'deno', 'bare', deno, [...DENO_RUN, 'bench/bare/deno-serve.mjs']),
      bare('bare Hono on Deno', 'deno', 'hono', deno, [...DENO_RUN, 'bench/bare/hono-deno.mjs']),
      ...proxy('deno', 'proxy on Deno'),
    );
  }
  return targets;
}

async function startBare({ name, command, args, appDir, env }) {
  const port = await freePort();
  const spawned = pinned(SERVER_CORE, command, args);
  const handle = await startChild({
    name,
    command: spawned.command,
    args: spawned.args,
    cwd: appDir,
    env: env(port),
    ready: /bare ready (http:\/\/\S+)/,
  });
  return { url: `http://127.0.0.1:${port}`, pid: handle.pid, stop: () => stopChild(handle) };
}

/**
 * Starts every target, checks each answers the document with the same body, then measures them
 * in turns: a warm-up each, then `rounds` rounds of `seconds` each; a target's figure is its
 * median round. Resolves with one row per target (targets that failed to start are in `broken`).
 */
export async function measureHits({
  targets,
  path,
  headers,
  sameBody,
  wrkBinary,
  connections,
  seconds,
  warmupSeconds,
  rounds,
  meter,
  log,
  cleanups,
}) {
  const rows = [];
  const broken = [];
  for (const target of targets) {
    try {
      log(`hits: starting ${target.name}`);
      const server = await target.start();
      cleanups.push(() => server.stop());
      const response = await fetch(`${server.url}${path}`, { headers });
      const body = await response.text();
      if (response.status !== 200 || !sameBody(body)) {
        throw new Error(`answered ${response.status} with another body: ${body.slice(0, 200)}`);
      }
      rows.push({ ...target, server, runs: [] });
    } catch (error) {
      broken.push(`${target.name}: ${error.message}`);
    }
  }
  const load = (url, duration) =>
    wrkBinary === undefined
      ? runLoad({ url, connections, duration, headers }).then((result) => ({
          rps: result.requests.average,
          p50: result.latency.p50,
          p99: result.latency.p99,
          errors: result.errors + result.timeouts,
          non2xx: result.non2xx,
        }))
      : runWrk({
          binary: wrkBinary,
          url,
          seconds: duration,
          connections,
          headers,
          core: LOAD_CORE,
        });
  for (const row of rows) {
    log(`hits: warming up ${row.name} ${warmupSeconds} s`);
    await load(`${row.server.url}${path}`, warmupSeconds);
  }
  for (let round = 1; round <= rounds; round += 1) {
    for (const row of rows) {
      const cpu = meter({ target: { pid: row.server.pid, withChildren: row.role === 'nginx' } });
      const result = await load(`${row.server.url}${path}`, seconds);
      row.runs.push({ ...result, cpu: cpu() });
      log(`hits: round ${round}, ${row.name}: ${Math.round(result.rps)} req/s`);
    }
  }
  for (const row of rows) {
    await row.server.stop();
    const sorted = [...row.runs].sort((a, b) => a.rps - b.rps);
    row.median = sorted[Math.floor((sorted.length - 1) / 2)];
    delete row.start;
  }
  return { rows, broken };
}
