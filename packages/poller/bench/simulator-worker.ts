// The simulator for the scale benchmark, in a worker thread: its heap is not the poller's. Its
// clock reads the virtual time the main thread writes into shared memory.
import { parentPort, workerData } from 'node:worker_threads';
import { startSimulator } from '@neurostatus/simulator/node';

const { time, documents } = workerData as { time: SharedArrayBuffer; documents: number };
const now = new Float64Array(time);
const running = await startSimulator({ clock: { now: () => now[0] as number }, seed: 7 });
const { DEMO_API_KEY } = await import('@neurostatus/simulator');
const ids: string[] = [];
for (let batch = 0; batch < documents / 1_000; batch++) {
  const batchDocuments = Array.from({ length: 1_000 }, (_, i) => ({
    totalPages: 1 + ((batch * 1_000 + i) % 12),
  }));
  ids.push(
    ...running.simulator.createRequest({ apiKey: DEMO_API_KEY, documents: batchDocuments })
      .documentIds,
  );
}
parentPort?.postMessage({ apiBaseUrl: running.apiBaseUrl, ids });
parentPort?.on('message', async (message: string) => {
  if (message === 'heap') parentPort?.postMessage({ heapUsed: process.memoryUsage().heapUsed });
  if (message === 'close') {
    await running.close();
    parentPort?.close();
  }
});
