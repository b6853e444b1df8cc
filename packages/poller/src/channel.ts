/**
 * A push-based async iterable: producers `push`, `close` or `fail`; one consumer iterates.
 *
 * @example
 * ```ts
 * const channel: Channel<DocumentStatus> = createChannel(() => unsubscribe());
 * ```
 */
export interface Channel<T> extends AsyncIterableIterator<T> {
  push(value: T): void;
  close(): void;
  fail(error: unknown): void;
  /** True once closed or failed. */
  readonly ended: boolean;
}

interface Waiter<T> {
  resolve(result: IteratorResult<T>): void;
  reject(error: unknown): void;
}

// A class rather than a closure-built object: a scheduler holds one channel per consumer, and
// methods on a prototype cost nothing per instance (10,000 watches, BENCHMARKS.md).
class PushChannel<T> implements Channel<T> {
  #buffer: T[] = [];
  #waiting: Waiter<T>[] = [];
  #ended = false;
  #failure: { error: unknown } | undefined;
  #onEnd: (() => void) | undefined;

  constructor(onEnd: () => void) {
    this.#onEnd = onEnd;
  }

  get ended(): boolean {
    return this.#ended;
  }

  push(value: T): void {
    if (this.#ended) return;
    const waiter = this.#waiting.shift();
    if (waiter) waiter.resolve({ value, done: false });
    else this.#buffer.push(value);
  }

  close(): void {
    if (!this.#ended) this.#finish();
  }

  fail(error: unknown): void {
    if (this.#ended) return;
    this.#failure = { error };
    this.#finish();
  }

  next(): Promise<IteratorResult<T>> {
    if (this.#buffer.length > 0)
      return Promise.resolve({ value: this.#buffer.shift() as T, done: false });
    if (this.#failure) {
      const { error } = this.#failure;
      this.#failure = undefined; // thrown once; later calls report the end
      return Promise.reject(error);
    }
    if (this.#ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => this.#waiting.push({ resolve, reject }));
  }

  return(): Promise<IteratorResult<T>> {
    this.#buffer.length = 0;
    this.#failure = undefined;
    if (!this.#ended) this.#finish();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  #finish(): void {
    this.#ended = true;
    const waiters = this.#waiting.splice(0);
    if (this.#failure && waiters.length > 0) {
      // Thrown to the consumer waiting now; nobody waiting means the next `next()` throws it.
      const { error } = this.#failure;
      this.#failure = undefined;
      for (const waiter of waiters) waiter.reject(error);
    } else {
      for (const waiter of waiters) waiter.resolve({ value: undefined, done: true });
    }
    const onEnd = this.#onEnd;
    this.#onEnd = undefined;
    onEnd?.();
  }
}

/**
 * Creates a channel. `onEnd` runs once when the consumer stops early (`break`, `return()`)
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
  return new PushChannel<T>(onEnd);
}
