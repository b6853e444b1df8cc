import type { PollResult, WatchState } from './watch-state.ts';

/**
 * What one step of a watch brought, and what comes next.
 *
 * @example
 * ```ts
 * const { result, nextDelayMs }: PollStep<DocumentStatus> = await pollStep(state, signal);
 * ```
 */
export interface PollStep<T> {
  /** The answer, or `undefined` while a failure is being waited out. */
  readonly result: PollResult<T> | undefined;
  /** The wait before the next step, in ms; `undefined` after the terminal answer (the watch is over). */
  readonly nextDelayMs: number | undefined;
}

/**
 * One step of every poll loop (`watchStatus`, `watchRequest`, each loop of the scheduler): poll
 * once, then either end (terminal) or choose the wait before the next poll. Rejects when the
 * watch must end (see {@link WatchState.poll}).
 *
 * @example
 * ```ts
 * for (;;) {
 *   const { result, nextDelayMs } = await pollStep(state, signal);
 *   if (result && shouldReport(result, 'changes')) show(result.value);
 *   if (nextDelayMs === undefined) break;
 *   await clock.sleep(nextDelayMs, signal);
 * }
 * ```
 */
export async function pollStep<T>(state: WatchState<T>, signal: AbortSignal): Promise<PollStep<T>> {
  const result = await state.poll(signal);
  return { result, nextDelayMs: result?.terminal ? undefined : state.nextDelayMs() };
}

/**
 * Whether a consumer is told about this answer: a change, or every answer with `emit: 'every'`.
 *
 * @example
 * ```ts
 * const result = await state.poll(signal);
 * if (result && shouldReport(result, 'every')) send(result.value);
 * ```
 */
export function shouldReport(result: PollResult<unknown>, emit: 'changes' | 'every'): boolean {
  return result.changed || emit === 'every';
}
