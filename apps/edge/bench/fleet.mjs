// The fleet-mode benchmark (issue 10, "Proof"): proxy processes on Node (the esbuild bundle of
// src/runtimes/node.ts), one simulator and the bench's own redis-server, all on 127.0.0.1, in one
// run. It measures
//   1. upstream calls for many clients polling one processing document, through 1 and 3 instances,
//      with and without Redis;
//   2. upstream calls for many event-stream subscribers of one processing document over 3
//      instances (with and without Redis) against a single instance;
//   3. cache-hit throughput on one instance with the fleet (Redis-backed) store against the memory
//      store, alternating rounds, the proxy pinned to core 0 and wrk to core 1 (taskset, if any).
// Prints a markdown section for BENCHMARKS.md and writes it to bench/fleet-results.md. Exits
// non-zero only when something is broken, never for a missed target.
//
// Usage: node bench/fleet.mjs      (from apps/edge; `pnpm bench` runs it after bench/run.mjs)
// Environment (all optional):
//   BENCH_FLEET_PHASES=poll,events,hits
//   BENCH_POLL_SECONDS=30  BENCH_POLL_CLIENTS=1000  BENCH_POLL_INTERVAL_MS=250
//   BENCH_EVENT_CLIENTS=300  BENCH_EVENT_PENDING_MS=1500  BENCH_EVENT_PROCESSING_MS=30000
//   BENCH_HIT_SECONDS=8  BENCH_HIT_ROUNDS=3  BENCH_WARMUP_SECONDS=2  BENCH_CONNECTIONS=64
//   BENCH_FLEET_OUT=bench/fleet-results.md   ('' = nowhere)
//   REDIS_SERVER=/path/to/redis-server   WRK=/path/to/wrk
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCleanups, runBench } from './bench-session.mjs';
import { bundleForNode } from './bundle.mjs';
import { readEventStream } from './event-stream-reader.mjs';
import { renderFleetReport } from './fleet-report.mjs';
import { quantile } from './load.mjs';
import { runPaced } from './paced-load.mjs';
import { cpuSeconds, machineCpuSeconds, startChild, stopChild } from './processes.mjs';
import { benchSecret, PROXY_RUNTIMES, proxyEnv, startProxy } from './proxy-targets.mjs';
import { redisCommandsProcessed, startRedisServer } from './redis-process.mjs';

const benchDir = dirname(fileURLToPath(import.meta.url));
const appDir = resolve(benchDir, '..');
/** The proxy's default freshness of `pending`/`processing` (EDGE_ACTIVE_TTL_SECONDS). */
const ACTIVE_TTL_SECONDS = 2;

const config = readConfig(process.env);
const log = (message) => console.error(`[bench:fleet] ${message}`);
const report = {
  command: 'pnpm --filter @neurostatus/edge bench:fleet',
  date: new Date().toISOString().slice(0, 10),
  machine: machineFacts(),
  config,
  poll: [],
  events: [],
  hits: undefined,
  notes: [],
  broken: [],
};

const cleanups = createCleanups();

await runBench({ report, main, cleanups, render: renderFleetReport, out: config.out, log });

async function main() {
  const workDir = mkdtempSync(join(tmpdir(), 'edge-bench-fleet-'));
  cleanups.push(async () => rmSync(workDir, { recursive: true, force: true }));
  report.machine.loadBefore = loadavg();
  report.machine.otherBefore = await otherLoadOverOneSecond();

  let redis;
  try {
    redis = await startRedisServer();
  } catch (error) {
    // One clear line (what is missing, how to install it), not a stack trace.
    report.broken.push(error.message);
    return;
  }
  cleanups.push(() => redis.stop());
  report.machine.redis = redisVersion();
  log(`redis-server on ${redis.url} (pid ${redis.pid})`);

  log('bundling the simulator and the proxy...');
  const simulatorBundle = join(workDir, 'simulator.mjs');
  await bundleForNode({
    entry: 'bench/simulator-entry.mjs',
    outfile: simulatorBundle,
    cwd: appDir,
  });
  const simulatorChild = await startChild({
    name: 'simulator',
    command: process.execPath,
    args: [simulatorBundle],
    ready: /simulator ready (\{.*\})\n/,
  });
  cleanups.push(() => stopChild(simulatorChild));
  const simulator = { ...JSON.parse(simulatorChild.match[1]), pid: simulatorChild.pid };
  const nodeRuntime = PROXY_RUNTIMES.find((runtime) => runtime.key === 'node');
  const prepared = await nodeRuntime.prepare({ appDir, workDir });
  const authorization = `Bearer ${simulator.apiKey}`;
  const secret = benchSecret();
  const pids = { simulator: simulator.pid, redis: redis.pid };

  /** `count` proxies, all in fleet mode on the bench's Redis or all on their own. */
  async function startInstances({ count, withRedis, pin }) {
    const started = [];
    for (let index = 0; index < count; index++) {
      const proxy = await startProxy({
        name: `proxy ${index + 1}${withRedis ? ' (Redis)' : ''}`,
        prepared: pinned(prepared, pin),
        appDir,
        env: (port) =>
          proxyEnv({
            mode: 'passthrough',
            apiBaseUrl: simulator.apiBaseUrl,
            port,
            secret,
            extra: {
              EDGE_ACTIVE_TTL_SECONDS: String(ACTIVE_TTL_SECONDS),
              EDGE_MAX_EVENT_STREAMS: '100000',
              ...(withRedis ? { EDGE_REDIS_URL: redis.url } : {}),
            },
          }),
      });
      cleanups.push(() => proxy.stop());
      started.push(proxy);
    }
    return { proxies: started, stop: () => Promise.all(started.map((proxy) => proxy.stop())) };
  }

  async function createDocument({ pendingMs, processingMs }) {
    const created = await simulatorControl(simulator, 'POST', '/_sim/requests', {
      apiKey: simulator.apiKey,
      documents: [{ pendingMs, processingMs, fileName: 'bench-fleet.pdf' }],
    });
    return created.document_ids[0];
  }
  const upstreamCalls = async (id) =>
    (await simulatorControl(simulator, 'GET', '/_sim/stats')).byId[id] ?? 0;

  if (config.phases.includes('poll')) {
    for (const setup of [
      { count: 1, withRedis: false },
      { count: 3, withRedis: false },
      { count: 1, withRedis: true },
      { count: 3, withRedis: true },
    ]) {
      await measurePolling(setup).catch((error) =>
        report.broken.push(`polling, ${setupName(setup)}: ${error.message}`),
      );
    }
  }
  if (config.phases.includes('events')) {
    for (const setup of [
      { count: 1, withRedis: false },
      { count: 3, withRedis: false },
      { count: 3, withRedis: true },
    ]) {
      await measureEvents(setup).catch((error) =>
        report.broken.push(`event streams, ${setupName(setup)}: ${error.message}`),
      );
    }
  }
  if (config.phases.includes('hits')) {
    await measureHits().catch((error) => report.broken.push(`cache hits: ${error.message}`));
  }

  /** `pollClients` clients poll one processing document, spread evenly over the instances. */
  async function measurePolling(setup) {
    const { pollClients, pollIntervalMs, pollSeconds } = config;
    log(
      `polling: ${pollClients} clients every ${pollIntervalMs} ms for ${pollSeconds} s, ${setupName(setup)}`,
    );
    const fleet = await startInstances(setup);
    try {
      // Processing at once, for an hour: it stays `processing` for the whole run.
      const id = await createDocument({ pendingMs: 0, processingMs: 3_600_000 });
      const meter = startCpuMeter({ ...pids, ...proxyPids(fleet) });
      const results = await Promise.all(
        fleet.proxies.map((proxy, index) =>
          runPaced({
            url: `${proxy.url}/api/v1/document-status/${id}`,
            headers: { authorization },
            rate: (share(pollClients, setup.count, index) * 1000) / pollIntervalMs,
            seconds: pollSeconds,
            connections: share(pollClients, setup.count, index),
          }),
        ),
      );
      const cpu = meter();
      const calls = await upstreamCalls(id);
      const seconds = Math.max(...results.map((result) => result.elapsedSeconds));
      const row = {
        ...setup,
        calls,
        // One call per freshness window over the time the load really lasted.
        minimum: Math.ceil(seconds / ACTIVE_TTL_SECONDS),
        seconds,
        requests: results.reduce((sum, result) => sum + result.completed, 0),
        rps: results.reduce((sum, result) => sum + result.achievedRate, 0),
        offeredRps: (pollClients * 1000) / pollIntervalMs,
        p99: quantile(concatLatencies(results), 0.99),
        unexpected: unexpectedStatuses(results),
        cpu,
      };
      report.poll.push(row);
      log(
        `polling, ${setupName(setup)}: ${calls} upstream calls (2 s windows: ${row.minimum}), ${Math.round(row.rps)} req/s, p99 ${row.p99?.toFixed(1)} ms`,
      );
    } finally {
      await fleet.stop();
    }
  }

  /** `eventClients` event-stream subscribers of one document, spread over the instances. */
  async function measureEvents(setup) {
    const { eventClients, eventPendingMs, eventProcessingMs } = config;
    log(`event streams: ${eventClients} subscribers, ${setupName(setup)}`);
    const fleet = await startInstances(setup);
    try {
      const id = await createDocument({
        pendingMs: eventPendingMs,
        processingMs: eventProcessingMs,
      });
      const started = performance.now();
      const meter = startCpuMeter({ ...pids, ...proxyPids(fleet) });
      const outcomes = await Promise.all(
        Array.from({ length: eventClients }, (_, index) =>
          readEventStream(
            `${fleet.proxies[index % setup.count].url}/api/v1/document-status/${id}/events`,
            { authorization },
          ).then(
            (events) => checkStream(events),
            (error) => ({ ok: false, why: error.message }),
          ),
        ),
      );
      const cpu = meter();
      const failed = outcomes.filter((outcome) => !outcome.ok);
      const row = {
        ...setup,
        clients: eventClients,
        calls: await upstreamCalls(id),
        seconds: (performance.now() - started) / 1000,
        complete: eventClients - failed.length,
        statusesPerClient: [...new Set(outcomes.map((outcome) => outcome.statuses))].sort(),
        failures: [...new Set(failed.map((outcome) => outcome.why))].slice(0, 3),
        cpu,
      };
      report.events.push(row);
      log(
        `event streams, ${setupName(setup)}: ${row.calls} upstream calls, ${row.complete}/${eventClients} clients got every change once then end, in ${row.seconds.toFixed(1)} s`,
      );
    } finally {
      await fleet.stop();
    }
  }

  /** Cache hits for one completed document: the memory store against the fleet store. */
  async function measureHits() {
    const wrk = findWrk();
    if (wrk === undefined) {
      report.notes.push('Cache hits: skipped, no `wrk` (`apt-get install -y wrk`).');
      return;
    }
    const pin = hasTaskset() ? { server: '0', load: '1' } : undefined;
    if (pin === undefined) report.notes.push('Cache hits: `taskset` missing, nothing pinned.');
    const targets = [
      { name: 'memory store', ...(await startInstances({ count: 1, withRedis: false, pin })) },
      {
        name: 'fleet store (Redis)',
        ...(await startInstances({ count: 1, withRedis: true, pin })),
      },
    ];
    const path = `/api/v1/document-status/${simulator.completedDocumentId}`;
    const rows = [];
    try {
      for (const target of targets) {
        const proxy = target.proxies[0];
        const check = await hitCheck(`${proxy.url}${path}`, authorization);
        rows.push({
          name: target.name,
          pid: proxy.pid,
          url: `${proxy.url}${path}`,
          check,
          runs: [],
        });
      }
      // Alternating rounds, so drift in the machine's other load falls on both alike.
      for (let round = 1; round <= config.hitRounds; round++) {
        for (const row of rows) {
          runWrk({ wrk, url: row.url, authorization, seconds: config.warmupSeconds, pin });
          const meter = startCpuMeter({ proxy: row.pid, redis: redis.pid });
          const commandsBefore = redisCommandsProcessed(redis.port);
          const run = runWrk({ wrk, url: row.url, authorization, seconds: config.hitSeconds, pin });
          // Minus one: the first INFO is counted by the second reading.
          const redisCommands = redisCommandsProcessed(redis.port) - commandsBefore - 1;
          row.runs.push({ ...run, cpu: meter(), redisCommands });
          log(
            `cache hits, ${row.name}, round ${round}: ${Math.round(run.rps)} req/s, p99 ${run.p99Ms} ms, non-2xx ${run.non2xx}, Redis commands ${redisCommands}`,
          );
        }
      }
      report.hits = { rows, pinned: pin !== undefined, wrk: wrkVersion(wrk) };
    } finally {
      for (const target of targets) await target.stop();
    }
  }
}

/** Splits `total` over `parts` as evenly as whole numbers allow. */
function share(total, parts, index) {
  return Math.floor(total / parts) + (index < total % parts ? 1 : 0);
}

function setupName({ count, withRedis }) {
  return `${count} instance${count === 1 ? '' : 's'}, ${withRedis ? 'Redis' : 'no Redis'}`;
}

function proxyPids(fleet) {
  return Object.fromEntries(fleet.proxies.map((proxy, index) => [`proxy${index + 1}`, proxy.pid]));
}

function pinned(prepared, pin) {
  if (pin === undefined) return prepared;
  return { command: 'taskset', args: ['-c', pin.server, prepared.command, ...prepared.args] };
}

function concatLatencies(results) {
  const all = new Float64Array(results.reduce((sum, result) => sum + result.latencies.length, 0));
  let offset = 0;
  for (const result of results) {
    all.set(result.latencies, offset);
    offset += result.latencies.length;
  }
  return all;
}

function unexpectedStatuses(results) {
  const unexpected = { errors: 0, timeouts: 0 };
  for (const result of results) {
    unexpected.errors += result.errors;
    unexpected.timeouts += result.timeouts;
    for (const [status, count] of Object.entries(result.statusCodes)) {
      if (Number(status) !== 200) unexpected[status] = (unexpected[status] ?? 0) + count;
    }
  }
  return unexpected;
}

/** A subscriber's stream: every change once (distinct ids), the last one completed, then `end`. */
function checkStream(events) {
  const statuses = events.filter((event) => event.event === 'status');
  const ids = new Set(statuses.map((event) => event.id));
  const last = statuses.at(-1);
  const lastStatus = last === undefined ? undefined : JSON.parse(last.data).status;
  const names = statuses.map((event) => JSON.parse(event.data).status).join('>');
  if (ids.size !== statuses.length)
    return { ok: false, why: `a repeated status (${names})`, statuses: names };
  if (lastStatus !== 'completed')
    return { ok: false, why: `ended at ${lastStatus}`, statuses: names };
  if (events.at(-1)?.event !== 'end') return { ok: false, why: 'no end event', statuses: names };
  return { ok: true, statuses: names };
}

async function hitCheck(url, authorization) {
  const first = await fetch(url, { headers: { authorization } });
  await first.arrayBuffer();
  const second = await fetch(url, { headers: { authorization } });
  await second.arrayBuffer();
  if (second.status !== 200) throw new Error(`${url} answered ${second.status}`);
  return { status: second.status, cacheStatus: second.headers.get('cache-status') };
}

function runWrk({ wrk, url, authorization, seconds, pin }) {
  const args = ['-t1', `-c${config.connections}`, `-d${seconds}s`, '--latency'];
  args.push('-H', `authorization: ${authorization}`, url);
  const command = pin === undefined ? [wrk, ...args] : ['taskset', '-c', pin.load, wrk, ...args];
  const out = execFileSync(command[0], command.slice(1), { encoding: 'utf8' });
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
  const p99 = /\s99%\s+([\d.]+)(us|ms|s)\b/.exec(out);
  const scale = { us: 0.001, ms: 1, s: 1000 };
  return {
    rps,
    p99Ms: p99 === null ? undefined : Number((Number(p99[1]) * scale[p99[2]]).toFixed(2)),
    non2xx: Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0),
    socketErrors: /Socket errors:.*/.exec(out)?.[0],
  };
}

function findWrk() {
  const candidate = process.env.WRK ?? 'wrk';
  return spawnSync(candidate, ['-v']).error === undefined ? candidate : undefined;
}

function wrkVersion(wrk) {
  const result = spawnSync(wrk, ['-v'], { encoding: 'utf8' });
  return /wrk (\S+)/.exec(`${result.stdout}${result.stderr}`)?.[1];
}

function hasTaskset() {
  return spawnSync('taskset', ['-c', '0', 'true']).status === 0;
}

function redisVersion() {
  try {
    const out = execFileSync(process.env.REDIS_SERVER ?? 'redis-server', ['--version'], {
      encoding: 'utf8',
    });
    return /v=(\S+)/.exec(out)?.[1];
  } catch {
    return undefined;
  }
}

async function simulatorControl(simulator, method, path, body) {
  const response = await fetch(`${simulator.url}${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  if (!response.ok)
    throw new Error(`simulator ${method} ${path}: ${response.status} ${await response.text()}`);
  return response.status === 204 ? undefined : response.json();
}

/**
 * Starts measuring CPU: the returned function gives each named pid's share of one core since,
 * `bench` (this process and its waited-for children, i.e. wrk), and `other` (the rest of the
 * machine's busy time: other people's work).
 */
function startCpuMeter(pids) {
  const started = performance.now();
  const machine = machineCpuSeconds();
  const own = ownSeconds();
  const before = Object.fromEntries(
    Object.entries(pids).map(([name, pid]) => [name, cpuSeconds(pid)]),
  );
  return () => {
    const seconds = (performance.now() - started) / 1000;
    const shares = { bench: (ownSeconds() - own) / seconds };
    for (const [name, pid] of Object.entries(pids)) {
      const now = cpuSeconds(pid);
      shares[name] =
        now === undefined || before[name] === undefined
          ? undefined
          : (now - before[name]) / seconds;
    }
    const machineNow = machineCpuSeconds();
    if (machine !== undefined && machineNow !== undefined) {
      const ours = Object.values(shares).reduce((sum, value) => sum + (value ?? 0), 0);
      shares.busy = (machineNow.busy - machine.busy) / seconds;
      shares.other = Math.max(0, shares.busy - ours);
    }
    return shares;
  };
}

/** This process's CPU seconds plus those of its exited, waited-for children (wrk runs). */
function ownSeconds() {
  const usage = process.cpuUsage();
  const children = cpuSecondsOfWaitedChildren();
  return (usage.user + usage.system) / 1e6 + children;
}

function cpuSecondsOfWaitedChildren() {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[13]) + Number(fields[14])) / 100; // cutime, cstime
  } catch {
    return 0;
  }
}

async function otherLoadOverOneSecond() {
  const meter = startCpuMeter({});
  await new Promise((r) => setTimeout(r, 1000));
  return meter().other;
}

function machineFacts() {
  return {
    nproc: cpus().length,
    cpu: cpus()[0]?.model?.trim(),
    node: process.versions.node,
  };
}

function readConfig(env) {
  const number = (name, fallback, min = 1) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < min)
      throw new TypeError(`${name} must be a number >= ${min}`);
    return value;
  };
  const phases = (env.BENCH_FLEET_PHASES ?? 'poll,events,hits').split(',').map((s) => s.trim());
  for (const phase of phases) {
    if (!['poll', 'events', 'hits'].includes(phase))
      throw new TypeError(`BENCH_FLEET_PHASES: unknown phase ${phase} (poll, events, hits)`);
  }
  return {
    phases,
    pollSeconds: number('BENCH_POLL_SECONDS', 30),
    pollClients: number('BENCH_POLL_CLIENTS', 1000),
    pollIntervalMs: number('BENCH_POLL_INTERVAL_MS', 250),
    eventClients: number('BENCH_EVENT_CLIENTS', 300),
    eventPendingMs: number('BENCH_EVENT_PENDING_MS', 1500, 0),
    eventProcessingMs: number('BENCH_EVENT_PROCESSING_MS', 30000, 0),
    hitSeconds: number('BENCH_HIT_SECONDS', 8),
    hitRounds: number('BENCH_HIT_ROUNDS', 3),
    warmupSeconds: number('BENCH_WARMUP_SECONDS', 2),
    connections: number('BENCH_CONNECTIONS', 64),
    out: env.BENCH_FLEET_OUT ?? join(benchDir, 'fleet-results.md'),
  };
}
