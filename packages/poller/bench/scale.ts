// Benchmark: watchMany over 10,000 documents in one Node process, on virtual time, against the
// simulator over real HTTP on 127.0.0.1. The simulator runs in a worker thread (its own heap) and
// reads the virtual time from shared memory, so the main thread's heap is what watching costs:
// the poller, the client, and the statuses it holds. Measures the peak of that heap (after forced
// collections, every 2,000 requests) and the most requests started in any 1-second window,
// against the scheduler's budget. Run: pnpm bench (bundled by bench/run.mjs, with --expose-gc).
import { Worker } from 'node:worker_threads';
import { createNeurolinkerClient } from '@neurostatus/core';
import { DEMO_API_KEY } from '@neurostatus/simulator';
import { createVirtualClock, watchMany } from '../src/index.ts';
import { runVirtual } from './in-process.ts';

const DOCUMENTS = 10_000;
const RATE_PER_SECOND = 200;
const BURST = 200;
const CONCURRENCY = 32;
const HEAP_BUDGET = 64 * 1024 * 1024;

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc (pnpm bench does)');
// Node frees what fetch leaves behind through FinalizationRegistry callbacks, which run a few
// event-loop turns after a collection: let them run before reading the heap.
const heap = async () => {
  for (let turn = 0; turn < 5; turn++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  gc();
  return process.memoryUsage().heapUsed;
};

const time = new SharedArrayBuffer(8);
const shared = new Float64Array(time);
const start = Date.parse('2025-10-15T10:00:00Z');
shared[0] = start;
const worker = new Worker(new URL('./simulator-worker.mjs', import.meta.url), {
  workerData: { time, documents: DOCUMENTS },
});
const message = <T>() => new Promise<T>((resolve) => worker.once('message', resolve));
const { apiBaseUrl, ids } = await message<{ apiBaseUrl: string; ids: string[] }>();

const clock = createVirtualClock(start, (now) => {
  shared[0] = now;
});
let inFlight = 0;
const requestTimes: number[] = [];
const client = createNeurolinkerClient({
  apiKey: DEMO_API_KEY,
  baseUrl: apiBaseUrl,
  fetch: async (input, init) => {
    inFlight++;
    requestTimes.push(clock.now());
    try {
      return await fetch(input, init);
    } finally {
      inFlight--;
    }
  },
});

const heapBefore = await heap();
const started = Date.now();
const stream = watchMany(client, ids, {
  // 10,000 loops of their own, as this benchmark has always measured (the simulator groups the
  // documents in requests of 1,000; batching them is measured by bench/batches.ts).
  batchByRequest: false,
  ratePerSecond: RATE_PER_SECOND,
  burst: BURST,
  concurrency: CONCURRENCY,
  clock,
});
let terminal = 0;
let errors = 0;
let done = false;
let peakHeap = heapBefore;
let nextSample = 2_000;
const consume = (async () => {
  for await (const update of stream) {
    if (update.status === undefined) errors++;
    else if (update.status.status === 'completed' || update.status.status === 'failed') terminal++;
  }
  done = true;
})();
await runVirtual(
  clock,
  () => inFlight,
  () => done,
  async () => {
    if (requestTimes.length < nextSample) return;
    nextSample += 2_000;
    peakHeap = Math.max(peakHeap, await heap());
  },
);
await consume;
worker.postMessage('heap');
const { heapUsed: simulatorHeap } = await message<{ heapUsed: number }>();
worker.postMessage('close');

// Most requests started in any 1 s window (sliding, over the request times in order).
let maxInWindow = 0;
for (let first = 0, last = 0; last < requestTimes.length; last++) {
  while ((requestTimes[last] as number) - (requestTimes[first] as number) >= 1_000) first++;
  maxInWindow = Math.max(maxInWindow, last - first + 1);
}
const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
const virtualSeconds = (clock.now() - start) / 1000;
console.log(
  `scale benchmark: watchMany over ${DOCUMENTS} documents, simulator over HTTP in a worker (${((Date.now() - started) / 1000).toFixed(0)} s real, ${virtualSeconds.toFixed(0)} s virtual)`,
);
console.log(
  `terminal: ${terminal}, errors: ${errors}, upstream requests: ${requestTimes.length} (${(requestTimes.length / DOCUMENTS).toFixed(1)} per document)`,
);
console.log(
  `main-thread heap: ${mb(heapBefore)} MB before watching, peak ${mb(peakHeap)} MB while watching (budget ${mb(HEAP_BUDGET)} MB); simulator worker heap at the end: ${mb(simulatorHeap)} MB`,
);
console.log(
  `rate: at most ${maxInWindow} requests in any 1 s window, budget ${RATE_PER_SECOND}/s + burst ${BURST}; mean ${(requestTimes.length / virtualSeconds).toFixed(1)}/s`,
);
console.log(`${peakHeap < HEAP_BUDGET ? 'MET' : 'MISSED'}: heap under 64 MB`);
console.log(
  `${maxInWindow <= RATE_PER_SECOND + BURST ? 'MET' : 'MISSED'}: never above the rate budget`,
);
