import type { DocumentStatus } from '@neurostatus/core';
import type { DocumentStatusReader } from './document-source.ts';
import { shouldReport } from './poll-step.ts';
import type { RequestBatch } from './request-batch.ts';
import type { Runnable } from './run-queue.ts';
import type { StatusListener } from './status-listener.ts';
import type { PollResult, WatchState } from './watch-state.ts';

/**
 * One consumer of a loop.
 *
 * @example
 * ```ts
 * const listener: StatusListener = { status: send, end: close, error: fail };
 * const subscription: Subscription = { listener, emit: 'changes' };
 * ```
 */
export interface Subscription {
  readonly listener: StatusListener;
  readonly emit: 'changes' | 'every';
}

/**
 * One loop of the scheduler: a document watched through one client, its watch state, the batch
 * it may be polled through, and everyone listening to it. A class: the scheduler holds one per watched document.
 *
 * @example
 * ```ts
 * const loop = new ScheduledLoop(client, documentId, createWatchState(source, options), (idle) => {
 *   idle.stopped = true; // its last consumer left
 *   idle.inFlight?.abort();
 * });
 * ```
 */
export class ScheduledLoop implements Runnable {
  readonly consumers = new Set<Subscription>();
  readonly client: DocumentStatusReader;
  readonly documentId: string;
  readonly state: WatchState<DocumentStatus>;
  ticket = 0;
  stopped = false;
  /** The batch its answers come from, while it is in one. */
  batch: RequestBatch | undefined;
  /** Its request's list failed to stand for it once (missing, invalid, moved): it polls on its own. */
  unbatchable = false;
  /** Aborts the poll in flight; only set while one is. */
  inFlight: AbortController | undefined;
  readonly #onIdle: (loop: ScheduledLoop) => void;

  /** `onIdle` runs when the last consumer leaves (the scheduler then stops the loop). */
  constructor(
    client: DocumentStatusReader,
    documentId: string,
    state: WatchState<DocumentStatus>,
    onIdle: (loop: ScheduledLoop) => void,
  ) {
    this.client = client;
    this.documentId = documentId;
    this.state = state;
    this.#onIdle = onIdle;
  }

  /** Adds a consumer and gives it the latest known status at once, if there is one. */
  add(subscription: Subscription): void {
    this.consumers.add(subscription);
    const { last } = this.state;
    if (last !== undefined) this.#tell(subscription, (listener) => listener.status(last));
  }

  remove(subscription: Subscription): void {
    if (this.consumers.delete(subscription) && this.consumers.size === 0) this.#onIdle(this);
  }

  /** Tells each consumer about an answer it wants (a change, or every one). */
  publish(result: PollResult<DocumentStatus>): void {
    for (const subscription of [...this.consumers]) {
      if (shouldReport(result, subscription.emit))
        this.#tell(subscription, (listener) => listener.status(result.value));
    }
  }

  /** Tells these consumers (taken before the loop was stopped) that it is over. */
  end(consumers: readonly Subscription[]): void {
    for (const subscription of consumers) this.#tell(subscription, (listener) => listener.end());
  }

  /** Tells these consumers (taken before the loop was stopped) that it failed. */
  fail(consumers: readonly Subscription[], error: unknown): void {
    for (const { listener } of consumers) {
      try {
        listener.error(error);
      } catch {
        // Nothing more can be told to a listener whose error handler throws.
      }
    }
  }

  /**
   * Calls a listener. One that throws is detached, and told so through its own `error()`: it must
   * not break the loop for the other consumers, nor crash the process.
   */
  #tell(subscription: Subscription, call: (listener: StatusListener) => void): void {
    try {
      call(subscription.listener);
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
