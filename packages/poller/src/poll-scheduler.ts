import { assertValidId, type DocumentStatus } from '@neurostatus/core';
import type { PollerClock } from './clock.ts';
import { type DocumentStatusReader, documentSource } from './document-source.ts';
import { DueHeap } from './due-heap.ts';
import { WatchTimeoutError } from './errors.ts';
import { lazyStream } from './lazy-stream.ts';
import { pollStep } from './poll-step.ts';
import { RateLimitWaves } from './rate-limit-waves.ts';
import { createRateLimiter } from './rate-limiter.ts';
import { ReadyQueue } from './ready-queue.ts';
import { ScheduledLoop, type Subscription } from './scheduled-loop.ts';
import { type PollSchedulerOptions, resolveSchedulerOptions } from './scheduler-options.ts';
import type { StatusListener } from './status-listener.ts';
import { WakeTimer } from './wake-timer.ts';
import { checkTimeoutMs } from './watch-options.ts';
import { createWatchState } from './watch-state.ts';

/**
 * Per-consumer options of `scheduler.watch()`.
 *
 * @example
 * ```ts
 * scheduler.watch(client, id, { timeoutMs: 60_000, emit: 'every' } satisfies ScheduledWatchOptions);
 * ```
 */
export interface ScheduledWatchOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  emit?: 'changes' | 'every';
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
  /** Consumers across all loops. */
  readonly consumers: number;
  readonly inFlight: number;
  /** Polls that are due and wait for a slot or a token. */
  readonly queued: number;
  /** The current request-rate budget, per second (lower than configured after 429s). */
  readonly ratePerSecond: number;
  /** Upstream requests started so far. */
  readonly requests: number;
}

/** A shared poller for many documents: one loop per (client, document), a concurrency cap, a rate budget. */
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
    options?: { emit?: 'changes' | 'every' },
  ): () => void;
  stats(): PollSchedulerStats;
  /** The scheduler's clock (its `now()` and `sleep()`), for timers that must run on the same time. */
  readonly clock: PollerClock;
  /** Ends every watch (iterators end without error, listeners get `end()`) and refuses new ones. */
  close(): void;
}

function checkEmit(emit: 'changes' | 'every'): 'changes' | 'every' {
  if (emit !== 'changes' && emit !== 'every')
    throw new TypeError("`emit` must be 'changes' or 'every'.");
  return emit;
}

/**
 * Creates a scheduler that a whole process can share between its watches.
 *
 * Due polls wait in one FIFO queue for a concurrency slot and a token; the scheduler sleeps on a
 * single timer until the next poll is due or the next token arrives. Memory per watched document
 * is a few small objects and its last status, so 10,000 documents fit in a few tens of MB
 * (BENCHMARKS.md).
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
  const owners = new WeakMap<ScheduledLoop, Map<string, ScheduledLoop>>();
  const readers = new WeakMap<DocumentStatusReader, DocumentStatusReader>();
  const allLoops = new Set<ScheduledLoop>();
  const due = new DueHeap<ScheduledLoop>();
  const ready = new ReadyQueue<ScheduledLoop>();
  const timer = new WakeTimer(clock, () => tick());
  let closed = false;

  /** The client, its calls counted and their 429s told to the limiter; one wrapper per client. */
  const throughLimiter = (client: DocumentStatusReader): DocumentStatusReader => {
    let wrapped = readers.get(client);
    if (wrapped === undefined) {
      wrapped = {
        getDocumentStatusWithMeta: (documentId, requestOptions) =>
          waves.track(() => client.getDocumentStatusWithMeta(documentId, requestOptions)),
      };
      readers.set(client, wrapped);
    }
    return wrapped;
  };

  const stop = (loop: ScheduledLoop) => {
    if (loop.stopped) return;
    loop.stopped = true;
    loop.inFlight?.abort();
    allLoops.delete(loop);
    const byId = owners.get(loop);
    if (byId?.get(loop.documentId) === loop) byId.delete(loop.documentId);
    // Stopped loops leave the heap lazily; drop them in bulk before they outnumber the live ones,
    // so a stopped loop (and its last status) is not held until its far-off wake-up time.
    if (due.size > 64 && due.size > 2 * allLoops.size) due.compact((entry) => !entry.stopped);
    // Its wake-up may be the one the timer waits for: re-arm, so nothing stays pending for it.
    arm();
  };

  /** Sleeps until the next poll is due or the next token arrives, whichever comes first. */
  const arm = () => {
    while (due.peek()?.stopped) due.pop();
    let at = due.peek()?.dueAt ?? Number.POSITIVE_INFINITY;
    if (ready.size > 0 && limiter.inFlight < resolved.limiter.concurrency)
      at = Math.min(at, clock.now() + limiter.msUntilToken());
    timer.set(closed ? Number.POSITIVE_INFINITY : at);
  };

  const tick = () => {
    const now = clock.now();
    for (let top = due.peek(); top !== undefined && top.dueAt <= now; top = due.peek()) {
      due.pop();
      if (!top.stopped) ready.push(top);
    }
    dispatch();
    arm();
  };

  const dispatch = () => {
    for (let next = ready.peek(); next !== undefined; next = ready.peek()) {
      if (!next.stopped && !limiter.tryAcquire()) break;
      ready.shift();
      if (!next.stopped) start(next);
    }
  };

  const start = (loop: ScheduledLoop) => {
    const controller = new AbortController();
    loop.inFlight = controller;
    pollStep(loop.state, controller.signal).then(
      ({ result, nextDelayMs }) => {
        loop.inFlight = undefined;
        limiter.release();
        if (!loop.stopped && result !== undefined) loop.publish(result);
        if (!loop.stopped && nextDelayMs === undefined) {
          const consumers = [...loop.consumers];
          stop(loop);
          loop.end(consumers);
        }
        if (!loop.stopped && nextDelayMs !== undefined) {
          loop.dueAt = clock.now() + nextDelayMs;
          due.push(loop);
        }
        dispatch();
        arm();
      },
      (error: unknown) => {
        loop.inFlight = undefined;
        limiter.release();
        if (!loop.stopped) fail(loop, error);
        dispatch();
        arm();
      },
    );
  };

  const fail = (loop: ScheduledLoop, error: unknown) => {
    const consumers = [...loop.consumers];
    stop(loop);
    loop.fail(consumers, error);
  };

  /** The loop of (client, document), created and queued for its first poll when there is none. */
  const loopFor = (client: DocumentStatusReader, documentId: string): ScheduledLoop => {
    let byId = loops.get(client);
    if (byId === undefined) {
      byId = new Map();
      loops.set(client, byId);
    }
    const existing = byId.get(documentId);
    if (existing !== undefined) return existing;
    const source = documentSource(throughLimiter(client), documentId, resolved.watch.estimator);
    const loop = new ScheduledLoop(documentId, createWatchState(source, resolved.watch), stop);
    byId.set(documentId, loop);
    owners.set(loop, byId);
    allLoops.add(loop);
    ready.push(loop);
    return loop;
  };

  const subscribe: PollScheduler['subscribe'] = (
    client,
    documentId,
    listener,
    subscribeOptions = {},
  ) => {
    assertValidId(documentId, 'document');
    if (closed) throw new TypeError('This scheduler is closed.');
    const subscription: Subscription = {
      listener,
      emit: checkEmit(subscribeOptions.emit ?? 'changes'),
    };
    const loop = loopFor(client, documentId);
    loop.add(subscription);
    dispatch();
    arm();
    // The last consumer gone: the loop stops at once, in-flight request included.
    return () => loop.remove(subscription);
  };

  const watch: PollScheduler['watch'] = (client, documentId, consumerOptions = {}) => {
    const { signal } = consumerOptions;
    const emit = checkEmit(consumerOptions.emit ?? 'changes');
    const timeoutMs = checkTimeoutMs(consumerOptions.timeoutMs);
    assertValidId(documentId, 'document');
    if (closed) throw new TypeError('This scheduler is closed.');
    return lazyStream<DocumentStatus>(signal, (channel) => {
      let last: DocumentStatus | undefined;
      const unsubscribe = subscribe(
        client,
        documentId,
        {
          status: (status) => {
            last = status;
            channel.push(status);
          },
          end: () => channel.close(),
          error: (error) => channel.fail(error),
        },
        { emit },
      );
      const deadline = Number.isFinite(timeoutMs) ? new AbortController() : undefined;
      if (deadline !== undefined) {
        clock.sleep(timeoutMs, deadline.signal).then(
          () => channel.fail(new WatchTimeoutError(`document ${documentId}`, timeoutMs, last)),
          () => {},
        );
      }
      return () => {
        deadline?.abort();
        unsubscribe();
      };
    });
  };

  return {
    subscribe,
    watch,
    clock,
    stats() {
      let consumers = 0;
      for (const loop of allLoops) consumers += loop.consumers.size;
      return {
        loops: allLoops.size,
        consumers,
        inFlight: limiter.inFlight,
        queued: ready.size,
        ratePerSecond: limiter.currentRate(),
        requests: waves.started,
      };
    },
    close() {
      closed = true;
      timer.cancel();
      for (const loop of [...allLoops]) {
        const consumers = [...loop.consumers];
        stop(loop);
        loop.end(consumers);
      }
    },
  };
}
