import { abortableSleep, type Sleep } from './abortable-sleep.ts';
import type { SimulatorClock } from './create-manual-clock.ts';
import { DEFAULT_ACCOUNTS, type SimulatorAccount } from './default-accounts.ts';

/**
 * Lets the runtime destroy the connection of the current request, for the `drop` fault: a Web
 * `fetch` handler cannot do that itself. Return the response to hand back to the adapter (one it
 * will not write, for instance), or `undefined` when dropping is not possible, in which case the
 * simulator answers 502. `env` is whatever the adapter passed as the second argument of
 * `app.fetch` (for `@hono/node-server`: `{ incoming, outgoing }`).
 *
 * @example
 * ```ts
 * const dropConnection: DropConnection = (_request, env) => {
 *   (env as HttpBindings).incoming.socket.destroy();
 *   return new Response(null, { headers: { 'x-hono-already-sent': 'true' } });
 * };
 * ```
 */
export type DropConnection = (request: Request, env: unknown) => Response | undefined;

/**
 * What `createSimulator` takes. Every field is optional.
 *
 * @example
 * ```ts
 * const simulator = createSimulator({ clock: createManualClock(), demo: true, seed: 7 });
 * ```
 */
export interface SimulatorOptions {
  /** Keys the API accepts and the accounts they belong to. Default: {@link DEFAULT_ACCOUNTS}. */
  readonly accounts?: readonly SimulatorAccount[];
  /** Where time comes from, in epoch ms. Default: `Date.now()`, looked up when called. */
  readonly clock?: SimulatorClock;
  /** Simulated time runs this many times faster than the clock (e.g. 60 for demos). Default: 1. */
  readonly timeScale?: number;
  /** Seed of the generated ids and durations. Default: 20251015, so runs are reproducible. */
  readonly seed?: number;
  /** Seed the documented example and a demo request. Default: false. */
  readonly demo?: boolean;
  /** Base of `document_page_url` and `job_page_url`. Default: `https://neurolinker.ainexxo.com`. */
  readonly webBaseUrl?: string;
  /** How `delay` faults wait. Default: `setTimeout`, looked up when called. */
  readonly sleep?: Sleep;
  /** Serve the unauthenticated `/_sim` control API. Default: true. */
  readonly controlApi?: boolean;
  /** Runtime hook for `drop` faults. Default: none (drop answers 502). `startSimulator` sets it. */
  readonly dropConnection?: DropConnection;
}

/**
 * {@link SimulatorOptions} after defaults and validation: what the simulator code reads.
 *
 * @example
 * ```ts
 * const resolved: ResolvedSimulatorOptions = resolveSimulatorOptions({ demo: true });
 * ```
 */
export interface ResolvedSimulatorOptions {
  readonly accounts: readonly SimulatorAccount[];
  readonly clock: SimulatorClock;
  readonly timeScale: number;
  readonly seed: number;
  readonly demo: boolean;
  readonly webBaseUrl: string;
  readonly sleep: Sleep;
  readonly controlApi: boolean;
  readonly dropConnection: DropConnection | undefined;
}

/**
 * The defaults, in one place.
 *
 * @example
 * ```ts
 * DEFAULT_SIMULATOR_OPTIONS.webBaseUrl; // 'https://neurolinker.ainexxo.com'
 * ```
 */
export const DEFAULT_SIMULATOR_OPTIONS: ResolvedSimulatorOptions = Object.freeze({
  accounts: DEFAULT_ACCOUNTS,
  // Looked up when called, not captured, so fake timers and clock mocks installed later apply.
  clock: Object.freeze({ now: () => Date.now() }),
  timeScale: 1,
  seed: 20251015,
  demo: false,
  webBaseUrl: 'https://neurolinker.ainexxo.com',
  sleep: (ms: number, signal?: AbortSignal) => abortableSleep(ms, signal),
  controlApi: true,
  dropConnection: undefined,
});

/** Real keys are `nl_` and 32 characters; we accept letters and digits only. */
const API_KEY_PATTERN = /^nl_[A-Za-z0-9]{32}$/;

/**
 * Applies defaults and rejects nonsense with a `TypeError`, once, at construction.
 *
 * @example
 * ```ts
 * resolveSimulatorOptions({ timeScale: 0 }); // throws TypeError
 * ```
 */
export function resolveSimulatorOptions(options: SimulatorOptions = {}): ResolvedSimulatorOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('createSimulator: options must be an object');
  }
  const d = DEFAULT_SIMULATOR_OPTIONS;
  const accounts = options.accounts ?? d.accounts;
  checkAccounts(accounts);
  const timeScale = options.timeScale ?? d.timeScale;
  if (typeof timeScale !== 'number' || !Number.isFinite(timeScale) || timeScale <= 0) {
    throw new TypeError('createSimulator: timeScale must be a finite number > 0');
  }
  const seed = options.seed ?? d.seed;
  if (!Number.isSafeInteger(seed)) throw new TypeError('createSimulator: seed must be an integer');
  const clock = options.clock ?? d.clock;
  if (typeof clock?.now !== 'function') {
    throw new TypeError('createSimulator: clock must have a now() method');
  }
  const sleep = options.sleep ?? d.sleep;
  if (typeof sleep !== 'function') throw new TypeError('createSimulator: sleep must be a function');
  const dropConnection = options.dropConnection ?? d.dropConnection;
  if (dropConnection !== undefined && typeof dropConnection !== 'function') {
    throw new TypeError('createSimulator: dropConnection must be a function');
  }
  return {
    accounts,
    clock,
    timeScale,
    seed,
    demo: checkBoolean(options.demo ?? d.demo, 'demo'),
    webBaseUrl: checkWebBaseUrl(options.webBaseUrl ?? d.webBaseUrl),
    sleep,
    controlApi: checkBoolean(options.controlApi ?? d.controlApi, 'controlApi'),
    dropConnection,
  };
}

function checkAccounts(accounts: readonly SimulatorAccount[]): void {
  if (!Array.isArray(accounts) || accounts.length === 0) {
    throw new TypeError('createSimulator: accounts must be a non-empty array');
  }
  const keys = new Set<string>();
  accounts.forEach((account, index) => {
    if (typeof account?.apiKey !== 'string' || !API_KEY_PATTERN.test(account.apiKey)) {
      // The key is not echoed: configuration errors end up in CI logs.
      throw new TypeError(
        `createSimulator: accounts[${index}].apiKey must be "nl_" followed by 32 letters or digits`,
      );
    }
    if (typeof account.userUid !== 'string' || !/^[A-Za-z0-9_-]{1,128}$/.test(account.userUid)) {
      throw new TypeError(
        `createSimulator: accounts[${index}].userUid must be 1–128 letters, digits, _ or -`,
      );
    }
    if (keys.has(account.apiKey)) {
      throw new TypeError(`createSimulator: accounts[${index}].apiKey is a duplicate`);
    }
    keys.add(account.apiKey);
  });
}

function checkBoolean(value: unknown, name: string): boolean {
  if (typeof value !== 'boolean') throw new TypeError(`createSimulator: ${name} must be a boolean`);
  return value;
}

function checkWebBaseUrl(value: unknown): string {
  if (typeof value !== 'string' || !URL.canParse(value) || !/^https?:/.test(value)) {
    throw new TypeError('createSimulator: webBaseUrl must be an absolute http(s) URL');
  }
  // Payload URLs are built as `${webBaseUrl}/job/...`: a trailing slash would double.
  return value.replace(/\/+$/, '');
}
