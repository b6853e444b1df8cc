import type { DocumentStatus } from '@neurostatus/core';
import { ConsumerSet } from './consumer-set.ts';
import type { DocumentStatusReader } from './document-source.ts';
import type { RequestBatch } from './request-batch.ts';
import type { Runnable } from './run-queue.ts';
import type { WatchState } from './watch-state.ts';

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
  readonly consumers: ConsumerSet<DocumentStatus>;
  readonly client: DocumentStatusReader;
  readonly documentId: string;
  readonly state: WatchState<DocumentStatus>;
  ticket = 0;
  stopped = false;
  /** The batch its answers come from, while it is in one. */
  batch: RequestBatch | undefined;
  /** The failing batch of its request that it waits to rejoin, while it polls on its own. */
  standby: RequestBatch | undefined;
  /** The batch whose next poll its held first poll waits for, while it waits. */
  awaiting: RequestBatch | undefined;
  /** Its request's list failed to stand for it once (missing, invalid, moved): it polls on its own. */
  unbatchable = false;
  /** Aborts the poll in flight; only set while one is. */
  inFlight: AbortController | undefined;

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
    this.consumers = new ConsumerSet(() => onIdle(this));
  }
}
