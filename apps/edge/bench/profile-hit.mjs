// CPU profile of the proxy on Node serving cache hits (issue 12: profile first, then fix). Runs
// the esbuild bundle with `node --cpu-prof` pinned to core 0, drives it with wrk pinned to core 1,
// stops it (SIGTERM: the profile is written on exit) and prints the functions with the most self
// time, each with the source module esbuild bundled it from.
//
// Usage: node bench/profile-hit.mjs   (from apps/edge)
// Environment: PROFILE_RUNTIME=node|bun (Bun runs src/runtimes/bun.ts with its own --cpu-prof)
//   PROFILE_SECONDS=8  PROFILE_TOP=30  PROFILE_LOG=off|json  PROFILE_KEEP=<dir to keep the .cpuprofile>
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleForNode } from './bundle.mjs';
import { startChild, stopAllChildren, stopChild } from './processes.mjs';
import { benchSecret, proxyEnv, startProxy } from './proxy-targets.mjs';
import { findWrk, runWrk } from './wrk.mjs';

const appDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const seconds = Number(process.env.PROFILE_SECONDS ?? 8);
const top = Number(process.env.PROFILE_TOP ?? 30);
const keep = process.env.PROFILE_KEEP;
const workDir = mkdtempSync(join(tmpdir(), 'edge-profile-'));
const profileDir = keep ?? join(workDir, 'profile');

try {
  const wrk = findWrk();
  if (wrk === undefined) throw new Error('wrk is not installed: apt-get install -y wrk');
  await bundleForNode({
    entry: 'bench/simulator-entry.mjs',
    outfile: join(workDir, 'sim.mjs'),
    cwd: appDir,
  });
  const proxyBundle = join(workDir, 'proxy-node.mjs');
  await bundleForNode({ entry: 'src/runtimes/node.ts', outfile: proxyBundle, cwd: appDir });
  const simulatorChild = await startChild({
    name: 'simulator',
    command: process.execPath,
    args: [join(workDir, 'sim.mjs')],
    ready: /simulator ready (\{.*\})\n/,
  });
  const simulator = JSON.parse(simulatorChild.match[1]);
  const onBun = process.env.PROFILE_RUNTIME === 'bun';
  const bun = join(appDir, 'node_modules/bun/bin/bun.exe');
  const proxy = await startProxy({
    name: `proxy on ${onBun ? 'Bun' : 'Node'} (profiled)`,
    prepared: onBun
      ? { command: bun, args: ['src/runtimes/bun.ts'] }
      : { command: process.execPath, args: [proxyBundle] },
    appDir,
    nodeFlags: ['--cpu-prof', '--cpu-prof-dir', profileDir],
    core: 0,
    quietStdout: (process.env.PROFILE_LOG ?? 'off') !== 'off',
    env: (port) =>
      proxyEnv({
        mode: 'passthrough',
        apiBaseUrl: simulator.apiBaseUrl,
        apiKey: simulator.apiKey,
        port,
        secret: benchSecret(),
        extra: { EDGE_LOG: process.env.PROFILE_LOG ?? 'off' },
      }),
  });
  const url = `${proxy.url}/api/v1/document-status/${simulator.completedDocumentId}`;
  const headers = { authorization: `Bearer ${simulator.apiKey}` };
  await runWrk({ binary: wrk, url, seconds: 1, connections: 64, headers, core: 1 });
  const result = await runWrk({ binary: wrk, url, seconds, connections: 64, headers, core: 1 });
  console.log(`${Math.round(result.rps)} req/s under the profiler (wrk, 64 connections)`);
  await stopChild(proxy.handle, { graceMs: 10_000 });
  await stopChild(simulatorChild);
  const file = readdirSync(profileDir).find((name) => name.endsWith('.cpuprofile'));
  if (file === undefined) throw new Error('no .cpuprofile was written');
  const lines = summarize(JSON.parse(readFileSync(join(profileDir, file), 'utf8')), proxyBundle);
  console.log(lines.join('\n'));
} finally {
  await stopAllChildren();
  rmSync(workDir, { recursive: true, force: true });
}

/** Self time per function (name + the module it was bundled from), as a markdown table. */
function summarize(profile, bundle) {
  const modules = moduleStarts(readFileSync(bundle, 'utf8'));
  const self = new Map();
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const counts = new Map();
  for (const id of profile.samples) counts.set(id, (counts.get(id) ?? 0) + 1);
  let total = 0;
  let idle = 0;
  for (const [id, count] of counts) {
    const { callFrame } = byId.get(id);
    // Waiting for the scheduler or the network is not the proxy's work: shares are of busy time.
    if (callFrame.functionName === '(idle)') {
      idle += count;
      continue;
    }
    const where = callFrame.url.endsWith('proxy-node.mjs')
      ? moduleAt(modules, callFrame.lineNumber + 1)
      : callFrame.url === ''
        ? '(native)'
        : callFrame.url
            .replace(/^file:\/\//, '')
            .replace(/^.*node_modules\//, '')
            .replace(`${appDir}/`, '');
    const key = `${callFrame.functionName || '(anonymous)'} | ${where}`;
    self.set(key, (self.get(key) ?? 0) + count);
    total += count;
  }
  const rows = [...self].sort((a, b) => b[1] - a[1]).slice(0, top);
  const byModule = new Map();
  for (const [key, count] of self) {
    const where = key.split(' | ')[1];
    const group =
      where.startsWith('src/') || where.startsWith('../../packages/')
        ? 'the proxy (src/)'
        : where.startsWith('hono/')
          ? 'hono'
          : where.startsWith('@hono/node-server')
            ? '@hono/node-server'
            : where.startsWith('node:') || where === '(native)'
              ? 'Node (HTTP, streams, undici Headers, GC, native)'
              : 'other bundled code';
    byModule.set(group, (byModule.get(group) ?? 0) + count);
  }
  return [
    `${total} busy samples (${((100 * idle) / (idle + total)).toFixed(0)}% of all samples idle: left out).`,
    '',
    '| self % of busy | group |',
    '|---:|---|',
    ...[...byModule]
      .sort((a, b) => b[1] - a[1])
      .map(([group, count]) => `| ${((100 * count) / total).toFixed(1)} | ${group} |`),
    '',
    '| self % | function | module |',
    '|---:|---|---|',
    ...rows.map(([key, count]) => `| ${((100 * count) / total).toFixed(1)} | ${key} |`),
  ];
}

/** esbuild marks each bundled module with a `// path` comment line: [line, path] pairs. */
function moduleStarts(source) {
  const starts = [];
  source.split('\n').forEach((line, index) => {
    const match = /^\/\/ (\S+\.(?:ts|js|mjs|cjs))$/.exec(line);
    if (match !== null) starts.push([index + 1, match[1].replace(/^.*node_modules\//, '')]);
  });
  return starts;
}

function moduleAt(starts, line) {
  let found = '(bundle)';
  for (const [start, path] of starts) {
    if (start > line) break;
    found = path;
  }
  return found;
}
