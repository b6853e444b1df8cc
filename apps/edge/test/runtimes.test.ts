// The proxy started for real on each runtime it ships for (Node, Bun, Deno, workerd), each on
// 127.0.0.1 with the embedded simulator (no NEUROLINKER_* variables: the upstream runs in-process,
// nothing leaves the machine), and driven over HTTP with the same checks.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocumentStatus } from '@neurostatus/core';
import { DEMO_DOCUMENT_IDS, DOCUMENTED_EXAMPLE } from '@neurostatus/simulator';
import { Miniflare, type MiniflareOptions } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleWorker, statusObjectsBinding } from './workerd-worker.ts';

const appDir = fileURLToPath(new URL('..', import.meta.url));
// The real binaries, not the `.bin` wrappers: a wrapper's pid is not the process doing the work,
// and killing it would orphan the runtime, which keeps the port (toolchain.md, "Runtimes").
const BUN = join(appDir, 'node_modules', 'bun', 'bin', 'bun.exe');
const DENO = join(appDir, 'node_modules', 'deno', 'deno');

/** What every entry prints once it listens (PORT=0, so the port is read from this line). */
const READY = /neurostatus edge listening on (http:\/\/\S+)/;
const START_TIMEOUT_MS = 15_000;
const REQUEST_TIMEOUT_MS = 10_000;

/** A completed document: its event stream polls once, sends it, and ends. */
const DOCUMENT_PATH = `/api/v1/document-status/${DOCUMENTED_EXAMPLE.document_id}`;
/** A processing document, for the cached round trip (fresh for 2 s, so the second ask hits). */
const PROCESSING_PATH = `/api/v1/document-status/${DEMO_DOCUMENT_IDS[0]}`;
const BAD_MODE_MESSAGE =
  'Invalid configuration: EDGE_MODE must be passthrough, scoped-token or open.';

/** How each process runtime runs its entry, from apps/edge. */
const PROCESS_RUNTIMES = [
  {
    name: 'Node (tsx)',
    command: process.execPath,
    // `node --import tsx`, not the `tsx` command, which runs the code in a second Node process.
    args: ['--import', 'tsx', 'src/runtimes/node.ts'],
  },
  { name: 'Bun', command: BUN, args: ['run', 'src/runtimes/bun.ts'] },
  {
    name: 'Deno, allowed the network and the environment only',
    command: DENO,
    args: [
      'run',
      '--config',
      'deno.json',
      '--no-prompt',
      '--allow-net',
      '--allow-env',
      'src/runtimes/deno.ts',
    ],
  },
] as const;

/** The environment of every proxy: the embedded simulator, any free port, no request log. */
function proxyEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const inherited = Object.entries(process.env).filter(
    ([name]) => !/^(NEUROLINKER_|EDGE_|HOST$|PORT$|NODE_OPTIONS$)/.test(name),
  );
  return {
    ...Object.fromEntries(inherited),
    HOST: '127.0.0.1',
    PORT: '0',
    EDGE_LOG: 'off',
    DENO_NO_UPDATE_CHECK: '1',
    DO_NOT_TRACK: '1',
    NO_COLOR: '1',
    ...extra,
  };
}

const children = new Set<ChildProcess>();

/** Kills, by pid, every child still running. */
function killChildren(): void {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
}

afterAll(killChildren);

/** Starts `command` directly (no shell, no wrapper), remembered until it exits. */
function spawnChild(command: string, args: readonly string[], env: NodeJS.ProcessEnv) {
  const child = spawn(command, args, { cwd: appDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  return child;
}

/**
 * Starts a proxy and resolves with the origin from its ready line. On timeout or an early exit it
 * kills the child and rejects with what the child printed.
 */
function startProxy(
  command: string,
  args: readonly string[],
  extra: Record<string, string> = {},
): Promise<string> {
  const child = spawnChild(command, args, proxyEnv(extra));
  let output = '';
  return new Promise((resolve, reject) => {
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${command} ${args.join(' ')}: ${why}\n${output || '(no output)'}`));
    };
    const timer = setTimeout(
      () => fail(`not ready after ${START_TIMEOUT_MS} ms`),
      START_TIMEOUT_MS,
    );
    const exited = (code: number | null, signal: string | null) =>
      fail(`exited early (code ${code}, signal ${signal})`);
    child.once('error', (error) => fail(`could not start (${error.message})`));
    child.once('exit', exited);
    child.stderr.on('data', (chunk: string) => {
      output += chunk;
    });
    child.stdout.on('data', (chunk: string) => {
      output += chunk;
      const origin = READY.exec(output)?.[1];
      if (origin === undefined) return;
      clearTimeout(timer);
      child.off('exit', exited);
      resolve(origin);
    });
  });
}

/** Runs `command` to its exit (killed after a timeout), with its output. */
function runToExit(command: string, args: readonly string[], env: NodeJS.ProcessEnv) {
  const child = spawnChild(command, args, env);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk: string) => {
    stderr += chunk;
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), START_TIMEOUT_MS);
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The Worker as wrangler would deploy it (test/workerd-worker.ts), and Miniflare's options for it. */
async function workerOptions(workDir: string): Promise<MiniflareOptions> {
  return {
    ...(await bundleWorker(workDir)),
    bindings: { EDGE_LOG: 'off', EDGE_DEMO: 'true' },
    // The status objects of wrangler.jsonc, on by default as deployed.
    durableObjects: statusObjectsBinding(),
    host: '127.0.0.1',
    port: 0,
    // The placeholder `Request.cf`, never fetched from workers.cloudflare.com.
    cf: false,
  } as MiniflareOptions;
}

interface ServerSentEvent {
  readonly event: string;
  readonly data: string;
  readonly id: string | undefined;
}

/** The events of a whole stream (comments and `retry` fields dropped). */
function parseEvents(text: string): ServerSentEvent[] {
  const events: ServerSentEvent[] = [];
  for (const block of text.split(/\r?\n\r?\n/)) {
    let event = 'message';
    const data: string[] = [];
    let id: string | undefined;
    let any = false;
    for (const line of block.split(/\r?\n/)) {
      const match = /^(event|data|id): ?(.*)$/.exec(line);
      if (match === null) continue;
      any = true;
      if (match[1] === 'event') event = match[2]!;
      else if (match[1] === 'data') data.push(match[2]!);
      else id = match[2]!;
    }
    if (any) events.push({ event, data: data.join('\n'), id });
  }
  return events;
}

function get(url: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { headers, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
}

/**
 * Sends `request` as raw bytes (no client would send it: a `Host` with a space) and resolves with
 * the answer's status line, headers (lowercased names) and body, once the server closes.
 */
function rawRequest(origin: string, request: string) {
  const { hostname, port } = new URL(origin);
  return new Promise<{ status: number; headers: Map<string, string>; body: string }>(
    (resolve, reject) => {
      const socket = connect(Number(port), hostname, () => socket.end(request));
      let text = '';
      socket.setEncoding('utf8');
      socket.setTimeout(REQUEST_TIMEOUT_MS, () => socket.destroy(new Error('no answer')));
      socket.on('data', (chunk) => {
        text += chunk;
      });
      socket.on('error', reject);
      socket.on('close', () => {
        const [head = '', body = ''] = text.split('\r\n\r\n');
        const [statusLine = '', ...lines] = head.split('\r\n');
        const headers = new Map(
          lines.map((line) => {
            const colon = line.indexOf(':');
            return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()];
          }),
        );
        resolve({ status: Number(statusLine.split(' ')[1]), headers, body });
      });
    },
  );
}

/** Reads an event stream to its end; the timeout fails a stream that does not close by itself. */
async function readStream(origin: string, headers: Record<string, string> = {}) {
  const response = await get(`${origin}${DOCUMENT_PATH}/events`, {
    accept: 'text/event-stream',
    ...headers,
  });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
  return parseEvents(await response.text());
}

/** The same checks on every runtime, against the proxy at `origin()`, in this order. */
function describeProxy(origin: () => string): void {
  it('serves a status from upstream, then from its cache, with the same ETag', async () => {
    const first = await get(`${origin()}${PROCESSING_PATH}`);
    const firstBody: unknown = await first.json();
    const second = await get(`${origin()}${PROCESSING_PATH}`);
    const secondBody: unknown = await second.json();

    expect(first.status).toBe(200);
    expect(first.headers.get('cache-status')).toContain('fwd=miss');
    expect(first.headers.get('x-request-id')).toBeTruthy();
    expect(parseDocumentStatus(firstBody).document_id).toBe(DEMO_DOCUMENT_IDS[0]);
    expect(second.status).toBe(200);
    expect(second.headers.get('cache-status')).toMatch(/; hit\b/);
    expect(second.headers.get('x-request-id')).toBeTruthy();
    expect(second.headers.get('etag')).toBe(first.headers.get('etag'));
    expect(secondBody).toEqual(firstBody);
  });

  it('streams a completed document as one status event, then an end event, and closes', async () => {
    const events = await readStream(origin());

    expect(events.map((event) => event.event)).toEqual(['status', 'end']);
    const [status] = events;
    expect(parseDocumentStatus(JSON.parse(status!.data))).toEqual(DOCUMENTED_EXAMPLE);
    expect(status!.id).toBeTruthy();
  });

  it('tells a client that already has the final status to stop reconnecting (204)', async () => {
    const [status] = await readStream(origin());
    const resumed = await get(`${origin()}${DOCUMENT_PATH}/events`, {
      'last-event-id': status!.id!,
    });

    expect(resumed.status).toBe(204);
  });

  // On Workers an event stream's cache writes must go through waitUntil: otherwise workerd cuts
  // a `cache.put` mid-body when a short stream ends, and the cache keeps an empty 200.
  it('still serves the whole status after event streams stored it', async () => {
    const response = await get(`${origin()}${DOCUMENT_PATH}`);

    expect(response.status).toBe(200);
    expect(parseDocumentStatus(await response.json())).toEqual(DOCUMENTED_EXAMPLE);
  });

  it('refuses a malformed id with 400 before asking upstream', async () => {
    const response = await get(`${origin()}/api/v1/document-status/${'x'.repeat(129)}`);

    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 'INVALID_ID' } });
  });
}

/**
 * Starts a proxy with JSON request logs on, sends `count` requests, stops it with SIGTERM as soon
 * as the last answer arrived (inside the log's batching interval), and resolves with the request
 * lines it printed and its exit code.
 */
async function requestLinesAtShutdown(command: string, args: readonly string[], count: number) {
  const child = spawnChild(command, args, proxyEnv({ EDGE_LOG: 'json' }));
  let stdout = '';
  child.stdout.on('data', (chunk: string) => {
    stdout += chunk;
  });
  const closed = new Promise<number | null>((resolve) => child.once('close', resolve));
  const origin = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('not ready')), START_TIMEOUT_MS);
    child.stdout.on('data', () => {
      const found = READY.exec(stdout)?.[1];
      if (found === undefined) return;
      clearTimeout(timer);
      resolve(found);
    });
  });
  for (let sent = 0; sent < count; sent += 50) {
    const batch = Array.from({ length: Math.min(50, count - sent) }, (_, i) =>
      get(`${origin}${i % 2 === 0 ? '/healthz' : PROCESSING_PATH}`).then((r) => r.arrayBuffer()),
    );
    await Promise.all(batch);
  }
  child.kill('SIGTERM');
  const code = await closed;
  const lines = stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { msg: string; requestId: string });
  return { code, requests: lines.filter((line) => line.msg === 'request') };
}

describe.each(PROCESS_RUNTIMES)('the proxy on $name', ({ name, command, args }) => {
  let origin = '';
  beforeAll(async () => {
    origin = await startProxy(command, args);
  }, START_TIMEOUT_MS + 1_000);

  describeProxy(() => origin);

  it('writes one JSON line per request, batched, and loses none when stopped at once', async () => {
    const { code, requests } = await requestLinesAtShutdown(command, args, 300);

    expect(code).toBe(143);
    expect(requests).toHaveLength(300);
    expect(new Set(requests.map((line) => line.requestId)).size).toBe(300);
  }, 30_000);

  // In `open` mode only a client address tells clients apart: without one nothing is limited.
  it('limits each client by the address its runtime reports, cache hits included', async () => {
    const limited = await startProxy(command, args, {
      EDGE_MODE: 'open',
      EDGE_ALLOW_OPEN: 'true',
      EDGE_RATE_LIMIT_PER_SECOND: '1',
      EDGE_RATE_LIMIT_BURST: '2',
    });
    const ask = async () => {
      const response = await get(`${limited}${DOCUMENT_PATH}`);
      await response.arrayBuffer();
      return [response.status, response.headers.get('cache-status')?.includes('; hit;')];
    };
    const first = await ask();
    // At once, so that at most one token comes back meanwhile (one per second).
    const rest = await Promise.all(Array.from({ length: 5 }, ask));

    expect(first).toEqual([200, false]);
    expect(rest.filter(([status]) => status === 429).length).toBeGreaterThanOrEqual(3);
    expect(rest.filter(([status]) => status === 200).every(([, hit]) => hit)).toBe(true);
  });

  // Found by audit: Node's server answered a request @hono/node-server cannot turn into a URL
  // with a bare 400, without the JSON error or the security headers (Bun and Deno pass it on).
  it.each([
    ['a Host with a space', 'GET /healthz HTTP/1.1\r\nHost: a b\r\nConnection: close\r\n\r\n'],
    ['a backslash in the path', 'GET /api\\v1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'],
  ])('answers a request with %s in its JSON error shape and headers', async (_, request) => {
    const { status, headers, body } = await rawRequest(origin, request);
    expect(status).toBeLessThan(500);
    expect(headers.get('content-type')).toMatch(/^application\/json/);
    expect(headers.get('x-content-type-options')).toBe('nosniff');
    expect(headers.get('x-request-id')).toBeTruthy();
    // Deno serves it (it does not need the Host); Node and Bun refuse it, as an error.
    const answer = JSON.parse(body);
    if (status >= 400) expect(answer).toMatchObject({ error: { code: expect.any(String) } });
    // Node's server cannot make a URL of it: refused before the app, as a bad request.
    if (name.startsWith('Node')) {
      expect([status, answer.error.code]).toEqual([400, 'BAD_REQUEST']);
    }
  });

  it('exits with code 78 and one line naming the variable when the configuration is bad', async () => {
    const outcome = await runToExit(command, args, proxyEnv({ EDGE_MODE: 'bogus' }));

    expect(outcome).toEqual({ code: 78, stdout: '', stderr: `${BAD_MODE_MESSAGE}\n` });
  });
});

describe('the proxy as a Worker in workerd (Miniflare)', () => {
  let origin = '';
  let mf: Miniflare | undefined;
  let options: MiniflareOptions;
  let workDir: string | undefined;
  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'neurostatus-edge-worker-'));
    options = await workerOptions(workDir);
    mf = new Miniflare(options);
    origin = (await mf.ready).origin;
  }, START_TIMEOUT_MS + 1_000);
  afterAll(async () => {
    await mf?.dispose();
    if (workDir !== undefined) await rm(workDir, { recursive: true, force: true });
  });

  describeProxy(() => origin);

  it('answers every request 500 INVALID_CONFIG when the bindings are bad', async () => {
    await mf!.setOptions({ ...options, bindings: { EDGE_MODE: 'bogus', EDGE_DEMO: 'true' } });
    const url = await mf!.ready;

    for (const path of [DOCUMENT_PATH, '/healthz']) {
      const response = await get(new URL(path, url).href);
      expect(response.status).toBe(500);
      // Framed like every answer (found by audit: it had neither header).
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('x-request-id')).toBeTruthy();
      expect(await response.json()).toEqual({
        error: { code: 'INVALID_CONFIG', message: BAD_MODE_MESSAGE },
      });
    }
  });

  it('refuses to serve the demo when a deployed Worker has no upstream key', async () => {
    await mf!.setOptions({ ...options, bindings: {} });
    const url = await mf!.ready;
    const response = await get(new URL('/healthz', url).href);
    expect(response.status).toBe(500);
    expect(await response.json()).toMatchObject({
      error: { code: 'INVALID_CONFIG', message: expect.stringContaining('NEUROLINKER_API_KEY') },
    });
  });
});
