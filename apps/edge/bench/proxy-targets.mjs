// The proxy under test, on Node (an esbuild bundle run by plain `node`) and on Bun (the real
// binary, so the pid we stop is the server itself, not a wrapper).
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { bundleForNode } from './bundle.mjs';
import { freePort, startChild, stopChild } from './processes.mjs';
import { pinned } from './wrk.mjs';

/** What every entry prints once it listens (see apps/edge's design notes). */
const READY = /neurostatus edge listening on (http:\/\/\S+)/;

/**
 * The proxy's environment for the bench: upstream = the simulator, no rate limit, no logging.
 * `passthrough` (the default) is the like-for-like comparison with nginx: each client sends its key,
 * the proxy forwards it and keys the cache by an HMAC of it, as nginx keys by the header. `open`
 * holds the demo key in the proxy and needs no client key.
 *
 * @example
 * ```js
 * proxyEnv({ mode: 'open', apiBaseUrl, apiKey: DEMO_API_KEY, port: 8787 });
 * ```
 */
export function proxyEnv({ mode, apiBaseUrl, apiKey, port, secret, extra = {} }) {
  const env = {
    ...process.env,
    HOST: '127.0.0.1',
    PORT: String(port),
    NEUROLINKER_BASE_URL: apiBaseUrl,
    EDGE_MODE: mode,
    EDGE_SECRET: secret,
    EDGE_RATE_LIMIT_PER_SECOND: '0',
    EDGE_LOG: 'off',
    DENO_NO_UPDATE_CHECK: '1',
    ...extra,
  };
  // The key in the proxy's environment only where the mode uses it, so passthrough really forwards.
  if (mode === 'passthrough') delete env.NEUROLINKER_API_KEY;
  else env.NEUROLINKER_API_KEY = apiKey;
  if (mode === 'open') env.EDGE_ALLOW_OPEN = '1';
  return env;
}

/**
 * A random server secret for one bench run (>= 32 characters).
 *
 * @example
 * ```js
 * const secret = benchSecret();
 * ```
 */
export function benchSecret() {
  return randomBytes(24).toString('hex');
}

/**
 * The runtimes the proxy can be measured on, with where their entry lives. `available()` is false
 * while the entry file does not exist yet, so the bench can report it as skipped.
 */
export const PROXY_RUNTIMES = [
  {
    name: 'proxy on Node',
    key: 'node',
    entry: 'src/runtimes/node.ts',
    /** Bundles once into `workDir`, then each `start` runs `node proxy.mjs`. */
    async prepare({ appDir, workDir }) {
      const outfile = join(workDir, 'proxy-node.mjs');
      await bundleForNode({ entry: this.entry, outfile, cwd: appDir });
      return { command: process.execPath, args: [outfile] };
    },
  },
  {
    name: 'proxy on Bun',
    key: 'bun',
    entry: 'src/runtimes/bun.ts',
    async prepare({ appDir }) {
      const bun = join(appDir, 'node_modules/bun/bin/bun.exe');
      if (!existsSync(bun)) throw new Error(`no Bun binary at ${bun} (pnpm install?)`);
      return { command: bun, args: [this.entry] };
    },
  },
  {
    name: 'proxy on Deno',
    key: 'deno',
    entry: 'src/runtimes/deno.ts',
    async prepare({ appDir }) {
      // The real binary: `.bin/deno` is a Node wrapper whose pid is not the server's.
      const deno = join(appDir, 'node_modules/deno/deno');
      if (!existsSync(deno)) throw new Error(`no Deno binary at ${deno} (pnpm install?)`);
      return { command: deno, args: [...DENO_RUN, this.entry] };
    },
  },
];

/** How the bench runs a script on Deno: apps/edge/deno.json (bare imports from node_modules). */
export const DENO_RUN = [
  'run',
  '--config',
  'deno.json',
  '--no-prompt',
  '--allow-net',
  '--allow-env',
];

/**
 * Starts one proxy process with `env` on a free port; resolves once it printed its ready line.
 *
 * @example
 * ```js
 * const proxy = await startProxy({ prepared, appDir, env: (port) => proxyEnv({ ...common, port }) });
 * ```
 */
export async function startProxy({
  name,
  prepared,
  appDir,
  env,
  nodeFlags = [],
  core,
  quietStdout = false,
}) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const { command, args } = pinned(core, prepared.command, [...nodeFlags, ...prepared.args]);
  const handle = await startChild({
    name,
    command,
    args,
    cwd: appDir,
    env: env(port),
    // With stdout discarded (request logs on), readiness is asked over HTTP instead.
    ...(quietStdout
      ? { quietStdout, probe: async () => (await fetch(`${url}/healthz`)).ok }
      : { ready: READY }),
    ipc: nodeFlags.length > 0,
    timeoutMs: 30_000,
  });
  const printed = handle.match?.[1] ?? url;
  return {
    name,
    url,
    printedUrl: printed,
    pid: handle.pid,
    handle,
    stop: () => stopChild(handle),
    /** With the memory probe preloaded: heap and RSS after a full GC in the proxy process. */
    memoryAfterGc: () => askMemory(handle.child),
  };
}

let nextQuestion = 0;

function askMemory(child) {
  if (typeof child.send !== 'function' || !child.connected) return Promise.resolve(undefined);
  const id = nextQuestion++;
  return new Promise((resolve) => {
    const timer = setTimeout(() => done(undefined), 10_000);
    const onMessage = (message) => {
      if (message?.type === 'memory' && message.id === id) done(message.usage);
    };
    const done = (usage) => {
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve(usage);
    };
    child.on('message', onMessage);
    child.send({ type: 'memory', id });
  });
}
