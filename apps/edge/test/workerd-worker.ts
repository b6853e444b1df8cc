// The Worker as wrangler deploys it, for tests and benchmarks that run it in workerd (Miniflare):
// one bundled ES module, the compatibility date of wrangler.jsonc, the status objects' binding.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { WorkerOptions } from 'miniflare';

const appDir = fileURLToPath(new URL('..', import.meta.url));

/** The Worker's script options for Miniflare, bundled into `workDir`. */
export type WorkerScript = Pick<WorkerOptions, 'modules' | 'modulesRoot' | 'compatibilityDate'>;

/** Bundles `src/runtimes/cloudflare.ts` as wrangler would: one ES module, in `workDir`. */
export async function bundleWorker(workDir: string): Promise<WorkerScript> {
  const outfile = join(workDir, 'worker.mjs');
  await build({
    entryPoints: [join(appDir, 'src', 'runtimes', 'cloudflare.ts')],
    outfile,
    bundle: true,
    format: 'esm',
    target: 'es2022',
    platform: 'neutral',
    // What wrangler resolves with; `neutral` reads no `main`/`module` fields by itself.
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['module', 'main'],
    logLevel: 'silent',
  });
  // The compatibility date the Worker is deployed with, so tests run what wrangler would.
  const wrangler = await readFile(join(appDir, 'wrangler.jsonc'), 'utf8');
  const compatibilityDate = /"compatibility_date":\s*"([\d-]+)"/.exec(wrangler)?.[1];
  if (compatibilityDate === undefined) throw new Error('No compatibility_date in wrangler.jsonc');
  return {
    // An explicit module list: left to itself, Miniflare would follow the bundle's optional dynamic
    // imports (hono-openapi's `effect`, `sury`, ...), which are never loaded, and refuse to start.
    modulesRoot: workDir,
    modules: [{ type: 'ESModule', path: outfile, contents: await readFile(outfile, 'utf8') }],
    compatibilityDate,
  };
}

/** The `STATUS_OBJECTS` binding of wrangler.jsonc; `scriptName` binds another Worker's class. */
export function statusObjectsBinding(scriptName?: string): WorkerOptions['durableObjects'] {
  return {
    STATUS_OBJECTS: {
      className: 'StatusObject',
      useSQLite: true,
      ...(scriptName === undefined ? {} : { scriptName }),
    },
  };
}

/** One server-sent event. */
export interface StreamEvent {
  readonly event: string;
  readonly data: string;
  readonly id: string | undefined;
}

/**
 * An event-stream client reading as events arrive: `events` grows, `done` settles when the
 * server closes the stream (or it breaks), `until()` waits for a number of events.
 */
export interface StreamClient {
  readonly status: number;
  readonly events: StreamEvent[];
  readonly done: Promise<'closed' | 'broken'>;
  until(count: number): Promise<void>;
  close(): void;
}

function parseBlock(block: string): StreamEvent | undefined {
  let event = 'message';
  const data: string[] = [];
  let id: string | undefined;
  let any = false;
  for (const line of block.split('\n')) {
    const match = /^(event|data|id): ?(.*)$/.exec(line);
    if (match === null) continue;
    any = true;
    if (match[1] === 'event') event = match[2]!;
    else if (match[1] === 'data') data.push(match[2]!);
    else id = match[2]!;
  }
  return any ? { event, data: data.join('\n'), id } : undefined;
}

/** Opens an event stream at `url` and reads it in the background. */
export async function openStream(
  fetcher: (url: string, init: RequestInit) => Promise<Response>,
  url: string,
  headers: Record<string, string>,
): Promise<StreamClient> {
  const abort = new AbortController();
  const response = await fetcher(url, {
    headers: { accept: 'text/event-stream', ...headers },
    signal: abort.signal,
  });
  const events: StreamEvent[] = [];
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  const notify = () => {
    for (const waiter of [...waiters]) {
      if (events.length >= waiter.count) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  };
  const done = (async (): Promise<'closed' | 'broken'> => {
    if (response.body === null) return 'closed';
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffered = '';
    try {
      for (;;) {
        const { done: ended, value } = await reader.read();
        if (ended) return 'closed';
        buffered += value.replace(/\r\n/g, '\n');
        let cut = buffered.indexOf('\n\n');
        while (cut >= 0) {
          const event = parseBlock(buffered.slice(0, cut));
          buffered = buffered.slice(cut + 2);
          cut = buffered.indexOf('\n\n');
          if (event !== undefined) events.push(event);
        }
        notify();
      }
    } catch {
      return 'broken';
    } finally {
      for (const waiter of waiters.splice(0)) waiter.resolve();
    }
  })();
  return {
    status: response.status,
    events,
    done,
    until: (count) =>
      events.length >= count
        ? Promise.resolve()
        : new Promise((resolve) => waiters.push({ count, resolve })),
    close: () => abort.abort(),
  };
}
