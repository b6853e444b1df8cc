import { pollStep, shouldReport } from './poll-step.ts';
import type { StatusSource } from './status-source.ts';
import type { ResolvedWatchOptions } from './watch-options.ts';
import { createWatchState, type WatchState } from './watch-state.ts';

/**
 * The loop of a watch of its own (`watchStatus` and `watchRequest` without a scheduler): runs
 * {@link pollStep} until the terminal answer, yields what `present` makes of each answer that
 * should be reported (it also gets the watch state), and sleeps between steps. `break` lands while the generator waits
 * at `yield`: nothing is in flight and no timer is pending then, and the abort in `finally` makes
 * sure of it for any other way out.
 *
 * @example
 * ```ts
 * for await (const status of pollLoop(documentSource(client, id, estimator), options, (value) => value)) show(status);
 * ```
 */
export async function* pollLoop<T, Out>(
  source: StatusSource<T>,
  options: ResolvedWatchOptions,
  present: (value: T, state: WatchState<T>) => Out,
): AsyncGenerator<Out, void, undefined> {
  const stop = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
  const state = createWatchState(source, options);
  try {
    for (;;) {
      const { result, nextDelayMs } = await pollStep(state, signal);
      if (result !== undefined && shouldReport(result, options.emit)) {
        yield present(result.value, state);
      }
      if (nextDelayMs === undefined) return;
      await options.clock.sleep(nextDelayMs, signal);
    }
  } finally {
    stop.abort();
  }
}
