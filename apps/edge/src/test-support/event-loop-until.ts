/**
 * Turns the event loop (no virtual time passes) until `done()` holds: background work of the
 * code under test has run, including work on the platform's thread pool (the SHA-256 of a stored
 * body), whose duration no count of turns bounds on a busy machine. Gives up after `limitMs` of
 * real time (default 5 s) with an error naming `what`.
 *
 * @example
 * ```ts
 * await eventLoopUntil(async () => h.upstreamCalls === 2, 'the background refresh');
 * ```
 */
export async function eventLoopUntil(
  done: () => boolean | Promise<boolean>,
  what = 'the condition',
  limitMs = 5_000,
): Promise<void> {
  const giveUpAt = performance.now() + limitMs;
  while (!(await done())) {
    if (performance.now() > giveUpAt) throw new Error(`${what} never held within ${limitMs} ms`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}
