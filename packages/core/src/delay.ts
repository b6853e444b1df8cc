/** The longest delay `setTimeout` honours (2^31 - 1 ms); longer ones fire at once in every runtime. */
const MAX_TIMEOUT_MS = 2_147_483_647;

/**
 * Waits `ms` milliseconds, or rejects with `signal.reason` the moment the signal aborts.
 * The timer and the listener are both removed whichever way it ends. Waits longer than timers
 * accept (about 24.8 days) are slept in parts rather than firing at once.
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
    let remaining = Number.isFinite(ms) ? Math.max(0, ms) : MAX_TIMEOUT_MS;
    let timer: ReturnType<typeof setTimeout>;
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const wait = () => {
      const part = Math.min(remaining, MAX_TIMEOUT_MS);
      remaining -= part;
      timer = setTimeout(() => {
        if (remaining > 0) {
          wait();
          return;
        }
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, part);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    wait();
  });
}
