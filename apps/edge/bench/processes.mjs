// Child processes of the benchmark: started with a readiness check, remembered, and stopped by pid
// (never by name), in reverse start order, from a finally block or a signal handler.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** Every child still running, in start order. */
const running = new Set();

/** How many bytes of a child's output to keep for error messages. */
const TAIL_BYTES = 4096;

/**
 * Starts `command` and resolves once `isReady(output)` is true for its stdout (or once `probe()`
 * resolves truthy, for servers that print nothing). Output is always drained, so a chatty child
 * never blocks on a full pipe.
 *
 * @example
 * ```js
 * const sim = await startChild({ name: 'simulator', command: process.execPath, args: ['sim.mjs'],
 *   ready: /listening on (\S+)/ });
 * ```
 */
export function startChild({
  name,
  command,
  args = [],
  cwd,
  env = process.env,
  ready,
  probe,
  ipc = false,
  quietStdout = false,
  timeoutMs = 30_000,
}) {
  // quietStdout: stdout to /dev/null (a request log measured as written, not as read by the
  // bench); readiness then comes from `probe`.
  const stdio = ['ignore', quietStdout ? 'ignore' : 'pipe', 'pipe', ...(ipc ? ['ipc'] : [])];
  const child = spawn(command, args, { cwd, env, stdio });
  let stdout = '';
  let stderr = '';
  const keep = (text, chunk) => (text + chunk).slice(-TAIL_BYTES);
  const handle = {
    name,
    child,
    pid: child.pid,
    /** The regular expression match of the readiness line, when `ready` is given. */
    match: undefined,
    exited: new Promise((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    ),
    output: () => `${stdout}${stderr === '' ? '' : `\n[stderr]\n${stderr}`}`.trim(),
  };
  running.add(handle);
  handle.exited.then(() => running.delete(handle));
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (message) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      stopChild(handle).finally(() =>
        reject(new Error(`${name}: ${message}\n${handle.output() || '(no output)'}`)),
      );
    };
    const succeed = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(handle);
    };
    const timer = setTimeout(() => fail(`not ready after ${timeoutMs} ms`), timeoutMs);
    child.once('error', (error) => fail(`could not start (${error.message})`));
    child.once('exit', (code, signal) =>
      fail(`exited before it was ready (code ${code}, signal ${signal})`),
    );
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk) => {
      stderr = keep(stderr, chunk);
    });
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk) => {
      stdout = keep(stdout, chunk);
      if (ready !== undefined && handle.match === undefined) {
        const match = ready.exec(stdout);
        if (match !== null) {
          handle.match = match;
          succeed();
        }
      }
    });
    if (probe !== undefined) {
      (async () => {
        while (!settled) {
          if (await probe().catch(() => false)) return succeed();
          await new Promise((r) => setTimeout(r, 50));
        }
      })();
    }
  });
}

/**
 * Stops one child by its pid: `signal` first, SIGKILL after `graceMs`. Resolves when it has exited.
 *
 * @example
 * ```js
 * await stopChild(nginx, { signal: 'SIGQUIT' });
 * ```
 */
export async function stopChild(handle, { signal = 'SIGTERM', graceMs = 3000 } = {}) {
  if (handle.child.exitCode !== null || handle.child.signalCode !== null) return;
  try {
    process.kill(handle.pid, signal);
  } catch {
    return; // already gone
  }
  let timer;
  const killed = new Promise((resolve) => {
    timer = setTimeout(() => {
      try {
        process.kill(handle.pid, 'SIGKILL');
      } catch {}
      resolve();
    }, graceMs);
  });
  await Promise.race([handle.exited, killed]);
  clearTimeout(timer);
  await handle.exited;
}

/**
 * Stops every child still running, newest first (the proxies before the simulator they call).
 *
 * @example
 * ```js
 * try { await bench(); } finally { await stopAllChildren(); }
 * ```
 */
export async function stopAllChildren() {
  for (const handle of [...running].reverse()) await stopChild(handle);
}

/**
 * A TCP port that was free a moment ago on 127.0.0.1 (for servers that cannot report theirs).
 *
 * @example
 * ```js
 * const port = await freePort();
 * ```
 */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const CLOCK_TICKS_PER_SECOND = 100; // getconf CLK_TCK on Linux x86-64 and arm64

/**
 * CPU seconds (user + system) used so far by `pid` and, with `withChildren`, its direct children
 * (nginx's workers). Linux /proc only; `undefined` elsewhere.
 *
 * @example
 * ```js
 * const before = cpuSeconds(pid); await load(); const used = cpuSeconds(pid) - before;
 * ```
 */
export function cpuSeconds(pid, { withChildren = false } = {}) {
  try {
    let ticks = statTicks(pid);
    if (withChildren) {
      const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
      for (const child of children === '' ? [] : children.split(/\s+/)) ticks += statTicks(child);
    }
    return ticks / CLOCK_TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

function statTicks(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name may hold spaces and parentheses: fields are counted after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of stat)
}

/**
 * Resident set size and its peak (VmRSS, VmHWM) of `pid` in bytes, from /proc; `undefined` when
 * the process is gone or /proc is missing.
 *
 * @example
 * ```js
 * const { rss, peak } = memoryOf(proxy.pid);
 * ```
 */
export function memoryOf(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
    return { rss: kib('VmRSS') * 1024, peak: kib('VmHWM') * 1024 };
  } catch {
    return undefined;
  }
}

/**
 * CPU seconds the whole machine has spent busy (all cores: user, nice, system, irq, softirq) and
 * stolen by the hypervisor since boot, from /proc/stat; `undefined` elsewhere. Two readings around
 * a run, minus what the bench's own processes used, show how much other work shared the machine.
 *
 * @example
 * ```js
 * const before = machineCpuSeconds(); await load(); const after = machineCpuSeconds();
 * const busy = after.busy - before.busy;
 * ```
 */
export function machineCpuSeconds() {
  try {
    const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
    const [user, nice, system, , , irq, softirq, steal] = fields.map(Number);
    return {
      busy: (user + nice + system + irq + softirq) / CLOCK_TICKS_PER_SECOND,
      steal: steal / CLOCK_TICKS_PER_SECOND,
    };
  } catch {
    return undefined;
  }
}
