// Runtime smoke tests: the unchanged core client, bundled once from source, talks to the simulator
// over real HTTP on 127.0.0.1 from Node 22, Node 24, Bun, Deno, workerd and a browser bundle.
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO_API_KEY, DOCUMENTED_EXAMPLE } from '@neurostatus/simulator';
import { type RunningSimulator, startSimulator } from '@neurostatus/simulator/node';
import { build, type Metafile } from 'esbuild';
import { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChildOutcome, killRunningChildren, runChild } from './run-child.ts';
import type { SmokeInput, SmokeResult } from './smoke/run-smoke.ts';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const smokeDir = join(packageDir, 'test', 'smoke');
// The real binaries, not the `.bin` wrappers: a wrapper's pid is not the process doing the work,
// and killing it would orphan the runtime (toolchain.md, "Runtimes").
const BUN = join(packageDir, 'node_modules', 'bun', 'bin', 'bun.exe');
const DENO = join(packageDir, 'node_modules', 'deno', 'deno');
// A well-formed key (`nl_` + 32 characters) that belongs to no account.
const WRONG_API_KEY = `nl_${'0'.repeat(32)}`;

const CHILD_TIMEOUT_MS = 20_000;
// `npx -y node@N` may have to download Node (about 5 s here, more on a cold cache).
const NPX_TIMEOUT_MS = 100_000;

// No telemetry, update checks or colours from the runtimes, and nothing vitest set for Node.
const childEnv: NodeJS.ProcessEnv = {
  ...Object.fromEntries(Object.entries(process.env).filter(([name]) => name !== 'NODE_OPTIONS')),
  DENO_NO_UPDATE_CHECK: '1',
  DO_NOT_TRACK: '1',
  NO_COLOR: '1',
};

let running: RunningSimulator;
let workDir: string;
/** `cli.mjs` and `worker.mjs`, with the client in a chunk they share: built for no platform. */
let neutralDir: string;
/** `browser.mjs`, one file, built for the browser. */
let browserDir: string;
let browserMetafile: Metafile;

beforeAll(async () => {
  running = await startSimulator({ demo: true });
  workDir = await mkdtemp(join(tmpdir(), 'neurostatus-runtimes-'));
  neutralDir = join(workDir, 'neutral');
  browserDir = join(workDir, 'browser');
  const common = {
    bundle: true,
    format: 'esm',
    target: 'es2022',
    outExtension: { '.js': '.mjs' },
    logLevel: 'silent',
    metafile: true,
  } as const;
  await build({
    ...common,
    entryPoints: { cli: join(smokeDir, 'cli.ts'), worker: join(smokeDir, 'worker.ts') },
    outdir: neutralDir,
    platform: 'neutral',
    // `neutral` resolves no `main`/`module` fields by itself; ky and valibot ship ESM as either.
    mainFields: ['module', 'main'],
    splitting: true,
  });
  const browser = await build({
    ...common,
    entryPoints: { browser: join(smokeDir, 'browser.ts') },
    outdir: browserDir,
    platform: 'browser',
  });
  browserMetafile = browser.metafile;
}, 30_000);

afterAll(async () => {
  killRunningChildren();
  await running?.close();
  if (workDir !== undefined) await rm(workDir, { recursive: true, force: true });
});

/** Fresh ids per runtime, so the simulator's per-id counts show which requests this run made. */
function smokeInput(): SmokeInput {
  return {
    apiBaseUrl: running.apiBaseUrl,
    apiKey: DEMO_API_KEY,
    documentId: DOCUMENTED_EXAMPLE.document_id,
    requestId: DOCUMENTED_EXAMPLE.request_id,
    unknownDocumentId: randomUUID(),
    wrongApiKey: WRONG_API_KEY,
  };
}

/** The last stdout line of a child that must have exited 0, as a `SmokeResult`. */
function resultFrom(outcome: ChildOutcome): SmokeResult {
  const report = `exit ${outcome.exitCode} (${outcome.signal ?? 'no signal'}${outcome.timedOut ? ', timed out' : ''})\nstdout: ${outcome.stdout}\nstderr: ${outcome.stderr}`;
  expect(outcome.exitCode, report).toBe(0);
  const line = outcome.stdout.trim().split('\n').at(-1);
  expect(line, report).toBeDefined();
  return JSON.parse(line!) as SmokeResult;
}

/**
 * Runs `smoke` (one runtime doing the four calls) and checks both what it reports and that the
 * four requests really reached the simulator, counted per id in the path.
 */
async function expectSmokeToPass(
  userAgent: RegExp,
  smoke: (input: SmokeInput) => Promise<SmokeResult>,
): Promise<void> {
  const input = smokeInput();
  const before = running.simulator.stats();
  const result = await smoke(input);
  const after = running.simulator.stats();

  expect(result).toEqual({
    userAgent: expect.stringMatching(userAgent),
    document: { document_id: DOCUMENTED_EXAMPLE.document_id, status: 'completed' },
    request: { request_id: DOCUMENTED_EXAMPLE.request_id, status: 'completed' },
    unknownDocumentCode: 'NOT_FOUND',
    wrongKeyCode: 'AUTHENTICATION_FAILED',
  });
  const delta = (id: string) => (after.byId[id] ?? 0) - (before.byId[id] ?? 0);
  expect(after.total - before.total).toBe(4);
  expect(after.byId[input.unknownDocumentId]).toBe(1);
  expect(delta(input.documentId)).toBe(2);
  expect(delta(input.requestId)).toBe(1);
}

/** The path of the real Node binary that `npx -y node@<major>` runs. */
async function nodeBinary(major: number): Promise<string> {
  const outcome = await runChild('npx', ['-y', `node@${major}`, '-p', 'process.execPath'], {
    cwd: workDir,
    timeoutMs: NPX_TIMEOUT_MS,
    env: childEnv,
  });
  expect(outcome.exitCode, `npx -y node@${major} failed: ${outcome.stderr}`).toBe(0);
  return outcome.stdout.trim();
}

async function runCli(command: string, args: readonly string[]): Promise<SmokeResult> {
  return resultFrom(
    await runChild(command, args, { cwd: workDir, timeoutMs: CHILD_TIMEOUT_MS, env: childEnv }),
  );
}

describe('the core client bundled from source', () => {
  it.each([22, 24])(
    'reads statuses and error codes from the simulator on Node %i',
    async (major) => {
      const node = await nodeBinary(major);
      await expectSmokeToPass(new RegExp(`^Node\\.js/${major}\\b`), (input) =>
        runCli(node, [join(neutralDir, 'cli.mjs'), JSON.stringify(input)]),
      );
    },
    NPX_TIMEOUT_MS + CHILD_TIMEOUT_MS,
  );

  it('reads statuses and error codes from the simulator on Bun', async () => {
    await expectSmokeToPass(/^Bun\/1\.4\.5$/, (input) =>
      runCli(BUN, ['run', join(neutralDir, 'cli.mjs'), JSON.stringify(input)]),
    );
  });

  it('reads statuses and error codes from the simulator on Deno, allowed only 127.0.0.1', async () => {
    await expectSmokeToPass(/^Deno\/2\.9\.6$/, (input) =>
      runCli(DENO, [
        'run',
        '--no-config',
        '--no-prompt',
        '--allow-net=127.0.0.1',
        join(neutralDir, 'cli.mjs'),
        JSON.stringify(input),
      ]),
    );
  });

  it('reads statuses and error codes from the simulator in workerd through Miniflare', async () => {
    // The entry module first, then the chunk holding the client (the one `cli.mjs` imports too).
    const chunks = (await readdir(neutralDir)).filter((name) => name.startsWith('chunk-'));
    const ordered = ['worker.mjs', ...chunks];
    expect(chunks).toHaveLength(1);
    const mf = new Miniflare({
      modulesRoot: neutralDir,
      modules: await Promise.all(
        ordered.map(async (name) => ({
          type: 'ESModule' as const,
          path: join(neutralDir, name),
          contents: await readFile(join(neutralDir, name), 'utf8'),
        })),
      ),
      compatibilityDate: '2025-01-01',
      // The placeholder `Request.cf`, never fetched from workers.cloudflare.com.
      cf: false,
    });
    try {
      await expectSmokeToPass(/^Cloudflare-Workers$/, async (input) => {
        const response = await mf.dispatchFetch('http://smoke.test/', {
          method: 'POST',
          body: JSON.stringify(input),
        });
        const text = await response.text();
        expect(response.status, text).toBe(200);
        return JSON.parse(text) as SmokeResult;
      });
    } finally {
      await mf.dispose();
    }
  });

  it('builds a browser bundle with no Node APIs in it, which then works as a page script', async () => {
    const code = await readFile(join(browserDir, 'browser.mjs'), 'utf8');
    const imports = Object.values(browserMetafile.outputs).flatMap((output) => output.imports);
    expect(imports.map((entry) => entry.path)).toEqual([]);
    expect(code).not.toMatch(/\bnode:/);
    expect(code).not.toMatch(/\bprocess\s*\./);
    expect(code).not.toMatch(/\brequire\s*\(/);
    // No Chromium here: Deno stands in, with `--location` giving the page its URL (on the
    // simulator's origin, so a real browser would make same-origin requests) and no permission
    // beyond the network to 127.0.0.1.
    await expectSmokeToPass(/^Deno\//, async (input) => {
      const page = new URL('/smoke.html', running.url);
      page.searchParams.set('input', JSON.stringify(input));
      return runCli(DENO, [
        'run',
        '--no-config',
        '--no-prompt',
        '--allow-net=127.0.0.1',
        `--location=${page.href}`,
        join(browserDir, 'browser.mjs'),
      ]);
    });
  });
});
