import { createNeurolinkerClient, type NeurolinkerClientOptions } from '@neurostatus/core';
import { createManualClock, DEMO_API_KEY, SECOND_API_KEY } from '@neurostatus/simulator';
import { type RunningSimulator, startSimulator } from '@neurostatus/simulator/node';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { createVirtualClock, type VirtualClock } from '../virtual-clock.ts';
import { driveWhenIdle, type StatusReader, trackRequests } from './idle-drive.ts';
import { settling } from './settling.ts';

/** The simulator over real HTTP on 127.0.0.1, with its clock tied to a virtual poller clock. */
export interface Harness {
  readonly server: RunningSimulator;
  /** A fresh virtual clock per test, moving the simulator's clock along. */
  clock(): VirtualClock;
  client(options?: Partial<NeurolinkerClientOptions>): ReturnType<typeof createNeurolinkerClient>;
  requestsFor(id: string): number;
  close(): Promise<void>;
}

/**
 * Starts the simulator for a test file.
 *
 * @example
 * ```ts
 * const harness = await startHarness();
 * ```
 */
export async function startHarness(): Promise<Harness> {
  const simulatorClock = createManualClock();
  const server = await startSimulator({ clock: simulatorClock });
  return {
    server,
    clock: () => createVirtualClock(simulatorClock.now(), (now) => simulatorClock.set(now)),
    client: (options = {}) =>
      createNeurolinkerClient({
        apiKey: DEMO_API_KEY,
        baseUrl: server.apiBaseUrl,
        sleep: async () => {},
        ...options,
      }),
    requestsFor: (id) => server.simulator.stats().byId[id] ?? 0,
    close: () => server.close(),
  };
}

/**
 * Starts the simulator before a test file's tests and closes it after them, clearing faults after
 * each test. The returned harness may be used once the tests run.
 *
 * @example
 * ```ts
 * const harness = useHarness();
 * it('works', () => harness.server.simulator.createRequest({ apiKey, documents: [{}] }));
 * ```
 */
export function useHarness(): Harness {
  let started: Harness | undefined;
  beforeAll(async () => {
    started = await startHarness();
  });
  afterAll(() => started?.close());
  afterEach(() => started?.server.simulator.clearFaults());
  const get = (): Harness => {
    if (started === undefined) throw new Error('useHarness(): used outside a test');
    return started;
  };
  return {
    get server() {
      return get().server;
    },
    clock: () => get().clock(),
    client: (options) => get().client(options),
    requestsFor: (id) => get().requestsFor(id),
    close: () => get().close(),
  };
}

/**
 * Runs `work` to completion on virtual time: whenever every watch is asleep, fires the next sleep.
 *
 * @example
 * ```ts
 * const status = await drive(clock, waitForDocument(client, id, { clock }));
 * ```
 */
export async function drive<T>(
  clock: VirtualClock,
  work: Promise<T>,
  maxSteps = 10_000,
): Promise<T> {
  const watched = settling(work);
  for (let step = 0; step < maxSteps; step++) {
    await Promise.race([watched.done, clock.whenSleeping()]);
    if (watched.settled) return work;
    clock.fireNext();
  }
  throw new Error(`drive(): not finished after ${maxSteps} steps`);
}

/** Collects everything an async iterable yields. */
export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

/**
 * A fresh virtual clock and a client whose calls are logged, with `run` driving work to completion
 * whenever every watch is asleep and nothing is in flight.
 *
 * @example
 * ```ts
 * const { clock, client, log, run } = trackedSetup(harness);
 * ```
 */
export function trackedSetup(harness: Harness, base: StatusReader = harness.client()) {
  const clock = harness.clock();
  const { client, log } = trackRequests(clock, base);
  const run = <T>(work: Promise<T>) => driveWhenIdle(clock, work, log);
  return { clock, client, log, run };
}

/**
 * Two clients of two accounts (the demo key and a second one) on one fresh virtual clock, each
 * logged, with `run` driving work while neither has a call in flight: for tenancy tests.
 *
 * @example
 * ```ts
 * const { owner, other, run } = twoTenantSetup(harness);
 * ```
 */
export function twoTenantSetup(harness: Harness) {
  const clock = harness.clock();
  const owner = trackRequests(clock, harness.client());
  const other = trackRequests(clock, harness.client({ apiKey: SECOND_API_KEY }));
  const inFlight = {
    get inFlight() {
      return owner.log.inFlight + other.log.inFlight;
    },
  };
  const run = <T>(work: Promise<T>) => driveWhenIdle(clock, work, inFlight);
  return { clock, owner, other, run };
}
