/**
 * How the simulator waits (for `delay` faults). Resolves after `ms`, or early when `signal`
 * aborts: a client that gave up should not keep a timer alive.
 *
 * @example
 * ```ts
 * const instant: Sleep = async () => {};
 * createSimulator({ sleep: instant });
 * ```
 */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/**
 * The default {@link Sleep}: `setTimeout`, looked up when called so fake timers installed after
 * import still apply. It removes its abort listener when done.
 *
 * @example
 * ```ts
 * await abortableSleep(100, request.signal);
 * ```
 */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted === true) return resolve();
    const done = (): void => {
      globalThis.clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = globalThis.setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
