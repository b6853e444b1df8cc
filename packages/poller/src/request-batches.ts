import type { RequestBatch } from './request-batch.ts';
import type { ScheduledLoop } from './scheduled-loop.ts';

/** How many failed requests per client are remembered (not batched again). */
const MAX_REFUSED = 1_000;

/** What the scheduler knows of one client's requests. */
interface ClientRequests {
  readonly batches: Map<string, RequestBatch>;
  /** One loop per request known to be in it and polling on its own: a second one makes a batch. */
  readonly lone: Map<string, ScheduledLoop>;
  /** Requests whose poll failed for good: their documents are polled on their own. */
  readonly refused: Set<string>;
}

/**
 * Which loops are polled through which request batch, per client: batches are never shared
 * between clients (two keys never share a request poll). Bookkeeping only; the scheduler runs
 * the polls.
 *
 * @example
 * ```ts
 * const batches = new RequestBatches();
 * const source = requestSource(client, requestId, estimator);
 * const newBatch = () =>
 *   new RequestBatch(client, requestId, createWatchState(source, options), () => {});
 * const batch = batches.open(client, requestId, newBatch);
 * ```
 */
export class RequestBatches {
  readonly #byClient = new WeakMap<object, ClientRequests>();

  #of(client: object): ClientRequests {
    let requests = this.#byClient.get(client);
    if (requests === undefined) {
      requests = { batches: new Map(), lone: new Map(), refused: new Set() };
      this.#byClient.set(client, requests);
    }
    return requests;
  }

  /** The client's batch for `requestId`, if there is one. */
  get(client: object, requestId: string): RequestBatch | undefined {
    return this.#byClient.get(client)?.batches.get(requestId);
  }

  /** Whether the client's documents of `requestId` may be polled together. */
  allowed(client: object, requestId: string): boolean {
    return !this.#byClient.get(client)?.refused.has(requestId);
  }

  /**
   * After a loop's own answer said it is in `requestId`: the batch it joins (created by `create`
   * when there is none and another loop may share it), or `undefined` to keep polling on its own.
   */
  place(
    loop: ScheduledLoop,
    requestId: string,
    create: () => RequestBatch,
  ): { batch: RequestBatch; created: boolean } | undefined {
    const requests = this.#of(loop.client);
    if (loop.unbatchable || requests.refused.has(requestId)) return undefined;
    const existing = requests.batches.get(requestId);
    if (existing?.failing) {
      // Not on a request that fails: it polls on its own, and rejoins when the request answers.
      this.standBy(existing, loop);
      return undefined;
    }
    if (existing !== undefined) {
      this.join(existing, loop);
      return { batch: existing, created: false };
    }
    // A batch takes two documents known to share the request: one alone gains nothing from a
    // request poll (and a single-document request is the common case). The batch's first poll
    // then also adopts the client's documents that have no answer yet (a cold start).
    const other = requests.lone.get(requestId);
    if (other === undefined || other === loop || other.stopped || other.batch !== undefined) {
      requests.lone.set(requestId, loop);
      return undefined;
    }
    const batch = create();
    requests.batches.set(requestId, batch);
    this.join(batch, loop);
    this.join(batch, other);
    return { batch, created: true };
  }

  /** Starts a batch for a request given up front. */
  open(client: object, requestId: string, create: () => RequestBatch): RequestBatch {
    const requests = this.#of(client);
    let batch = requests.batches.get(requestId);
    if (batch === undefined) {
      batch = create();
      requests.batches.set(requestId, batch);
    }
    return batch;
  }

  /** Puts a loop in a batch: its answers come from the batch's polls from now on. */
  join(batch: RequestBatch, loop: ScheduledLoop): void {
    const requests = this.#of(loop.client);
    if (requests.lone.get(batch.requestId) === loop) requests.lone.delete(batch.requestId);
    batch.members.set(loop.documentId, loop);
    loop.batch = batch;
  }

  /**
   * Puts a loop on the standby of a batch whose request fails (out of the batch, if it was in
   * it): it polls on its own until the request answers again.
   */
  standBy(batch: RequestBatch, loop: ScheduledLoop): void {
    if (loop.batch === batch) this.leave(loop);
    if (loop.standby !== batch) this.resume(loop);
    batch.standby.add(loop);
    loop.standby = batch;
  }

  /** Takes a loop off its standby (it rejoins its batch, moved, or stopped): the batch it was on. */
  resume(loop: ScheduledLoop): RequestBatch | undefined {
    const batch = loop.standby;
    batch?.standby.delete(loop);
    loop.standby = undefined;
    return batch;
  }

  /**
   * A poll of the batch's request failed: its members go on standby (they poll on their own until
   * the request answers again), and no loop joins it meanwhile. Returns the loops to poll.
   */
  suspend(batch: RequestBatch): ScheduledLoop[] {
    batch.failing = true;
    const members = [...batch.members.values()];
    for (const loop of members) this.standBy(batch, loop);
    return members;
  }

  /**
   * The batch's request answered again: the loops on its standby that can still be batched join
   * it. Returns them (their own polls are to be dropped).
   */
  takeBack(batch: RequestBatch): ScheduledLoop[] {
    batch.failing = false;
    const back: ScheduledLoop[] = [];
    for (const loop of [...batch.standby]) {
      this.resume(loop);
      if (loop.stopped || loop.unbatchable) continue;
      this.join(batch, loop);
      back.push(loop);
    }
    return back;
  }

  /** Takes a loop out of its batch; it polls on its own from now on. */
  leave(loop: ScheduledLoop): void {
    const batch = loop.batch;
    if (batch === undefined) return;
    if (batch.members.get(loop.documentId) === loop) batch.members.delete(loop.documentId);
    loop.batch = undefined;
    this.#of(loop.client).lone.set(batch.requestId, loop);
  }

  /** Forgets a stopped loop. */
  forget(loop: ScheduledLoop): void {
    const requests = this.#byClient.get(loop.client);
    if (requests === undefined) return;
    const requestId = loop.batch?.requestId ?? loop.state.last?.request_id;
    if (requestId !== undefined && requests.lone.get(requestId) === loop)
      requests.lone.delete(requestId);
    if (loop.batch?.members.get(loop.documentId) === loop)
      loop.batch.members.delete(loop.documentId);
    this.resume(loop);
  }

  /** Forgets a batch that stopped; with `refuse`, its request is not batched again. */
  close(batch: RequestBatch, refuse = false): void {
    for (const loop of [...batch.standby]) this.resume(loop);
    const requests = this.#byClient.get(batch.client);
    if (requests === undefined) return;
    if (requests.batches.get(batch.requestId) === batch) requests.batches.delete(batch.requestId);
    if (refuse) {
      requests.refused.add(batch.requestId);
      // Bounded, oldest first: a long-lived process must not grow with every failed request.
      if (requests.refused.size > MAX_REFUSED)
        requests.refused.delete(requests.refused.values().next().value as string);
    }
  }
}
