import { assertValidId, type DocumentStatus, isNeurolinkerError } from '@neurostatus/core';
import { type Channel, createChannel } from './channel.ts';
import type { PollerClock } from './clock.ts';
import { type DocumentStatusReader, documentSource } from './document-source.ts';
import { DueHeap } from './due-heap.ts';
import { WatchTimeoutError } from './errors.ts';
import { MAX_TIMER_MS } from './interval-policy.ts';
import { createRateLimiter } from './rate-limiter.ts';
import { createStatusPoll, type StatusPoll } from './status-poll.ts';
import {
  checkTimeoutMs,
  type ResolvedWatchOptions,
  resolveWatchOptions,
  type WatchOptions,
} from './watch-options.ts';

/**
 * Options of {@link createPollScheduler}.
 *
 * @example
 * ```ts
 * createPollScheduler({ ratePerSecond: 5, concurrency: 2 } satisfies PollSchedulerOptions);
 * ```
 */
export interface PollSchedulerOptions extends Omit<WatchOptions, 'signal' | 'timeoutMs' | 'emit'> {
  /** Upstream requests in flight at once. Default 8. */
  concurrency?: number;
  /** Sustained upstream requests per second, for all watches together. Default 10. */
  ratePerSecond?: number;
  /** Requests that may start at once after a quiet spell. Default: `ratePerSecond`. */
  burst?: number;
  /** The rate never drops below this after 429s. Default: `ratePerSecond / 16`. */
  minRatePerSecond?: number;
  /** How fast the rate climbs back after a 429, in requests/s per second. Default: `ratePerSecond / 30`. */
  recoveryPerSecond?: number;
}

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
 * What a subscriber of {@link PollScheduler.subscribe} is told. Listeners should not throw.
 *
 * @example
 * ```ts
 * const stop = scheduler.subscribe(client, id, {
 *   status: (status) => send(status),
 *   end: () => close(),
 *   error: (error) => fail(error),
 * } satisfies StatusListener);
 * ```
 */
export interface StatusListener {
  /** A status: the latest known one at once (when there is one), then each change (or every poll). */
  status(status: DocumentStatus): void;
  /** The document reached a terminal status (already delivered), or the scheduler was closed. */
  end(): void;
  /** The watch failed: a permanent error, too many transient ones, or a 404 after the grace period. */
  error(error: unknown): void;
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

interface Subscription {
  readonly listener: StatusListener;
  readonly emit: 'changes' | 'every';
}

/** One poll loop: a document watched through one client, and everyone listening to it. */
class Loop {
  readonly consumers = new Set<Subscription>();
  dueAt = 0;
  stopped = false;
  /** Aborts the poll in flight; only set while one is. */
  inFlight: AbortController | undefined;
  readonly state: StatusPoll<DocumentStatus>;
  readonly byId: Map<string, Loop>;
  readonly documentId: string;

  constructor(state: StatusPoll<DocumentStatus>, byId: Map<string, Loop>, documentId: string) {
    this.state = state;
    this.byId = byId;
    this.documentId = documentId;
  }
}

/** The scheduler's defaults, in one place (the rest come from `WATCH_DEFAULTS`). */
export const SCHEDULER_DEFAULTS = {
  concurrency: 8,
  ratePerSecond: 10,
  /** `minRatePerSecond` = `ratePerSecond` x this. */
  minRateFraction: 1 / 16,
  /** `recoveryPerSecond` = `ratePerSecond` x this: 30 s from 0 back to the full rate. */
  recoveryFraction: 1 / 30,
} as const;

function positive(name: string, value: number, allowZero = false): number {
  if (!Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw new TypeError(
      `\`${name}\` must be a ${allowZero ? 'non-negative' : 'positive'} finite number.`,
    );
  }
  return value;
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
  const watchOptions: ResolvedWatchOptions = resolveWatchOptions(options);
  const { clock } = watchOptions;
  const ratePerSecond = positive(
    'ratePerSecond',
    options.ratePerSecond ?? SCHEDULER_DEFAULTS.ratePerSecond,
  );
  const concurrency = positive(
    'concurrency',
    options.concurrency ?? SCHEDULER_DEFAULTS.concurrency,
  );
  if (!Number.isInteger(concurrency)) throw new TypeError('`concurrency` must be an integer.');
  const minRatePerSecond = positive(
    'minRatePerSecond',
    options.minRatePerSecond ?? ratePerSecond * SCHEDULER_DEFAULTS.minRateFraction,
  );
  if (minRatePerSecond > ratePerSecond)
    throw new TypeError('`minRatePerSecond` must not exceed `ratePerSecond`.');
  const limiter = createRateLimiter({
    clock,
    concurrency,
    ratePerSecond,
    burst: Math.max(1, positive('burst', options.burst ?? ratePerSecond)),
    minRatePerSecond,
    recoveryPerSecond: positive(
      'recoveryPerSecond',
      options.recoveryPerSecond ?? ratePerSecond * SCHEDULER_DEFAULTS.recoveryFraction,
      true,
    ),
  });
  // Requests are numbered as they start; a 429 lowers the rate only for a request that started
  // after the last cut (AIMD: one halving per wave of 429s, not one per request in flight).
  let started = 0;
  let startedAtLastCut = 0;
  // Keyed by client first: two tenants watching the same id must never share a loop.
  const loops = new WeakMap<DocumentStatusReader, Map<string, Loop>>();
  const allLoops = new Set<Loop>();
  const penalizing = new WeakMap<DocumentStatusReader, DocumentStatusReader>();
  const due = new DueHeap<Loop>();
  const ready: Loop[] = [];
  let readyHead = 0;
  let wake: { at: number; controller: AbortController } | undefined;
  let requests = 0;
  let closed = false;

  /** The client, telling the limiter about 429s; one wrapper per client. */
  const throughLimiter = (client: DocumentStatusReader): DocumentStatusReader => {
    let wrapped = penalizing.get(client);
    if (wrapped === undefined) {
      wrapped = {
        async getDocumentStatusWithMeta(documentId, requestOptions) {
          const number = ++started;
          try {
            return await client.getDocumentStatusWithMeta(documentId, requestOptions);
          } catch (error) {
            // Requests sent before the last cut went out at the old rate: their 429s say nothing
            // about the new one.
            if (
              isNeurolinkerError(error) &&
              error.code === 'RATE_LIMITED' &&
              number > startedAtLastCut
            ) {
              limiter.penalize();
              startedAtLastCut = started;
            }
            throw error;
          }
        },
      };
      penalizing.set(client, wrapped);
    }
    return wrapped;
  };

  /**
   * Calls a listener. One that throws is detached, and told so through its own `error()`: it must
   * not break the loop for the other consumers, nor crash the process.
   */
  const notify = (
    loop: Loop,
    subscription: Subscription,
    call: (listener: StatusListener) => void,
  ) => {
    try {
      call(subscription.listener);
    } catch (error) {
      if (loop.consumers.delete(subscription) && loop.consumers.size === 0) stop(loop);
      try {
        subscription.listener.error(error);
      } catch {
        // It has been told as well as it can be.
      }
    }
  };

  const stop = (loop: Loop) => {
    if (loop.stopped) return;
    loop.stopped = true;
    loop.inFlight?.abort();
    allLoops.delete(loop);
    if (loop.byId.get(loop.documentId) === loop) loop.byId.delete(loop.documentId);
    // Stopped loops leave the heap lazily; drop them in bulk before they outnumber the live ones,
    // so a stopped loop (and its last status) is not held until its far-off wake-up time.
    if (due.size > 64 && due.size > 2 * allLoops.size) due.compact((entry) => !entry.stopped);
    // Its wake-up may be the one the timer waits for: re-arm, so nothing stays pending for it.
    arm();
  };

  const readyCount = () => ready.length - readyHead;
  const enqueue = (loop: Loop) => {
    ready.push(loop);
  };
  const dequeue = () => {
    const loop = ready[readyHead++];
    if (readyHead > 1024 && readyHead * 2 > ready.length) {
      ready.splice(0, readyHead);
      readyHead = 0;
    }
    return loop;
  };

  /** Sleeps until the next poll is due or the next token arrives, whichever comes first. */
  const arm = () => {
    while (due.peek()?.stopped) due.pop();
    const now = clock.now();
    let at = due.peek()?.dueAt ?? Number.POSITIVE_INFINITY;
    if (readyCount() > 0 && limiter.inFlight < concurrency)
      at = Math.min(at, now + limiter.msUntilToken());
    if (wake !== undefined && wake.at === at) return;
    wake?.controller.abort();
    wake = undefined;
    if (!Number.isFinite(at) || closed) return;
    const controller = new AbortController();
    wake = { at, controller };
    // Never longer than timers accept: the tick that wakes early just re-arms.
    clock.sleep(Math.min(Math.max(0, at - now), MAX_TIMER_MS), controller.signal).then(
      () => {
        if (wake?.controller !== controller) return;
        wake = undefined;
        tick();
      },
      () => {},
    );
  };

  const tick = () => {
    const now = clock.now();
    for (let top = due.peek(); top !== undefined && top.dueAt <= now; top = due.peek()) {
      due.pop();
      if (!top.stopped) enqueue(top);
    }
    dispatch();
    arm();
  };

  const dispatch = () => {
    while (readyCount() > 0) {
      const next = ready[readyHead] as Loop;
      if (next.stopped) {
        dequeue();
        continue;
      }
      if (!limiter.tryAcquire()) break;
      dequeue();
      start(next);
    }
  };

  const start = (loop: Loop) => {
    requests++;
    const controller = new AbortController();
    loop.inFlight = controller;
    loop.state.poll(controller.signal).then(
      (result) => {
        loop.inFlight = undefined;
        limiter.release();
        if (!loop.stopped && result !== undefined) {
          for (const subscription of [...loop.consumers]) {
            if (result.changed || subscription.emit === 'every') {
              notify(loop, subscription, (listener) => listener.status(result.value));
            }
          }
          if (result.terminal) {
            const consumers = [...loop.consumers];
            stop(loop);
            for (const subscription of consumers)
              notify(loop, subscription, (listener) => listener.end());
          }
        }
        if (!loop.stopped) {
          try {
            loop.dueAt = clock.now() + loop.state.nextDelayMs();
            due.push(loop);
          } catch (error) {
            fail(loop, error);
          }
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

  const fail = (loop: Loop, error: unknown) => {
    const consumers = [...loop.consumers];
    stop(loop);
    for (const { listener } of consumers) {
      try {
        listener.error(error);
      } catch {
        // Nothing more can be told to a listener whose error handler throws.
      }
    }
  };

  const subscribe: PollScheduler['subscribe'] = (
    client,
    documentId,
    listener,
    subscribeOptions = {},
  ) => {
    assertValidId(documentId, 'document');
    if (closed) throw new TypeError('This scheduler is closed.');
    const emit = subscribeOptions.emit ?? 'changes';
    if (emit !== 'changes' && emit !== 'every')
      throw new TypeError("`emit` must be 'changes' or 'every'.");
    let byId = loops.get(client);
    if (byId === undefined) {
      byId = new Map();
      loops.set(client, byId);
    }
    let loop = byId.get(documentId);
    const isNew = loop === undefined;
    if (loop === undefined) {
      const source = documentSource(throughLimiter(client), documentId, watchOptions.estimator);
      loop = new Loop(createStatusPoll(source, watchOptions), byId, documentId);
      byId.set(documentId, loop);
      allLoops.add(loop);
    }
    const theLoop = loop;
    const subscription: Subscription = { listener, emit };
    theLoop.consumers.add(subscription);
    const { last } = theLoop.state;
    if (last !== undefined) notify(theLoop, subscription, (subscriber) => subscriber.status(last));
    if (isNew) {
      enqueue(theLoop);
      dispatch();
      arm();
    }
    return () => {
      if (!theLoop.consumers.delete(subscription)) return;
      // The last consumer gone: stop polling at once, in-flight request included.
      if (theLoop.consumers.size === 0) stop(theLoop);
    };
  };

  return {
    subscribe,
    clock,
    watch(client, documentId, consumerOptions = {}) {
      const { signal, emit = 'changes' } = consumerOptions;
      const timeoutMs = checkTimeoutMs(consumerOptions.timeoutMs);
      assertValidId(documentId, 'document');
      if (closed) throw new TypeError('This scheduler is closed.');
      if (emit !== 'changes' && emit !== 'every')
        throw new TypeError("`emit` must be 'changes' or 'every'.");
      let channel: Channel<DocumentStatus> | undefined;
      let finished = false;

      // Subscribes on the first `next()`, not here: a stream that is never iterated polls nothing.
      const open = (): Channel<DocumentStatus> => {
        let unsubscribe: (() => void) | undefined;
        let last: DocumentStatus | undefined;
        const timer = Number.isFinite(timeoutMs) ? new AbortController() : undefined;
        const onAbort = () => opened.fail(signal?.reason);
        const opened = createChannel<DocumentStatus>(() => {
          timer?.abort();
          signal?.removeEventListener('abort', onAbort);
          unsubscribe?.();
        });
        if (signal?.aborted) {
          // Nothing to watch: no loop, no request.
          opened.fail(signal.reason);
          return opened;
        }
        unsubscribe = subscribe(
          client,
          documentId,
          {
            status: (status) => {
              last = status;
              opened.push(status);
            },
            end: () => opened.close(),
            error: (error) => opened.fail(error),
          },
          { emit },
        );
        if (opened.ended) unsubscribe();
        signal?.addEventListener('abort', onAbort, { once: true });
        if (timer !== undefined) {
          clock.sleep(timeoutMs, timer.signal).then(
            () => opened.fail(new WatchTimeoutError(`document ${documentId}`, timeoutMs, last)),
            () => {},
          );
        }
        return opened;
      };

      const iterator: AsyncIterableIterator<DocumentStatus> = {
        next: () => {
          if (channel === undefined && finished)
            return Promise.resolve({ value: undefined, done: true });
          channel ??= open();
          return channel.next();
        },
        return: () => {
          finished = true;
          return channel?.return?.() ?? Promise.resolve({ value: undefined, done: true });
        },
        [Symbol.asyncIterator]: () => iterator,
      };
      return iterator;
    },
    stats() {
      let consumers = 0;
      for (const loop of allLoops) consumers += loop.consumers.size;
      return {
        loops: allLoops.size,
        consumers,
        inFlight: limiter.inFlight,
        queued: readyCount(),
        ratePerSecond: limiter.currentRate(),
        requests,
      };
    },
    close() {
      closed = true;
      wake?.controller.abort();
      wake = undefined;
      for (const loop of [...allLoops]) {
        const consumers = [...loop.consumers];
        stop(loop);
        for (const subscription of consumers)
          notify(loop, subscription, (listener) => listener.end());
      }
    },
  };
}
