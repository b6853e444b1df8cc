import { Hono } from 'hono';
import { createControlApi } from './create-control-api.ts';
import type { ManualClock } from './create-manual-clock.ts';
import type { CreatedRequest, CreateRequestInput } from './create-request-input.ts';
import { parseCreateRequestInput } from './create-request-input.ts';
import { createStatusApi, type SimulatorEnv } from './create-status-api.ts';
import { detailResponse, reasonPhrase } from './error-responses.ts';
import { createFaultQueue } from './fault-queue.ts';
import { createRequestStats, type SimulatorStats } from './request-stats.ts';
import { seedDemoData } from './seed-demo-data.ts';
import { createSeededRandom } from './seeded-random.ts';
import { createSimulationStore, type SimulationStore } from './simulation-store.ts';
import { parseSimulatorFault, type SimulatorFault } from './simulator-fault.ts';
import { resolveSimulatorOptions, type SimulatorOptions } from './simulator-options.ts';

/**
 * A running fake of the Neurolinker status API. Everything is in memory and derived from the
 * clock when read, so a manual clock drives document progress with no timers.
 *
 * @example
 * ```ts
 * const simulator = createSimulator({ clock: createManualClock() });
 * const { documentIds } = simulator.createRequest({ apiKey: DEMO_API_KEY, documents: [{}] });
 * simulator.advance(60_000);
 * const res = await simulator.app.fetch(
 *   new Request(`http://sim/api/v1/document-status/${documentIds[0]}`, {
 *     headers: { authorization: `Bearer ${DEMO_API_KEY}` },
 *   }),
 * );
 * ```
 */
export interface Simulator {
  /** The Hono app: `app.fetch(request)` answers like the real API (plus `/_sim`). */
  readonly app: Hono<SimulatorEnv>;
  /** Submits a request as if sent to `POST /extract` now; throws `TypeError` on bad input. */
  createRequest(input: CreateRequestInput): CreatedRequest;
  /** Injects a fault and returns its id; throws `TypeError` on a bad fault. */
  setFault(fault: SimulatorFault): string;
  /** Removes one fault by id; `false` if it was not there (used up or cleared). */
  removeFault(id: string): boolean;
  /** Removes every fault. */
  clearFaults(): void;
  /** Advances the manual clock by `ms`; throws `TypeError` when the clock is not manual. */
  advance(ms: number): void;
  /** The simulated time, in epoch ms (the clock, scaled by `timeScale`). */
  now(): number;
  /** A snapshot of the request counters. */
  stats(): SimulatorStats;
  resetStats(): void;
  /** Back to the state after construction: no requests but the demo data, no faults, no stats. */
  reset(): void;
  /** Releases every hanging request, and makes later `hang` faults return at once. */
  close(): void;
}

/**
 * Creates a {@link Simulator}. Options are validated here, once, with a `TypeError` for nonsense.
 *
 * @example
 * ```ts
 * const simulator = createSimulator({ demo: true });
 * const res = await simulator.app.fetch(
 *   new Request(`http://sim/v1/request-status/${DEMO_REQUEST_ID}`, {
 *     headers: { authorization: `Bearer ${DEMO_API_KEY}` },
 *   }),
 * );
 * ```
 */
export function createSimulator(options: SimulatorOptions = {}): Simulator {
  const resolved = resolveSimulatorOptions(options);
  const { clock, timeScale, seed, accounts } = resolved;
  const manualClock = isManualClock(clock);
  const origin = clock.now();
  const nowMs = (): number =>
    timeScale === 1 ? clock.now() : origin + (clock.now() - origin) * timeScale;

  const faults = createFaultQueue();
  const stats = createRequestStats();
  const releases = new Set<() => void>();
  let closed = false;
  let store: SimulationStore;
  // Separate streams, so that gateway ids drawn per response never shift document ids.
  let gatewayIds = createSeededRandom(seed ^ 0x9e3779b9);
  const resetStore = (): void => {
    store = createSimulationStore(
      accounts,
      createSeededRandom(seed),
      createSeededRandom(seed ^ 0x5bd1e995),
    );
    gatewayIds = createSeededRandom(seed ^ 0x9e3779b9);
    const [first] = accounts;
    if (resolved.demo && first !== undefined) seedDemoData(store, first.apiKey, nowMs());
  };
  resetStore();

  const waitForRelease = (signal: AbortSignal): Promise<void> =>
    new Promise((resolve) => {
      if (closed || signal.aborted) return resolve();
      const release = (): void => {
        releases.delete(release);
        signal.removeEventListener('abort', release);
        resolve();
      };
      releases.add(release);
      signal.addEventListener('abort', release, { once: true });
    });

  const app = new Hono<SimulatorEnv>();
  const simulator: Simulator = {
    app,
    createRequest: (input) => store.createRequest(parseCreateRequestInput(input), nowMs()),
    setFault: (fault) => faults.add(parseSimulatorFault(fault)),
    removeFault: (id) => faults.remove(id),
    clearFaults: () => faults.clear(),
    advance(ms) {
      if (!manualClock) {
        throw new TypeError(
          'advance() needs a manual clock: createSimulator({ clock: createManualClock() })',
        );
      }
      clock.advance(ms);
    },
    now: nowMs,
    stats: () => stats.snapshot(),
    resetStats: () => stats.reset(),
    reset() {
      faults.clear();
      stats.reset();
      resetStore();
    },
    close() {
      closed = true;
      for (const release of [...releases]) release();
    },
  };

  app.use('*', async (c, next) => {
    if (resolved.controlApi && (c.req.path === '/_sim' || c.req.path.startsWith('/_sim/'))) {
      return next();
    }
    stats.recordRequest();
    const gatewayId = gatewayIds.uuid();
    c.set('unanswered', false);
    await next();
    if (!c.get('unanswered')) stats.recordStatus(c.res.status);
    // Real gateways tag every response with an id that support can trace; clients log it.
    c.res.headers.set('x-request-id', gatewayId);
    // Every HTTP server sends its time (RFC 9110 6.6.1); the simulator's is its own clock, so a
    // client can relate `started_at` to its clock even when simulated time runs faster or is manual.
    c.res.headers.set('date', new Date(nowMs()).toUTCString());
  });
  app.onError(() => detailResponse(500, reasonPhrase(500)));
  // FastAPI answers unknown paths with this body; clients should see the same shape.
  app.notFound(() => detailResponse(404, reasonPhrase(404)));
  if (resolved.controlApi) app.route('/_sim', createControlApi(simulator, manualClock));
  const statusApi = createStatusApi({
    options: resolved,
    faults,
    stats,
    store: () => store,
    nowMs,
    waitForRelease,
  });
  app.route('/api/v1', statusApi);
  app.route('/v1', statusApi);
  return simulator;
}

function isManualClock(clock: object): clock is ManualClock {
  return typeof (clock as Partial<ManualClock>).advance === 'function';
}
