// The fleet's Redis parts (node-redis, the Redis store, the two-tier store with pub/sub) on each
// runtime the proxy ships for that can open TCP connections: Node, Bun and Deno, each against a
// real redis-server on 127.0.0.1. Workers cannot (EDGE_REDIS_URL is refused there).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, type TestRedisServer } from '../src/test-support/redis-server.ts';

const appDir = fileURLToPath(new URL('..', import.meta.url));
const SCRIPT = 'test/fixtures/redis-smoke.ts';
const TIMEOUT_MS = 20_000;

const RUNTIMES = [
  { name: 'Node', command: process.execPath, args: ['--import', 'tsx', SCRIPT] },
  {
    name: 'Bun',
    command: join(appDir, 'node_modules', 'bun', 'bin', 'bun.exe'),
    args: ['run', SCRIPT],
  },
  {
    name: 'Deno, allowed the network and the environment only',
    command: join(appDir, 'node_modules', 'deno', 'deno'),
    args: ['run', '--config', 'deno.json', '--no-prompt', '--allow-net', '--allow-env', SCRIPT],
  },
] as const;

let server: TestRedisServer;
beforeAll(async () => {
  server = await startRedisServer();
});
afterAll(() => server?.stop());

/** Runs the smoke script to its exit (killed by pid after a timeout); its stdout and exit code. */
function runSmoke(command: string, args: readonly string[]) {
  const child = spawn(command, args, {
    cwd: appDir,
    env: { ...process.env, REDIS_URL: server.url, DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('the fleet on Redis, per runtime', () => {
  it.each(RUNTIMES)(
    '$name: stores atomically, keeps a terminal status, and hears the fleet over pub/sub',
    async ({ command, args }) => {
      const { code, stdout, stderr } = await runSmoke(command, args);
      expect({ code, stderr: code === 0 ? '' : stderr }).toEqual({ code: 0, stderr: '' });
      const result = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}');
      expect(result).toEqual({
        ready: true,
        storedTerminal: true,
        refusedOlder: true,
        readBack: true,
        announced: true,
      });
    },
    TIMEOUT_MS + 5_000,
  );
});
