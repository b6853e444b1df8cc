// The JS cost of one cache hit without any HTTP server: `app.fetch()` of the proxy against a bare
// Hono app answering the same bytes, in one process, interleaved. For quick, low-noise checks
// while working on the hit path (the server-level comparison is run.mjs's hit phase).
// Usage (from apps/edge): bun bench/bare/in-process.ts | node --import tsx bench/bare/in-process.ts
import { DEMO_API_KEY, DOCUMENTED_EXAMPLE } from '@neurostatus/simulator';
import { Hono } from 'hono';
import { createEdge } from '../../src/create-edge.ts';

const edge = await createEdge(
  {
    EDGE_MODE: 'passthrough',
    EDGE_SECRET: 'x'.repeat(40),
    EDGE_LOG: process.env.EDGE_LOG ?? 'off',
    EDGE_RATE_LIMIT_PER_SECOND: '0',
  },
  {
    // What the runtime's entry passes (RESPONSE_HEADERS=record|headers overrides it).
    responseHeaders:
      (process.env.RESPONSE_HEADERS as 'record' | 'headers' | undefined) ??
      ('Bun' in globalThis ? 'headers' : 'record'),
  },
);
const url = `http://127.0.0.1/api/v1/document-status/${DOCUMENTED_EXAMPLE.document_id}`;
const init = { headers: { authorization: `Bearer ${DEMO_API_KEY}` } };
await (await edge.app.fetch(new Request(url, init))).text();
const hit = await edge.app.fetch(new Request(url, init));
const body = await hit.text();
const headers = Object.fromEntries(
  [...hit.headers].filter(([name]) => name !== 'content-length' && name !== 'date'),
);
const bare = new Hono();
bare.get('/api/v1/document-status/:id', (c) => c.body(body, 200, headers));

const N = Number(process.env.N ?? 100_000);
async function time(fetcher: (request: Request) => Response | Promise<Response>) {
  const started = performance.now();
  for (let i = 0; i < N; i++) {
    const response = await fetcher(new Request(url, init));
    await response.arrayBuffer();
  }
  return ((performance.now() - started) * 1e6) / N;
}
const proxyTimes: number[] = [];
const bareTimes: number[] = [];
// IN_PROCESS_ONLY=proxy|bare runs one side (for a profile of that side alone).
const only = process.env.IN_PROCESS_ONLY;
for (let round = 0; round < 5; round++) {
  if (only !== 'proxy') bareTimes.push(await time(bare.fetch));
  if (only !== 'bare') proxyTimes.push(await time(edge.app.fetch));
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[2] ?? Number.NaN;
console.log(
  `bare Hono ${median(bareTimes).toFixed(0)} ns, proxy ${median(proxyTimes).toFixed(0)} ns per hit; ` +
    `bare/proxy ${(median(bareTimes) / median(proxyTimes)).toFixed(2)}`,
);
edge.close();
