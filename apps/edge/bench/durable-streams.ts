// Upstream calls for N event-stream clients of one document on Workers (issue 11), before and
// after the status Durable Objects, measured on workerd (Miniflare) in one run: the same Worker
// bundle with EDGE_DURABLE_OBJECTS=false (one poll loop per stream, as before) and with the
// objects (one loop per document). The simulator runs on 127.0.0.1 with a manual clock, so each
// document stays `processing` for the same real watch time in every run, then completes.
//
// Usage (from apps/edge): node --import tsx bench/durable-streams.ts
// Environment (optional): BENCH_DURABLE_CLIENTS=1,10,100,200  BENCH_DURABLE_WATCH_SECONDS=10
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createManualClock, DEMO_API_KEY } from '@neurostatus/simulator';
import { startSimulator } from '@neurostatus/simulator/node';
import { Miniflare, type MiniflareOptions } from 'miniflare';
import { bundleWorker, openStream, statusObjectsBinding } from '../test/workerd-worker.ts';

const CLIENTS = (process.env.BENCH_DURABLE_CLIENTS ?? '1,10,100,200').split(',').map(Number);
const WATCH_MS = Number(process.env.BENCH_DURABLE_WATCH_SECONDS ?? '10') * 1_000;
const AUTH = { authorization: `Bearer ${DEMO_API_KEY}` };

const workDir = await mkdtemp(join(tmpdir(), 'neurostatus-durable-bench-'));
const clock = createManualClock(Date.now());
const simulator = await startSimulator({ clock });
const script = await bundleWorker(workDir);

interface Row {
  readonly mode: 'before' | 'after';
  readonly clients: number;
  readonly calls: number;
  readonly complete: boolean;
}

async function measure(mode: Row['mode'], clients: number): Promise<Row> {
  const mf = new Miniflare({
    ...script,
    bindings: {
      NEUROLINKER_BASE_URL: simulator.apiBaseUrl,
      EDGE_MODE: 'passthrough',
      EDGE_SECRET: 'durable-bench-secret-0123456789abcdefghij',
      EDGE_RATE_LIMIT_PER_SECOND: '0',
      EDGE_LOG: 'off',
      ...(mode === 'before' ? { EDGE_DURABLE_OBJECTS: 'false' } : {}),
    },
    durableObjects: statusObjectsBinding(),
    host: '127.0.0.1',
    port: 0,
    cf: false,
  } as MiniflareOptions);
  try {
    const origin = (await mf.ready).origin;
    const { documentIds } = simulator.simulator.createRequest({
      apiKey: DEMO_API_KEY,
      documents: [{ totalPages: 1, pendingMs: 0, processingMs: 50_000 }],
    });
    const id = documentIds[0]!;
    // Into the window where the poller expects a one-page document to finish (polls every 1.6 s).
    clock.set(clock.now() + 20_000);
    const streams = await Promise.all(
      Array.from({ length: clients }, () =>
        openStream(fetch, `${origin}/api/v1/document-status/${id}/events`, AUTH),
      ),
    );
    await Promise.all(streams.map((stream) => stream.until(1)));
    await new Promise((resolve) => setTimeout(resolve, WATCH_MS));
    clock.set(clock.now() + 60_000);
    await Promise.all(streams.map((stream) => stream.done));
    const complete = streams.every(
      (stream) => stream.events.map((event) => event.event).join() === 'status,status,end',
    );
    return { mode, clients, calls: simulator.simulator.stats().byId[id] ?? 0, complete };
  } finally {
    await mf.dispose();
  }
}

const rows: Row[] = [];
try {
  for (const clients of CLIENTS) {
    for (const mode of ['before', 'after'] as const) {
      const row = await measure(mode, clients);
      rows.push(row);
      console.error(`${mode} ${clients}: ${row.calls} calls`);
    }
  }
} finally {
  await simulator.close();
  await rm(workDir, { recursive: true, force: true });
}

console.log(
  `Watch: ${WATCH_MS / 1_000} s of \`processing\` after every stream had its first event, then completion.\n`,
);
console.log(
  '| clients | before: calls (one loop per stream) | after: calls (one object) | ratio | every client got processing, completed, end |',
);
console.log('|---:|---:|---:|---:|---|');
for (const clients of CLIENTS) {
  const before = rows.find((row) => row.mode === 'before' && row.clients === clients)!;
  const after = rows.find((row) => row.mode === 'after' && row.clients === clients)!;
  const ratio = after.calls === 0 ? 'n/a' : `${(before.calls / after.calls).toFixed(1)}×`;
  const complete =
    before.complete && after.complete
      ? 'yes'
      : `before ${before.complete}, after ${after.complete}`;
  console.log(`| ${clients} | ${before.calls} | ${after.calls} | ${ratio} | ${complete} |`);
}
