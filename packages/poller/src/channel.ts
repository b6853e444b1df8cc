/** A push-based async iterable: producers `push`, `close` or `fail`; one consumer iterates. */
export interface Channel<T> extends AsyncIterableIterator<T> {
  push(value: T): void;
  close(): void;
  fail(error: unknown): void;
  /** True once closed or failed. */
  readonly ended: boolean;
}

/**
 * Creates a channel. `onReturn` runs once when the consumer stops early (`break`, `return()`)
 * or the channel ends, so a producer can release what it holds for this consumer.
 *
 * @example
 * ```ts
 * const channel = createChannel<number>(() => unsubscribe());
 * channel.push(1);
 * for await (const n of channel) break; // calls unsubscribe()
 * ```
 */
export function createChannel<T>(onEnd: () => void = () => {}): Channel<T> {
  const buffer: T[] = [];
  const waiting: Array<{
    resolve: (result: IteratorResult<T>) => void;
    reject: (error: unknown) => void;
  }> = [];
  let ended = false;
  let failure: { error: unknown } | undefined;
  let cleaned = false;
  const cleanup = () => {
    if (cleaned) return;
    cleaned = true;
    onEnd();
  };
  const finish = () => {
    ended = true;
    const waiters = waiting.splice(0);
    if (failure && waiters.length > 0) {
      // Thrown to the consumer waiting now; nobody waiting means the next `next()` throws it.
      const { error } = failure;
      failure = undefined;
      for (const waiter of waiters) waiter.reject(error);
    } else {
      for (const waiter of waiters) waiter.resolve({ value: undefined, done: true });
    }
    cleanup();
  };

  const channel: Channel<T> = {
    get ended() {
      return ended;
    },
    push(value) {
      if (ended) return;
      const waiter = waiting.shift();
      if (waiter) waiter.resolve({ value, done: false });
      else buffer.push(value);
    },
    close() {
      if (!ended) finish();
    },
    fail(error) {
      if (ended) return;
      failure = { error };
      finish();
    },
    next() {
      if (buffer.length > 0) return Promise.resolve({ value: buffer.shift() as T, done: false });
      if (failure) {
        const { error } = failure;
        failure = undefined; // thrown once; later calls report the end
        return Promise.reject(error);
      }
      if (ended) return Promise.resolve({ value: undefined, done: true });
      return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
    },
    return() {
      buffer.length = 0;
      failure = undefined;
      if (!ended) finish();
      return Promise.resolve({ value: undefined, done: true });
    },
    [Symbol.asyncIterator]() {
      return channel;
    },
  };
  return channel;
}
