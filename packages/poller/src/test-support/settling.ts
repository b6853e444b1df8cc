/**
 * Settles with `work`, and tells whether it has: for drivers that must stop firing sleeps then.
 *
 * @example
 * ```ts
 * const watched = settling(work);
 * await Promise.race([watched.done, clock.whenSleeping()]);
 * if (watched.settled) return work;
 * ```
 */
export function settling(work: Promise<unknown>): {
  readonly done: Promise<void>;
  readonly settled: boolean;
} {
  const state = { settled: false, done: Promise.resolve() };
  const mark = () => {
    state.settled = true;
  };
  state.done = work.then(mark, mark);
  return state;
}
