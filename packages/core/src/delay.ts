/**
 * Waits `ms` milliseconds, or rejects with `signal.reason` the moment the signal aborts.
 * The timer and the listener are both removed whichever way it ends.
 *
 * `setTimeout` is looked up when called, so fake timers installed after import still apply.
 *
 * @example
 * ```ts
 * await delay(300, controller.signal);
 * ```
 */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
