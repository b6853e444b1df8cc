import type { RequestStatus } from '@neurostatus/core';
import { ConsumerSet } from './consumer-set.ts';
import type { DocumentStatusReader } from './document-source.ts';
import type { Runnable } from './run-queue.ts';
import type { ScheduledLoop } from './scheduled-loop.ts';
import type { WatchState } from './watch-state.ts';

/**
 * One request watched through one client, polled once a round for everyone who needs it: the
 * documents of the request watched through that client (its members: one request poll instead of
 * one document poll each) and the subscribers of the request itself (its followers). The members
 * keep their own loops and watch state (change detection, policy); the batch is only where their
 * answers come from. It sits in the scheduler's queue like a loop, and a request poll takes one
 * slot and one token.
 *
 * @example
 * ```ts
 * const source = requestSource(client, requestId, estimator);
 * const batch = new RequestBatch(client, requestId, createWatchState(source, options), () => {});
 * ```
 */
export class RequestBatch implements Runnable {
  /** The client its members are watched through (the key: batches never mix clients). */
  readonly client: DocumentStatusReader;
  readonly requestId: string;
  readonly members = new Map<string, ScheduledLoop>();
  /** Subscribers of the request itself: told each (changed) request status, then its end. */
  readonly followers: ConsumerSet<RequestStatus>;
  /**
   * Documents with no answer yet whose first poll was held back for this batch's next poll: it
   * answers for those it lists, and the others are released to polls of their own after it.
   */
  readonly waiting = new Set<ScheduledLoop>();
  /**
   * Documents of the request that poll on their own until the request answers again: handed
   * back when a request poll failed while they were batched on it, or come while it was failing.
   * They rejoin with its next answer; until then the batch keeps polling the request for them, at
   * the request's own pace and back-off.
   */
  readonly standby = new Set<ScheduledLoop>();
  /** Its last poll failed: no document is batched on it until one succeeds. */
  failing = false;
  /**
   * The request poll's own state: its errors, back-off, 404 grace, the server's hints, and the
   * pace its followers want (the policy, from the request's next document due to finish).
   */
  readonly state: WatchState<RequestStatus>;
  ticket = 0;
  stopped = false;
  /** Aborts the request poll in flight; only set while one is. */
  inFlight: AbortController | undefined;

  /** `onFollowersLeft` runs when the last follower leaves (the batch may then stop). */
  constructor(
    client: DocumentStatusReader,
    requestId: string,
    state: WatchState<RequestStatus>,
    onFollowersLeft: (batch: RequestBatch) => void,
  ) {
    this.client = client;
    this.requestId = requestId;
    this.state = state;
    this.followers = new ConsumerSet(() => onFollowersLeft(this));
  }
}
