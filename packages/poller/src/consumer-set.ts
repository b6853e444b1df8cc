import { shouldReport } from './poll-step.ts';
import type { StatusListener } from './status-listener.ts';
import type { PollResult } from './watch-state.ts';

/**
 * One consumer of a shared poll: its listener and which answers it wants.
 *
 * @example
 * ```ts
 * const listener: StatusListener = { status: send, end: close, error: fail };
 * const subscription: Subscription = { listener, emit: 'changes' };
 * ```
 */
export interface Subscription<T = unknown> {
  readonly listener: StatusListener<T>;
  readonly emit: 'changes' | 'every';
}

/**
 * Everyone listening to one shared poll (a document's loop, a request's batch), and the one rule
 * for telling them: a status listener that throws is detached and told so through its own
 * `error()`, so it can neither break the poll for the others nor crash the process; a listener
 * is told one ending (`end()` or `error()`), and nothing after it.
 *
 * @example
 * ```ts
 * const consumers = new ConsumerSet<DocumentStatus>(() => unsubscribe());
 * consumers.add({ listener: { status: send, end: close, error: fail }, emit: 'changes' }, status);
 * consumers.publish({ value: next, changed: true, terminal: false });
 * ```
 */
export class ConsumerSet<T> {
  readonly #subscriptions = new Set<Subscription<T>>();
  readonly #onIdle: () => void;

  /** `onIdle` runs when the last consumer leaves. */
  constructor(onIdle: () => void) {
    this.#onIdle = onIdle;
  }

  get size(): number {
    return this.#subscriptions.size;
  }

  /** Adds a consumer and gives it `last` (the latest known status) at once, if there is one. */
  add(subscription: Subscription<T>, last: T | undefined): void {
    this.#subscriptions.add(subscription);
    if (last !== undefined) this.#status(subscription, last);
  }

  remove(subscription: Subscription<T>): void {
    if (this.#subscriptions.delete(subscription) && this.#subscriptions.size === 0) this.#onIdle();
  }

  /** The consumers now, to be told after the poll they listen to has stopped. */
  snapshot(): Subscription<T>[] {
    return [...this.#subscriptions];
  }

  /**
   * Empties the set without running `onIdle` (the poll ends for them all), and returns who was in
   * it, to be told.
   */
  clear(): Subscription<T>[] {
    const consumers = this.snapshot();
    this.#subscriptions.clear();
    return consumers;
  }

  /** Tells each consumer about an answer it wants (a change, or every one). */
  publish(result: PollResult<T>): void {
    for (const subscription of this.snapshot()) {
      // One told before it (a status listener) may have stopped the poll or unsubscribed it.
      if (!this.#subscriptions.has(subscription)) continue;
      if (shouldReport(result, subscription.emit)) this.#status(subscription, result.value);
    }
  }

  /** Tells these consumers (taken before the poll was stopped) that it is over. */
  end(consumers: readonly Subscription<T>[]): void {
    for (const { listener } of consumers) {
      try {
        listener.end();
      } catch {
        // Its watch is over either way: one ending, not an `error()` after the `end()`.
      }
    }
  }

  /** Tells these consumers (taken before the poll was stopped) that it failed. */
  fail(consumers: readonly Subscription<T>[], error: unknown): void {
    for (const { listener } of consumers) {
      try {
        listener.error(error);
      } catch {
        // Nothing more can be told to a listener whose error handler throws.
      }
    }
  }

  #status(subscription: Subscription<T>, value: T): void {
    try {
      subscription.listener.status(value);
    } catch (error) {
      this.remove(subscription);
      try {
        subscription.listener.error(error);
      } catch {
        // It has been told as well as it can be.
      }
    }
  }
}
