import { createStatusPoll, type StatusPoll, type StatusSource } from './status-poll.ts';
import type { ResolvedWatchOptions } from './watch-options.ts';

/**
 * The loop behind `watchStatus` and `watchRequest`: polls at once, yields each answer that should
 * be reported (a change, or every one with `emit: 'every'`) together with the watch state, ends
 * after the terminal one, and sleeps between polls. `break` lands while the generator waits at
 * `yield`: nothing is in flight and no timer is pending then, and the abort in `finally` makes sure
 * of it for any other way out.
 *
 * @example
 * ```ts
 * for await (const { value } of pollLoop(documentSource(client, id, estimator), options)) yieldIt(value);
 * ```
 */
export async function* pollLoop<T>(
  source: StatusSource<T>,
  options: ResolvedWatchOptions,
): AsyncGenerator<{ value: T; state: StatusPoll<T> }, void, undefined> {
  const stop = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
  const state = createStatusPoll(source, options);
  try {
    for (;;) {
      const result = await state.poll(signal);
      if (result !== undefined && (result.changed || options.emit === 'every')) {
        yield { value: result.value, state };
      }
      if (result?.terminal) return;
      await options.clock.sleep(state.nextDelayMs(), signal);
    }
  } finally {
    stop.abort();
  }
}
