import type { VirtualClock } from '@neurostatus/poller';

/** One turn of the event loop: promise jobs and ready callbacks run, no virtual time passes. */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Runs `work` to completion on virtual time, firing the next pending sleep (a poll loop's wait, an
 * SSE heartbeat) only when nothing is happening: no upstream call in flight and a whole event-loop
 * turn without progress. So time never jumps while a request is being answered.
 *
 * @example
 * ```ts
 * const text = await driveWhenIdle(h.clock, response.text(), h);
 * ```
 */
export async function driveWhenIdle<T>(
  clock: VirtualClock,
  work: Promise<T>,
  tracker: { readonly inFlight: number },
  maxFires = 1_000,
): Promise<T> {
  let settled = false;
  const done = work.then(
    () => (settled = true),
    () => (settled = true),
  );
  for (let fires = 0; fires < maxFires; ) {
    await Promise.race([done, turn()]);
    if (settled) return work;
    if (tracker.inFlight > 0) continue;
    if (clock.pending.length === 0) {
      await Promise.race([done, clock.whenSleeping()]);
      continue;
    }
    await turn();
    if (settled || tracker.inFlight > 0) continue;
    clock.fireNext();
    fires++;
  }
  throw new Error(`driveWhenIdle(): not finished after ${maxFires} sleeps`);
}
