import { TimeoutError } from '@neurostatus/core';

/** Options of {@link createCoalescer}. */
export interface CoalescerOptions {
  /**
   * Longest one call may hold its key, ms. Past it the call is abandoned: its signal aborts, every
   * waiter gets a `TimeoutError` (code `TIMEOUT`), and the key is free for the next call. Default:
   * no deadline (the call's own timeouts must then end it).
   */
  readonly deadlineMs?: number;
  /**
   * Resolves after `ms`, or rejects when `signal` aborts (a `PollerClock`'s `sleep`). Default: a
   * `setTimeout` sleep, looked up when called.
   */
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Called once for each abandoned call (to count it). */
  readonly onAbandon?: (key: string) => void;
}

/** Runs at most one call per key at a time; see {@link createCoalescer}. */
export interface Coalescer<T> {
  /**
   * Runs `load` for `key`, unless a call for `key` is already running: then it waits for that one
   * instead and shares its outcome (value or error). `coalesced` tells which happened. `signal`
   * aborts when the call is abandoned at its deadline.
   */
  run(
    key: string,
    load: (signal: AbortSignal) => Promise<T>,
  ): Promise<{ value: T; coalesced: boolean }>;
  /** Keys with a call running. */
  readonly inFlight: number;
}

const timerSleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });

/**
 * Request coalescing: a thousand concurrent polls for one document make one upstream call. The
 * entry is removed when the call settles, success or failure, so the next request after it asks
 * again (the cache, not the coalescer, decides what is still fresh). With `deadlineMs`, a call
 * that never settles (an upstream body that stalls, an abort lost by the platform: issue 9) holds
 * its key no longer than that: it is abandoned, whatever its own timeouts do.
 *
 * @example
 * ```ts
 * const upstream = createCoalescer<DocumentStatus>({ deadlineMs: 10_000 });
 * const { value, coalesced } = await upstream.run(key, (signal) =>
 *   client.getDocumentStatus(id, { signal }),
 * );
 * ```
 */
export function createCoalescer<T>(options: CoalescerOptions = {}): Coalescer<T> {
  const { deadlineMs, onAbandon } = options;
  if (deadlineMs !== undefined && !(Number.isFinite(deadlineMs) && deadlineMs > 0)) {
    throw new TypeError('`deadlineMs` must be a positive number of milliseconds.');
  }
  const sleep = options.sleep ?? timerSleep;
  const running = new Map<string, Promise<T>>();

  /** Rejects at the deadline (aborting the call); never settles once `cancel` aborts. */
  const deadline = (key: string, call: AbortController, cancel: AbortSignal) =>
    deadlineMs === undefined
      ? new Promise<never>(() => {})
      : sleep(deadlineMs, cancel).then(
          () => {
            const error = new TimeoutError(
              `The upstream call outlived its ${deadlineMs} ms deadline.`,
              {
                timeoutMs: deadlineMs,
              },
            );
            call.abort(error);
            onAbandon?.(key);
            throw error;
          },
          () => new Promise<never>(() => {}),
        );

  return {
    get inFlight() {
      return running.size;
    },
    async run(key, load) {
      const existing = running.get(key);
      if (existing !== undefined) return { value: await existing, coalesced: true };
      const controller = new AbortController();
      const settled = new AbortController();
      const call = Promise.race([
        (async () => load(controller.signal))(),
        deadline(key, controller, settled.signal),
      ]);
      running.set(key, call);
      try {
        return { value: await call, coalesced: false };
      } finally {
        settled.abort();
        if (running.get(key) === call) running.delete(key);
      }
    },
  };
}
