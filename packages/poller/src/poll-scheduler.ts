import { assertValidId, type DocumentStatus, type RequestStatus } from '@neurostatus/core';
import type { PollerClock } from './clock.ts';
import { resolveConsumerOptions } from './consumer-options.ts';
import type { Subscription } from './consumer-set.ts';
import { type DocumentStatusReader, documentSource } from './document-source.ts';
import { FirstPolls } from './first-polls.ts';
import { type PollStep, pollStep } from './poll-step.ts';
import { RateLimitWaves } from './rate-limit-waves.ts';
import { createRateLimiter } from './rate-limiter.ts';
import { RequestBatch } from './request-batch.ts';
import { RequestBatches } from './request-batches.ts';
import { requestEntryStatus } from './request-entry-status.ts';
import { requestSource } from './request-source.ts';
import { canReadRequests, type RequestStatusReader } from './request-status-reader.ts';
import { RunQueue } from './run-queue.ts';
import { ScheduledLoop } from './scheduled-loop.ts';
import { scheduledWatch } from './scheduled-watch.ts';
import { type PollSchedulerOptions, resolveSchedulerOptions } from './scheduler-options.ts';
import type { StatusListener } from './status-listener.ts';
import { createWatchState, retryAfterOf } from './watch-state.ts';

/**
 * Per-consumer options of `scheduler.watch()`; any other option throws a `TypeError`.
 *
 * @example
 * ```ts
 * scheduler.watch(client, id, { timeoutMs: 60_000, emit: 'every' } satisfies ScheduledWatchOptions);
 * ```
 */
export interface ScheduledWatchOptions extends SubscribeOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

/**
 * Per-consumer options of `scheduler.subscribe()`.
 *
 * @example
 * ```ts
 * const subscribeOptions: SubscribeOptions = { requestId };
 * scheduler.subscribe(client, id, { status: send, end: close, error: fail }, subscribeOptions);
 * ```
 */
export interface SubscribeOptions {
  emit?: 'changes' | 'every';
  /**
   * The request the document belongs to, when known: its documents are then polled together from
   * the first poll on. Without it the scheduler learns it from the first answer. Ignored when the
   * document is already watched, or the client cannot read requests.
   */
  requestId?: string;
}

/**
 * Per-consumer options of `scheduler.watchRequest()` and `scheduler.subscribeRequest()`.
 *
 * @example
 * ```ts
 * scheduler.watchRequest(client, requestId, { timeoutMs: 600_000 } satisfies RequestWatchOptions);
 * ```
 */
export interface RequestWatchOptions {
  /** `'changes'` (default): each request status that differs from the last; `'every'`: every poll's. */
  emit?: 'changes' | 'every';
  /** Only `watchRequest`: stops this consumer. */
  signal?: AbortSignal;
  /** Only `watchRequest`: this consumer's own deadline (ms; default none), a `WatchTimeoutError`. */
  timeoutMs?: number;
}

/**
 * What a scheduler is doing right now.
 *
 * @example
 * ```ts
 * const { loops, inFlight, ratePerSecond } = scheduler.stats();
 * ```
 */
export interface PollSchedulerStats {
  /** Documents with a poll loop. */
  readonly loops: number;
  /** Requests whose documents are polled together (one request poll a round for all of them). */
  readonly batches: number;
  /** Consumers across all loops, and subscribers of requests. */
  readonly consumers: number;
  readonly inFlight: number;
  /** Polls that are due and wait for a slot or a token. */
  readonly queued: number;
  /** The current request-rate budget, per second (lower than configured after 429s). */
  readonly ratePerSecond: number;
  /** Upstream requests started so far. */
  readonly requests: number;
}

/**
 * A shared poller for many documents: one loop per (client, document), a concurrency cap, a rate
 * budget, and documents of one request polled together when the client can read requests.
 */
export interface PollScheduler {
  /**
   * Watches a document through the shared loop: the latest known status first (if any), then each
   * change, then the terminal status. `break` or `signal` stop this consumer; the loop stops with
   * its last consumer.
   */
  watch(
    client: DocumentStatusReader,
    documentId: string,
    options?: ScheduledWatchOptions,
  ): AsyncIterable<DocumentStatus>;
  /**
   * The same as `watch`, with callbacks instead of an iterator (for servers fanning one loop out to
   * many connections). Returns the function that unsubscribes.
   */
  subscribe(
    client: DocumentStatusReader,
    documentId: string,
    listener: StatusListener,
    options?: SubscribeOptions,
  ): () => void;
  /**
   * Watches a request through the shared poll of that request: the latest known request status
   * first (if any), then each change, then the terminal one (the request is `completed`, `failed`,
   * or `partial` with nothing left processing). The request poll is the one the documents of that
   * request watched through the same client are batched on: one upstream call a round serves the
   * request's watchers and its documents' watchers, within the scheduler's rate budget. It is
   * paced like `watchRequest()` (when the request's next document is due to finish), or faster
   * when one of its watched documents wants a poll sooner.
   *
   * For statuses, not progress: `watchRequest()` (the function) turns statuses into counts and an
   * ETA.
   *
   * @throws TypeError when the client cannot read requests (`getRequestStatusWithMeta`).
   */
  watchRequest(
    client: RequestStatusReader,
    requestId: string,
    options?: RequestWatchOptions,
  ): AsyncIterable<RequestStatus>;
  /**
   * The same as `watchRequest`, with callbacks instead of an iterator (for servers fanning one
   * request poll out to many connections). Returns the function that unsubscribes.
   */
  subscribeRequest(
    client: RequestStatusReader,
    requestId: string,
    listener: StatusListener<RequestStatus>,
    options?: Pick<RequestWatchOptions, 'emit'>,
  ): () => void;
  stats(): PollSchedulerStats;
  /** The scheduler's clock (its `now()` and `sleep()`), for timers that must run on the same time. */
  readonly clock: PollerClock;
  /** Ends every watch (iterators end without error, listeners get `end()`) and refuses new ones. */
  close(): void;
  /** Whether `close()` was called: new watches are then refused with a `TypeError`. */
  readonly closed: boolean;
}

/**
 * Creates a scheduler that a whole process can share between its watches.
 *
 * Due polls wait in one FIFO queue for a concurrency slot and a token; the scheduler sleeps on a
 * single timer until the next poll is due or the next token arrives. Memory per watched document
 * is a few small objects and its last status, so 10,000 documents fit in a few tens of MB
 * (BENCHMARKS.md).
 *
 * When the client can also read request status (`getRequestStatusWithMeta`, as the core client
 * can) and several watched documents belong to one request, that request is polled once a round
 * for all of them (`batchByRequest`): each document's status comes from `documents[].result`,
 * validated like a document poll's, and a document the list does not stand for (missing, invalid,
 * moved) goes back to polls of its own. A request poll that fails hands its documents back to
 * their own polls at once (on standby: its next answer takes them back), so no document waits for
 * a failing request. Batches never mix clients. While one new document of a client waits for its
 * first answer, the client's next new documents wait with it, and the poll of the request that
 * answer names answers for them (`FirstPolls`).
 *
 * Each consumer method takes only its own options (`resolveConsumerOptions`): anything else
 * throws a `TypeError`, since the scheduler's policy, clock and limits apply.
 *
 * @example
 * ```ts
 * const scheduler = createPollScheduler({ ratePerSecond: 20, concurrency: 10 });
 * for await (const status of scheduler.watch(client, id)) console.log(status.status);
 * ```
 */
export function createPollScheduler(options: PollSchedulerOptions = {}): PollScheduler {
  const resolved = resolveSchedulerOptions(options);
  const { clock } = resolved.watch;
  const limiter = createRateLimiter(resolved.limiter);
  const waves = new RateLimitWaves(limiter);
  // Keyed by client first: two tenants watching the same id must never share a loop.
  const loops = new WeakMap<DocumentStatusReader, Map<string, ScheduledLoop>>();
  const allLoops = new Set<ScheduledLoop>();
  const allBatches = new Set<RequestBatch>();
  const batches = new RequestBatches();
  const firstPolls = new FirstPolls();
  const queue: RunQueue<ScheduledLoop | RequestBatch> = new RunQueue(
    clock,
    limiter,
    resolved.limiter.concurrency,
    (target) => (target instanceof RequestBatch ? startBatch(target) : startLoop(target)),
    () => allLoops.size + allBatches.size,
  );
  let closed = false;

  const canBatch = (client: DocumentStatusReader) =>
    resolved.batchByRequest && canReadRequests(client);

  const newBatch = (client: DocumentStatusReader, requestId: string) => () => {
    const source = requestSource(waves.reader(client), requestId, resolved.watch.estimator);
    const batch = new RequestBatch(
      client,
      requestId,
      createWatchState(source, resolved.watch),
      stopIfIdle,
    );
    allBatches.add(batch);
    return batch;
  };

  /**
   * A batch that nobody needs any more stops: no member, no follower, no document on standby,
   * and no held first poll waiting for its answer (the poll that answers those is worth
   * finishing: stopping it would send each of them to a poll of its own).
   */
  const stopIfIdle = (batch: RequestBatch) => {
    if (needed(batch) || batch.waiting.size > 0) return;
    stopBatch(batch);
  };

  /** Whether anyone still needs the request polled: members, followers, documents on standby. */
  const needed = (batch: RequestBatch) =>
    batch.members.size > 0 || batch.followers.size > 0 || batch.standby.size > 0;

  /**
   * Loops whose first poll was held back: they poll on their own now, unless answered meanwhile.
   * Through the timer rather than at once: a release often comes while a consumer leaves, and
   * the loops it releases may be the next to stop (no poll should start only to be aborted).
   */
  const release = (held: Iterable<ScheduledLoop>) => {
    if (closed) return;
    for (const loop of held) {
      const waits = loop.batch === undefined && loop.inFlight === undefined;
      if (!loop.stopped && waits && loop.state.last === undefined) queue.at(loop, clock.now());
    }
  };

  const stop = (loop: ScheduledLoop) => {
    if (loop.stopped) return;
    loop.stopped = true;
    loop.inFlight?.abort();
    // A pioneer gone before its first answer: the documents held behind it poll on their own.
    if (firstPolls.isHeld(loop)) firstPolls.forget(loop);
    else release(firstPolls.settle(loop));
    allLoops.delete(loop);
    const byId = loops.get(loop.client);
    if (byId?.get(loop.documentId) === loop) byId.delete(loop.documentId);
    const { batch, standby } = loop;
    batches.forget(loop);
    if (batch !== undefined) stopIfIdle(batch);
    if (standby !== undefined) stopIfIdle(standby);
    // Gone while its first poll waited for a batch's: that poll may be needed by nobody now.
    const awaited = loop.awaiting;
    if (awaited !== undefined) {
      awaited.waiting.delete(loop);
      loop.awaiting = undefined;
      stopIfIdle(awaited);
    }
    queue.drop(loop);
  };

  const stopBatch = (batch: RequestBatch, refuse = false) => {
    if (batch.stopped) return;
    batch.stopped = true;
    batch.inFlight?.abort();
    allBatches.delete(batch);
    batches.close(batch, refuse);
    queue.drop(batch);
    releaseWaiting(batch);
  };

  /** A held first poll waits for the batch's next poll (which answers it if its request lists it). */
  const awaitBatch = (batch: RequestBatch, loop: ScheduledLoop) => {
    batch.waiting.add(loop);
    loop.awaiting = batch;
  };

  const releaseWaiting = (batch: RequestBatch) => {
    const waiting = [...batch.waiting];
    batch.waiting.clear();
    for (const loop of waiting) loop.awaiting = undefined;
    release(waiting);
  };

  /**
   * A pioneer's first poll is back: the documents held behind it wait for one poll of the request
   * its answer names (returned, to be queued), or poll on their own when there is no answer (an
   * error, a 404: a bad id must not hold the others up) or no request that can be batched.
   */
  const passOnFirstAnswer = (loop: ScheduledLoop): RequestBatch | undefined => {
    const held = firstPolls.settle(loop);
    if (held.length === 0) return undefined;
    const requestId = loop.state.last?.request_id;
    if (
      requestId === undefined ||
      loop.unbatchable ||
      !canBatch(loop.client) ||
      !batches.allowed(loop.client, requestId) ||
      batches.get(loop.client, requestId)?.failing
    ) {
      release(held);
      return undefined;
    }
    const batch = batches.open(loop.client, requestId, newBatch(loop.client, requestId));
    for (const waiting of held) awaitBatch(batch, waiting);
    return batch;
  };

  /** Ends a loop after its terminal status (already published). */
  const finish = (loop: ScheduledLoop) => {
    const consumers = loop.consumers.snapshot();
    stop(loop);
    loop.consumers.end(consumers);
  };

  const fail = (loop: ScheduledLoop, error: unknown) => {
    const consumers = loop.consumers.snapshot();
    stop(loop);
    loop.consumers.fail(consumers, error);
  };

  /** Takes a loop out of its batch: it polls on its own, after `delayMs`. */
  const ownPolls = (loop: ScheduledLoop, delayMs: number) => {
    batches.leave(loop);
    // A poll of its own still out (it was adopted meanwhile) schedules the next one when it lands.
    if (!loop.stopped && loop.inFlight === undefined) queue.at(loop, clock.now() + delayMs);
  };

  const startLoop = (loop: ScheduledLoop) => {
    const controller = new AbortController();
    loop.inFlight = controller;
    pollStep(loop.state, controller.signal).then(
      (step) => {
        loop.inFlight = undefined;
        afterLoopStep(loop, step);
        queue.release();
      },
      (error: unknown) => {
        loop.inFlight = undefined;
        if (!loop.stopped) fail(loop, error);
        queue.release();
      },
    );
  };

  const afterLoopStep = (loop: ScheduledLoop, step: PollStep<DocumentStatus>) => {
    const forHeld = passOnFirstAnswer(loop);
    placeLoop(loop, step);
    // The held documents' request poll: now, unless one is already out (its answer serves them).
    if (forHeld !== undefined && !forHeld.stopped && forHeld.inFlight === undefined)
      queue.now(forHeld, true);
  };

  /** After a loop's own poll: publish, end, or queue its next poll (alone or through a batch). */
  const placeLoop = (loop: ScheduledLoop, { result, nextDelayMs }: PollStep<DocumentStatus>) => {
    if (!loop.stopped && result !== undefined) loop.consumers.publish(result);
    if (!loop.stopped && nextDelayMs === undefined) finish(loop);
    // Stopped, or it joined a batch while this poll was out: the batch polls it now.
    if (loop.stopped || loop.batch !== undefined || nextDelayMs === undefined) return;
    const requestId = loop.state.last?.request_id;
    // On standby for a request its answer does not name (a wrong `requestId`): not any more.
    const standby = loop.standby;
    if (standby !== undefined && requestId !== undefined && standby.requestId !== requestId)
      stopIfIdle(batches.resume(loop) as RequestBatch);
    const placed =
      requestId !== undefined && canBatch(loop.client)
        ? batches.place(loop, requestId, newBatch(loop.client, requestId))
        : undefined;
    if (placed === undefined) {
      const onStandby = loop.standby;
      const delayMs =
        onStandby === undefined ? nextDelayMs : standbyDelay(onStandby, loop, nextDelayMs);
      queue.at(loop, clock.now() + delayMs);
    } else if (placed.created) {
      // The partner was waiting for a poll of its own: the batch's poll replaces it.
      for (const member of placed.batch.members.values()) queue.drop(member);
      queue.now(placed.batch, true);
    }
  };

  const startBatch = (batch: RequestBatch) => {
    if (batch.inFlight !== undefined) {
      // Never two polls of one request at once; the one out schedules the next.
      queue.release();
      return;
    }
    const controller = new AbortController();
    batch.inFlight = controller;
    pollStep(batch.state, controller.signal).then(
      ({ result }) => {
        batch.inFlight = undefined;
        if (!batch.stopped && result === undefined) standBy(batch);
        if (!batch.stopped && result !== undefined) {
          // The request answers again: the documents on standby are polled through it once more.
          for (const loop of batches.takeBack(batch)) queue.drop(loop);
          batch.followers.publish(result);
          feedMembers(batch, result.value);
          if (result.terminal) batch.followers.end(batch.followers.clear());
        }
        // Held first polls the request did not answer for poll on their own.
        releaseWaiting(batch);
        if (!batch.stopped) scheduleBatch(batch);
        queue.release();
      },
      (error: unknown) => {
        batch.inFlight = undefined;
        if (batch.stopped) return queue.release();
        // The request cannot be polled (gone, forbidden, failing): its followers are told, and its
        // documents go back to polls of their own, which report their own errors.
        const followers = batch.followers.clear();
        dissolve(batch, retryAfterOf(error));
        batch.followers.fail(followers, error);
        queue.release();
      },
    );
  };

  /** Gives each member the status the request lists for it, as if it had polled. */
  const feedMembers = (batch: RequestBatch, request: RequestStatus) => {
    const byId = loops.get(batch.client);
    const seen = new Set<ScheduledLoop>();
    const meta = batch.state.lastMeta ?? {
      freshForMs: undefined,
      requestId: undefined,
      attempts: 1,
    };
    for (const entry of request.documents) {
      // Its last member finished: adopting more into a stopped batch would strand them.
      if (batch.stopped) return;
      let member = batch.members.get(entry.document_id);
      if (member === undefined) {
        // A watched document of this client with nothing known yet: adopt it (a cold start).
        const candidate = canBatch(batch.client) ? byId?.get(entry.document_id) : undefined;
        if (candidate === undefined || candidate.batch !== undefined || candidate.unbatchable)
          continue;
        if (candidate.state.last !== undefined) continue;
        const standby = batches.resume(candidate);
        if (standby !== undefined && standby !== batch) stopIfIdle(standby);
        batches.join(batch, candidate);
        queue.drop(candidate);
        // A pioneer answered for by the request: what waited behind its first poll waits for
        // this answer instead (adopted below if listed, released after it otherwise).
        for (const held of firstPolls.settle(candidate)) awaitBatch(batch, held);
        member = candidate;
      }
      seen.add(member);
      // What the entry leaves out is kept from the member's last status: not a change.
      const status = requestEntryStatus(entry, batch.requestId, member.state.last);
      if (status === undefined) {
        member.unbatchable = true;
        ownPolls(member, 0);
        continue;
      }
      const result = member.state.record({ data: status, meta });
      member.consumers.publish(result);
      if (!member.stopped && result.terminal) finish(member);
    }
    // Not in the list any more (vanished, moved): polled on its own from now on.
    for (const member of [...batch.members.values()]) {
      if (seen.has(member)) continue;
      member.unbatchable = true;
      ownPolls(member, 0);
    }
  };

  /**
   * The next request poll: when the most eager member's own policy wants its next poll (the
   * policy's ceiling, `adaptiveInterval`'s `maxIntervalMs` by default, bounds how late a failure
   * shows, batched or not), or sooner when the request's followers want it (the policy on the
   * request's next document due); never sooner than the request's own errors and the server's
   * hints allow.
   */
  const scheduleBatch = (batch: RequestBatch) => {
    if (!needed(batch)) {
      stopBatch(batch);
      return;
    }
    // A poll started meanwhile (a listener subscribed while the last answer was handed out): its
    // own answer schedules the next one. One poll of a request at a time.
    if (batch.inFlight !== undefined) return;
    // Followers, and documents waiting to rejoin, want the request's own pace (and back-off).
    const own = batch.followers.size > 0 || batch.standby.size > 0;
    let wish = own ? batch.state.nextDelayMs() : Number.POSITIVE_INFINITY;
    const sharedBy = batch.members.size;
    for (const member of batch.members.values())
      wish = Math.min(wish, member.state.nextDelayMs(sharedBy));
    queue.at(batch, clock.now() + Math.max(wish, batch.state.holdOffMs()), true);
  };

  /** Polls a batch now, or as soon as its request's errors and the server's hints allow. */
  const pollBatchSoon = (batch: RequestBatch) => {
    const holdOffMs = batch.state.holdOffMs();
    if (holdOffMs > 0) queue.at(batch, clock.now() + holdOffMs, true);
    else queue.now(batch, true);
  };

  /**
   * Ends a batch whose request cannot be polled; its members poll on their own after `waitMs`
   * (the `Retry-After` of the last answer, if any), and the request is not batched again for this
   * client. A batch of watchers only refuses nothing: the
   * request may just not be visible yet, and its documents may still be batched later.
   */
  const dissolve = (batch: RequestBatch, waitMs: number) => {
    const members = [...batch.members.values()];
    stopBatch(batch, members.length > 0 || batch.standby.size > 0);
    for (const member of members) ownPolls(member, waitMs);
  };

  /**
   * A request poll failed (an error being waited out, a 404 within the grace period): its
   * documents must not wait for the request to recover, nor for it to fail for good. Each goes
   * back to its own poll (its own policy, errors and 404 grace apply), on standby: it rejoins with
   * the request's next answer. At once, unless the server said when to ask again (a 429 or a 503
   * with `Retry-After`): it speaks for the client, not only for this request. Followers keep the
   * request poll and its error handling.
   */
  const standBy = (batch: RequestBatch) => {
    for (const loop of batches.suspend(batch)) {
      if (loop.inFlight === undefined) queue.at(loop, clock.now() + standbyDelay(batch, loop, 0));
    }
  };

  /**
   * When a document on standby for `batch` polls on its own: after `ownDelayMs`; while the server
   * holds the request off (its `Retry-After`), after the hold and then its policy's next wait, so
   * that the request's poll at the end of the hold goes first and answers for it (the document is
   * taken back and its own poll dropped) instead of every document asking at that same moment.
   */
  const standbyDelay = (batch: RequestBatch, loop: ScheduledLoop, ownDelayMs: number) => {
    const heldMs = batch.state.retryAfterMs();
    return heldMs > 0 ? heldMs + Math.max(ownDelayMs, loop.state.nextDelayMs()) : ownDelayMs;
  };

  /** The loop of (client, document), created and queued for its first poll when there is none. */
  const loopFor = (client: DocumentStatusReader, documentId: string, requestId?: string) => {
    let byId = loops.get(client);
    if (byId === undefined) {
      byId = new Map();
      loops.set(client, byId);
    }
    const existing = byId.get(documentId);
    if (existing !== undefined) return existing;
    const source = documentSource(waves.reader(client), documentId, resolved.watch.estimator);
    const loop = new ScheduledLoop(
      client,
      documentId,
      createWatchState(source, resolved.watch),
      stop,
    );
    byId.set(documentId, loop);
    allLoops.add(loop);
    if (requestId !== undefined && canBatch(client) && batches.allowed(client, requestId)) {
      const batch = batches.open(client, requestId, newBatch(client, requestId));
      if (batch.failing) {
        // Its request fails: it polls on its own (once the server's Retry-After, if any, is
        // over), and joins when the request answers.
        batches.standBy(batch, loop);
        const waitMs = standbyDelay(batch, loop, 0);
        if (waitMs > 0) queue.at(loop, clock.now() + waitMs);
        else queue.now(loop);
        return loop;
      }
      batches.join(batch, loop);
      // Its first status comes from the batch's next poll, brought forward to as soon as the
      // request's errors and hints allow (a poll in flight answers for it instead).
      if (batch.inFlight === undefined) pollBatchSoon(batch);
      return loop;
    }
    // Nothing known: while a sibling of this client waits for its first answer, wait with it.
    if (!canBatch(client) || !firstPolls.hold(loop)) queue.now(loop);
    return loop;
  };

  const subscribe: PollScheduler['subscribe'] = (
    client,
    documentId,
    listener,
    subscribeOptions = {},
  ) => {
    assertValidId(documentId, 'document');
    const { emit, requestId } = resolveConsumerOptions(
      subscribeOptions,
      ['emit', 'requestId'],
      '`scheduler.subscribe()`',
    );
    if (closed) throw new TypeError('This scheduler is closed.');
    const subscription: Subscription<DocumentStatus> = { listener, emit };
    const loop = loopFor(client, documentId, requestId);
    loop.consumers.add(subscription, loop.state.last);
    // The last consumer gone: the loop stops at once, in-flight request included.
    return () => loop.consumers.remove(subscription);
  };

  /** What a watch of a request needs, checked before anything starts. */
  const checkRequestWatch = (client: object, requestId: string) => {
    assertValidId(requestId, 'request');
    if (!canReadRequests(client))
      throw new TypeError('This client cannot read request status (`getRequestStatusWithMeta`).');
    if (closed) throw new TypeError('This scheduler is closed.');
  };

  const subscribeRequest: PollScheduler['subscribeRequest'] = (
    client,
    requestId,
    listener,
    requestOptions = {},
  ) => {
    const { emit } = resolveConsumerOptions(
      requestOptions,
      ['emit'],
      '`scheduler.subscribeRequest()`',
    );
    checkRequestWatch(client, requestId);
    const subscription: Subscription<RequestStatus> = { listener, emit };
    // The batch's key: documents watched through the same client object share its request poll. A
    // client that reads only requests has no document loops, and no document call is made with it.
    const key = client as RequestStatusReader & DocumentStatusReader;
    const batch = batches.open(key, requestId, newBatch(key, requestId));
    const idle = !needed(batch);
    batch.followers.add(subscription, batch.state.last);
    // A new batch polls at once; one already polling for its documents serves it from now on.
    if (idle && batch.inFlight === undefined) pollBatchSoon(batch);
    return () => batch.followers.remove(subscription);
  };

  const watchRequest: PollScheduler['watchRequest'] = (client, requestId, requestOptions = {}) => {
    const { signal, timeoutMs, emit } = resolveConsumerOptions(
      requestOptions,
      ['signal', 'timeoutMs', 'emit'],
      '`scheduler.watchRequest()`',
    );
    checkRequestWatch(client, requestId);
    return scheduledWatch<RequestStatus>(
      (listener) => subscribeRequest(client, requestId, listener, { emit }),
      { clock, signal, timeoutMs, subject: `request ${requestId}` },
    );
  };

  const watch: PollScheduler['watch'] = (client, documentId, consumerOptions = {}) => {
    const { signal, timeoutMs, emit, requestId } = resolveConsumerOptions(
      consumerOptions,
      ['signal', 'timeoutMs', 'emit', 'requestId'],
      '`scheduler.watch()`',
    );
    assertValidId(documentId, 'document');
    if (closed) throw new TypeError('This scheduler is closed.');
    const subscribeOptions = requestId === undefined ? { emit } : { emit, requestId };
    return scheduledWatch((listener) => subscribe(client, documentId, listener, subscribeOptions), {
      clock,
      signal,
      timeoutMs,
      subject: `document ${documentId}`,
    });
  };

  return {
    subscribe,
    watch,
    subscribeRequest,
    watchRequest,
    clock,
    stats() {
      let consumers = 0;
      for (const loop of allLoops) consumers += loop.consumers.size;
      for (const batch of allBatches) consumers += batch.followers.size;
      return {
        loops: allLoops.size,
        batches: allBatches.size,
        consumers,
        inFlight: limiter.inFlight,
        queued: queue.queued,
        ratePerSecond: limiter.currentRate(),
        requests: waves.started,
      };
    },
    get closed() {
      return closed;
    },
    close() {
      closed = true;
      queue.close();
      for (const loop of [...allLoops]) finish(loop);
      for (const batch of [...allBatches]) {
        const followers = batch.followers.clear();
        stopBatch(batch);
        batch.followers.end(followers);
      }
    },
  };
}
