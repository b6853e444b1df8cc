// A real redis-server per test file: Debian's `redis-server` on a free 127.0.0.1 port, persistence
// off, stopped by its pid. Where the binary is missing, `scripts/test.mjs` installs it first.
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';

/** The command tests start; `REDIS_SERVER` may point elsewhere. */
export const REDIS_SERVER_BINARY = process.env.REDIS_SERVER ?? 'redis-server';
const START_TIMEOUT_MS = 10_000;

/** One redis-server started by a test. */
export interface TestRedisServer {
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** Stops it (SIGKILL by pid) and waits for the exit. */
  stop(): Promise<void>;
  /** Starts it again on the same port (after `stop`), empty. */
  restart(): Promise<void>;
}

/** A port nothing listens on right now (bind to 0, read it, close). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

function launch(port: number, extraArgs: readonly string[]): Promise<ChildProcess> {
  const child = spawn(
    REDIS_SERVER_BINARY,
    [
      '--port',
      String(port),
      '--save',
      '',
      '--appendonly',
      'no',
      '--bind',
      '127.0.0.1',
      ...extraArgs,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  return new Promise((resolve, reject) => {
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`redis-server on port ${port}: ${why}\n${output}`));
    };
    const timer = setTimeout(() => fail('not ready in time'), START_TIMEOUT_MS);
    child.once('error', (error) =>
      fail(`could not start (${error.message}); install it: apt-get install -y redis-server`),
    );
    child.once('exit', (code) => fail(`exited early (code ${code})`));
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      output += chunk;
      if (!output.includes('Ready to accept connections')) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      child.stdout?.removeAllListeners('data');
      child.stdout?.resume();
      resolve(child);
    });
  });
}

function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

/**
 * Starts a redis-server of its own for a test file; stop it in `afterAll`.
 *
 * @param extraArgs more server options, e.g. `['--requirepass', 'secret']`.
 * @param port where to listen. Default: a free port.
 * @example
 * ```ts
 * const redis = await startRedisServer();
 * afterAll(() => redis.stop());
 * ```
 */
export async function startRedisServer(
  extraArgs: readonly string[] = [],
  port?: number,
): Promise<TestRedisServer> {
  port ??= await freePort();
  let child = await launch(port, extraArgs);
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    get pid() {
      return child.pid ?? -1;
    },
    stop: () => kill(child),
    async restart() {
      await kill(child);
      child = await launch(port, extraArgs);
    },
  };
}
