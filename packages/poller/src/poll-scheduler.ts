import { assertValidId, type DocumentStatus, isNeurolinkerError } from '@neurostatus/core';
import { type Channel, createChannel } from './channel.ts';
import { type DocumentStatusReader, documentSource } from './document-source.ts';
import { WatchTimeoutError } from './errors.ts';
import { createRateLimiter } from './rate-limiter.ts';
import { createStatusPoll } from './status-poll.ts';
import {
  type ResolvedWatchOptions,
  resolveWatchOptions,
  type WatchOptions,
} from './watch-options.ts';

/** Options of {@link createPollScheduler}. */
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

/** Per-consumer options of `scheduler.watch()`. */
export interface ScheduledWatchOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  emit?: 'changes' | 'every';
}

/** What a scheduler is doing right now. */
export interface PollSchedulerStats {
  /** Documents with a poll loop. */
  readonly loops: number;
  /** Consumers across all loops. */
  readonly consumers: number;
  readonly inFlight: number;
  /** Polls waiting for a slot or a token. */
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
  stats(): PollSchedulerStats;
  /** Ends every watch (consumers' loops end without error) and refuses new ones. */
  close(): void;
}

interface Consumer {
  readonly channel: Channel<DocumentStatus>;
  readonly emit: 'changes' | 'every';
}

interface Loop {
  readonly consumers: Set<Consumer>;
  readonly stop: AbortController;
  last: DocumentStatus | undefined;
}

/**
 * Creates a scheduler that a whole process can share between its watches.
 *
 * @example
 * ```ts
 * const scheduler = createPollScheduler({ ratePerSecond: 20, concurrency: 10 });
 * for await (const status of scheduler.watch(client, id)) console.log(status.status);
 * ```
 */
export function createPollScheduler(options: PollSchedulerOptions = {}): PollScheduler {
  const watchOptions: ResolvedWatchOptions = resolveWatchOptions(options);
  const ratePerSecond = options.ratePerSecond ?? 10;
  const concurrency = options.concurrency ?? 8;
  for (const [name, value] of Object.entries({ ratePerSecond, concurrency })) {
    if (!Number.isFinite(value) || value <= 0)
      throw new TypeError(`\`${name}\` must be a positive number.`);
  }
  if (!Number.isInteger(concurrency)) throw new TypeError('`concurrency` must be an integer.');
  const limiter = createRateLimiter({
    clock: watchOptions.clock,
    concurrency,
    ratePerSecond,
    burst: Math.max(1, options.burst ?? ratePerSecond),
    minRatePerSecond: options.minRatePerSecond ?? ratePerSecond / 16,
    recoveryPerSecond: options.recoveryPerSecond ?? ratePerSecond / 30,
  });
  // Keyed by client first: two tenants watching the same id must never share a loop.
  const loops = new WeakMap<DocumentStatusReader, Map<string, Loop>>();
  const allLoops = new Set<Loop>();
  let requests = 0;
  let closed = false;

  /** The client, seen through the limiter: each poll waits for a slot and a token. */
  const limited = (client: DocumentStatusReader): DocumentStatusReader => ({
    async getDocumentStatusWithMeta(documentId, requestOptions) {
      const signal = requestOptions?.signal ?? new AbortController().signal;
      await limiter.acquire(signal);
      requests++;
      try {
        return await client.getDocumentStatusWithMeta(documentId, requestOptions);
      } catch (error) {
        if (isNeurolinkerError(error) && error.code === 'RATE_LIMITED') limiter.penalize();
        throw error;
      } finally {
        limiter.release();
      }
    },
  });

  const endLoop = (client: DocumentStatusReader, documentId: string, loop: Loop) => {
    loop.stop.abort();
    allLoops.delete(loop);
    const byId = loops.get(client);
    if (byId?.get(documentId) === loop) byId.delete(documentId);
  };

  async function run(client: DocumentStatusReader, documentId: string, loop: Loop): Promise<void> {
    const { clock } = watchOptions;
    const state = createStatusPoll(
      documentSource(limited(client), documentId, watchOptions.estimator),
      watchOptions,
    );
    try {
      for (;;) {
        const result = await state.poll(loop.stop.signal);
        if (result !== undefined) {
          loop.last = result.value;
          for (const consumer of loop.consumers) {
            if (result.changed || consumer.emit === 'every') consumer.channel.push(result.value);
          }
          if (result.terminal) {
            for (const consumer of [...loop.consumers]) consumer.channel.close();
            return;
          }
        }
        await clock.sleep(state.nextDelayMs(), loop.stop.signal);
      }
    } catch (error) {
      if (!loop.stop.signal.aborted)
        for (const consumer of [...loop.consumers]) consumer.channel.fail(error);
    } finally {
      endLoop(client, documentId, loop);
    }
  }

  return {
    watch(client, documentId, consumerOptions = {}) {
      assertValidId(documentId, 'document');
      if (closed) throw new TypeError('This scheduler is closed.');
      const { signal, timeoutMs, emit = 'changes' } = consumerOptions;
      if (emit !== 'changes' && emit !== 'every')
        throw new TypeError("`emit` must be 'changes' or 'every'.");
      if (timeoutMs !== undefined && !(timeoutMs >= 0))
        throw new TypeError('`timeoutMs` must be a non-negative number.');

      let byId = loops.get(client);
      if (byId === undefined) {
        byId = new Map();
        loops.set(client, byId);
      }
      let loop = byId.get(documentId);
      const isNew = loop === undefined;
      if (loop === undefined) {
        loop = { consumers: new Set(), stop: new AbortController(), last: undefined };
        byId.set(documentId, loop);
        allLoops.add(loop);
      }
      const theLoop = loop;
      const timer = new AbortController();
      const consumer: Consumer = {
        emit,
        channel: createChannel<DocumentStatus>(() => {
          timer.abort();
          signal?.removeEventListener('abort', onAbort);
          theLoop.consumers.delete(consumer);
          // The last consumer gone: stop polling at once, in-flight request included.
          if (theLoop.consumers.size === 0) endLoop(client, documentId, theLoop);
        }),
      };
      const onAbort = () => consumer.channel.fail(signal?.reason);
      theLoop.consumers.add(consumer);
      if (theLoop.last !== undefined) consumer.channel.push(theLoop.last);
      if (signal?.aborted) onAbort();
      else signal?.addEventListener('abort', onAbort, { once: true });
      if (timeoutMs !== undefined && Number.isFinite(timeoutMs)) {
        watchOptions.clock.sleep(timeoutMs, timer.signal).then(
          () =>
            consumer.channel.fail(
              new WatchTimeoutError(`document ${documentId}`, timeoutMs, theLoop.last),
            ),
          () => {},
        );
      }
      if (isNew) void run(client, documentId, theLoop);
      return consumer.channel;
    },
    stats() {
      let consumers = 0;
      for (const loop of allLoops) consumers += loop.consumers.size;
      return {
        loops: allLoops.size,
        consumers,
        inFlight: limiter.inFlight,
        queued: limiter.waiting,
        ratePerSecond: limiter.currentRate(),
        requests,
      };
    },
    close() {
      closed = true;
      for (const loop of [...allLoops]) {
        for (const consumer of [...loop.consumers]) consumer.channel.close();
        loop.stop.abort();
      }
    },
  };
}
