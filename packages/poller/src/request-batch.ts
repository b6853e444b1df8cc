import type { RequestStatus } from '@neurostatus/core';
import type { DocumentStatusReader } from './document-source.ts';
import { fetchRequestStatus, type RequestStatusReader } from './request-status-reader.ts';
import type { Runnable } from './run-queue.ts';
import type { ScheduledLoop } from './scheduled-loop.ts';
import type { StatusSource } from './status-source.ts';
import type { WatchState } from './watch-state.ts';

/**
 * Documents of one request, watched through one client, polled together: one request poll a
 * round instead of one document poll per document. The members keep their own loops and watch
 * state (change detection, policy); the batch is only where their answers come from. It sits in
 * the scheduler's queue like a loop, and a request poll takes one slot and one token.
 *
 * @example
 * ```ts
 * const source = requestBatchSource(client, requestId);
 * const batch = new RequestBatch(client, requestId, createWatchState(source, options));
 * ```
 */
export class RequestBatch implements Runnable {
  /** The client its members are watched through (the key: batches never mix clients). */
  readonly client: DocumentStatusReader;
  readonly requestId: string;
  readonly members = new Map<string, ScheduledLoop>();
  /**
   * Documents with no answer yet whose first poll was held back for this batch's next poll: it
   * answers for those it lists, and the others are released to polls of their own after it.
   */
  readonly waiting = new Set<ScheduledLoop>();
  /** The request poll's own state: its errors, back-off, 404 grace and the server's hints. */
  readonly state: WatchState<RequestStatus>;
  ticket = 0;
  stopped = false;
  /** Aborts the request poll in flight; only set while one is. */
  inFlight: AbortController | undefined;

  constructor(client: DocumentStatusReader, requestId: string, state: WatchState<RequestStatus>) {
    this.client = client;
    this.requestId = requestId;
    this.state = state;
  }
}

/**
 * How a batch reads its request. It never ends on its own (it ends when its last member does),
 * and gives the interval policy nothing to go on: the wait comes from the members' policies.
 *
 * @example
 * ```ts
 * const source = requestBatchSource(client, requestId); // the core client reads requests
 * ```
 */
export function requestBatchSource(
  reader: RequestStatusReader,
  requestId: string,
): StatusSource<RequestStatus> {
  return {
    subject: `request ${requestId}`,
    fetch: (signal, deadlineMs) => fetchRequestStatus(reader, requestId, signal, deadlineMs),
    isTerminal: () => false,
    describe: () => ({ status: undefined, expected: undefined }),
  };
}
