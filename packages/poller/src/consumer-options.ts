import { assertValidId } from '@neurostatus/core';
import { checkEmit, checkSignal, checkTimeoutMs } from './watch-options.ts';

/**
 * Everything one consumer of a shared scheduler may set. The rest (policy, clock, limits, error
 * handling) is the scheduler's, set once with `createPollScheduler`.
 *
 * @example
 * ```ts
 * const mine: ConsumerOptions = { signal, timeoutMs: 60_000, emit: 'every', requestId };
 * ```
 */
export interface ConsumerOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  emit?: 'changes' | 'every';
  requestId?: string;
}

/**
 * A consumer's options after defaults and validation.
 *
 * @example
 * ```ts
 * const { emit, timeoutMs }: ResolvedConsumerOptions = resolveConsumerOptions({}, ['emit'], 'here');
 * ```
 */
export interface ResolvedConsumerOptions {
  readonly signal: AbortSignal | undefined;
  /** `Infinity` for none. */
  readonly timeoutMs: number;
  readonly emit: 'changes' | 'every';
  readonly requestId: string | undefined;
}

/** `a`, `b` and `c`. */
function quoted(names: readonly string[]): string {
  const all = names.map((name) => `\`${name}\``);
  return all.length < 2 ? all.join('') : `${all.slice(0, -1).join(', ')} and ${all.at(-1)}`;
}

/**
 * The one rule for what a consumer of a shared scheduler may pass (`scheduler.watch`, `subscribe`,
 * `watchRequest`, `subscribeRequest`, and `watchStatus` or `watchMany` given a `scheduler`): the
 * options in `accepted`, each validated; any other option that is set (not `undefined`), whether
 * the scheduler's (`policy`, `clock`, `maxConsecutiveErrors`...) or no option at all, throws a
 * `TypeError` naming it, rather than being ignored.
 *
 * @param caller How the message names the call, e.g. ``'`scheduler.watch()`'``.
 * @throws {TypeError} naming the refused or invalid option; core's `InvalidIdError` for a
 *   malformed `requestId`.
 * @example
 * ```ts
 * const { emit } = resolveConsumerOptions(options, ['emit'], '`scheduler.subscribeRequest()`');
 * ```
 */
export function resolveConsumerOptions(
  options: object | undefined,
  accepted: readonly (keyof ConsumerOptions)[],
  caller: string,
): ResolvedConsumerOptions {
  if (options !== undefined && (typeof options !== 'object' || options === null))
    throw new TypeError(`The options of ${caller} must be an object.`);
  const values = (options ?? {}) as Record<string, unknown>;
  const refused = Object.keys(values).filter(
    (key) => values[key] !== undefined && !(accepted as readonly string[]).includes(key),
  );
  if (refused.length > 0) {
    throw new TypeError(
      `${caller} takes only ${quoted(accepted)}, not ${quoted(refused)}: the scheduler's policy, clock and limits apply (set them on the scheduler, with createPollScheduler).`,
    );
  }
  const { signal, timeoutMs, emit, requestId } = values as ConsumerOptions;
  if (requestId !== undefined) assertValidId(requestId, 'request');
  return {
    signal: checkSignal(signal),
    timeoutMs: checkTimeoutMs(timeoutMs),
    emit: checkEmit(emit ?? 'changes'),
    requestId,
  };
}
