import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_API_KEY } from './default-accounts.ts';
import { DOCUMENTED_EXAMPLE } from './documented-example.ts';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const started: ChildProcess[] = [];

function runBin(args: readonly string[]): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/bin.ts', ...args], {
    cwd: packageDir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  return child;
}

function collect(stream: NodeJS.ReadableStream | null): { text: () => string } {
  let text = '';
  stream?.setEncoding('utf8');
  stream?.on('data', (chunk: string) => {
    text += chunk;
  });
  return { text: () => text };
}

async function exitCode(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const [code] = (await once(child, 'exit')) as [number | null];
  return code;
}

afterEach(() => {
  // Only the processes this file started, by pid, and only if still running.
  for (const child of started.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
});

describe('the neurostatus-simulator bin', () => {
  it('prints its URL, serves the demo data and exits 0 on SIGINT', async () => {
    const child = runBin(['--port', '0', '--demo', '--time-scale', '60']);
    const stdout = collect(child.stdout);
    const stderr = collect(child.stderr);
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout?.on('data', () => {
        const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout.text());
        if (match?.[1] !== undefined) resolve(match[1]);
      });
      child.once('exit', () => reject(new Error(`bin exited early: ${stderr.text()}`)));
    });
    expect(stdout.text()).toContain(DEMO_API_KEY);
    expect(stdout.text()).toContain(`curl -H 'Authorization: Bearer ${DEMO_API_KEY}'`);
    const res = await fetch(`${url}/api/v1/document-status/${DOCUMENTED_EXAMPLE.document_id}`, {
      headers: { authorization: `Bearer ${DEMO_API_KEY}` },
    });
    expect(await res.json()).toEqual(DOCUMENTED_EXAMPLE);
    child.kill('SIGINT');
    expect(await exitCode(child)).toBe(0);
  }, 20_000);

  it.each([['--bogus'], ['--port', 'abc'], ['--time-scale', '0'], ['stray']])(
    'exits 2 with one line on stderr for %s',
    async (...args) => {
      const child = runBin(args);
      const stderr = collect(child.stderr);
      expect(await exitCode(child)).toBe(2);
      expect(stderr.text()).toMatch(/^neurostatus-simulator: [^\n]+\n$/);
    },
    20_000,
  );

  it('prints usage and exits 0 for --help', async () => {
    const child = runBin(['--help']);
    const stdout = collect(child.stdout);
    expect(await exitCode(child)).toBe(0);
    expect(stdout.text()).toContain('Usage: neurostatus-simulator');
  }, 20_000);
});
