import { type Channel, createChannel } from './channel.ts';

/**
 * The one iterator adapter between callbacks and `for await`: opens on the first `next()` (a
 * stream that is never iterated starts nothing), ends with `signal` (throwing its reason), and
 * releases what `open` took once the consumer stops (`break`, `return()`) or the stream ends.
 *
 * `open` gets the channel to push into and returns the function that releases what it took.
 *
 * @example
 * ```ts
 * const stream = lazyStream<DocumentStatus>(signal, (channel) =>
 *   scheduler.subscribe(client, id, { status: (s) => channel.push(s), end: () => channel.close(), error: (e) => channel.fail(e) }),
 * );
 * ```
 */
export function lazyStream<T>(
  signal: AbortSignal | undefined,
  open: (channel: Channel<T>) => () => void,
): AsyncIterableIterator<T> {
  let channel: Channel<T> | undefined;
  let finished = false;

  const start = (): Channel<T> => {
    let release: (() => void) | undefined;
    const onAbort = () => started.fail(signal?.reason);
    const started = createChannel<T>(() => {
      signal?.removeEventListener('abort', onAbort);
      release?.();
    });
    if (signal?.aborted) {
      // Nothing to watch: nothing opened, no request.
      started.fail(signal.reason);
      return started;
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    release = open(started);
    // Ended while opening (a terminal status known already, an error): the channel's `onEnd` ran
    // before there was anything to release.
    if (started.ended) release();
    return started;
  };

  const iterator: AsyncIterableIterator<T> = {
    next: () => {
      if (channel === undefined && finished)
        return Promise.resolve({ value: undefined, done: true });
      channel ??= start();
      return channel.next();
    },
    return: () => {
      finished = true;
      return channel?.return?.() ?? Promise.resolve({ value: undefined, done: true });
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}
