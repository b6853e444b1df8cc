// Shared set-up for the benchmarks: the simulator in process (its Hono app as the client's fetch,
// no sockets), its manual clock tied to a virtual poller clock, and a driver that advances virtual
// time whenever every watch is asleep.
import { createNeurolinkerClient } from '@neurostatus/core';
import { createManualClock, createSimulator, DEMO_API_KEY } from '@neurostatus/simulator';
import { createVirtualClock, type VirtualClock } from '../src/index.ts';

export function setUp(seed: number) {
  const simulatorClock = createManualClock();
  const simulator = createSimulator({ clock: simulatorClock, seed });
  const clock = createVirtualClock(simulatorClock.now(), (now) => simulatorClock.set(now));
  let inFlight = 0;
  const requestTimes: number[] = [];
  const client = createNeurolinkerClient({
    apiKey: DEMO_API_KEY,
    baseUrl: 'http://simulator.local/api/v1',
    now: () => clock.now(),
    fetch: async (input, init) => {
      inFlight++;
      requestTimes.push(clock.now());
      try {
        return await simulator.app.fetch(new Request(input, init));
      } finally {
        inFlight--;
      }
    },
  });
  return { simulator, clock, client, requestTimes, inFlight: () => inFlight };
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Fires virtual sleeps until `done()`; between firings, lets every in-flight request finish. */
export async function runVirtual(
  clock: VirtualClock,
  inFlight: () => number,
  done: () => boolean,
  between: () => Promise<void> = async () => {},
): Promise<void> {
  for (;;) {
    do await nextTurn();
    while (inFlight() > 0);
    await nextTurn();
    if (done()) return;
    await between();
    if (clock.fireNext() === undefined)
      throw new Error('stalled: nothing in flight and nothing asleep');
  }
}

/** A seeded source of numbers in [0, 1) (mulberry32). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] as number;
}

export { DEMO_API_KEY };
