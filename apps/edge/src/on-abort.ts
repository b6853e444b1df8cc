/** The callbacks waiting on each signal, behind the one listener `onAbort` adds to it. */
const waiting = new WeakMap<AbortSignal, Set<() => void>>();

/**
 * Calls `callback` once when `signal` aborts (at once if it has), and returns the function that
 * cancels the wait. However many callers wait on one signal (every event stream and poll loop
 * waits on the server's shutdown signal), the signal gets one listener that fans out: Node warns
 * (`MaxListenersExceededWarning`) past ten listeners on one `AbortSignal`.
 *
 * @example
 * ```ts
 * const cancel = onAbort(shutdown, () => stream.close());
 * try { await serve(); } finally { cancel(); }
 * ```
 */
export function onAbort(signal: AbortSignal, callback: () => void): () => void {
  if (signal.aborted) {
    callback();
    return () => {};
  }
  let callbacks = waiting.get(signal);
  if (callbacks === undefined) {
    const created = new Set<() => void>();
    callbacks = created;
    waiting.set(signal, created);
    signal.addEventListener(
      'abort',
      () => {
        waiting.delete(signal);
        for (const each of [...created]) each();
      },
      { once: true },
    );
  }
  // A wrapper per call, so the same function waiting twice is two waits.
  const entry = () => callback();
  callbacks.add(entry);
  return () => {
    callbacks.delete(entry);
  };
}
