import { assertValidId, type DocumentStatus, isTerminalDocumentStatus } from '@neurostatus/core';
import type { Channel } from './channel.ts';
import type { PollerClock } from './clock.ts';
import { resolveConsumerOptions } from './consumer-options.ts';
import type { DocumentStatusReader } from './document-source.ts';
import { WatchTimeoutError } from './errors.ts';
import { lazyStream } from './lazy-stream.ts';
import {
  createPollScheduler,
  type PollScheduler,
  type SubscribeOptions,
} from './poll-scheduler.ts';
import type { PollSchedulerOptions } from './scheduler-options.ts';
import type { StatusListener } from './status-listener.ts';

/**
 * One event of {@link watchMany}: a document's new status, or the error that ended its watch.
 *
 * @example
 * ```ts
 * function show(update: WatchManyUpdate) {
 *   return update.status === undefined ? `${update.documentId}: ${String(update.error)}` : update.status.status;
 * }
 * ```
 */
export type WatchManyUpdate =
  | { readonly documentId: string; readonly status: DocumentStatus; readonly error?: undefined }
  | { readonly documentId: string; readonly status?: undefined; readonly error: unknown };

/**
 * Options of {@link watchMany}.
 *
 * @example
 * ```ts
 * watchMany(client, ids, { ratePerSecond: 20, timeoutMs: 600_000 } satisfies WatchManyOptions);
 * ```
 */
export interface WatchManyOptions extends PollSchedulerOptions {
  /** Share this scheduler (its loops, concurrency cap and rate budget). Default: a private one. */
  scheduler?: PollScheduler;
  /** Stops every watch; the stream throws `signal.reason`. */
  signal?: AbortSignal;
  /** Per-document deadline, in ms (the document's watch then ends with a `WatchTimeoutError` update). */
  timeoutMs?: number;
  /**
   * The request every id belongs to, when known: they are then polled together (one request poll
   * a round) from the first poll on. Without it the scheduler learns each document's request from
   * its first answer. A document the request does not list is polled on its own.
   */
  requestId?: string;
}

/**
 * The stream returned by {@link watchMany}: iterate it, and add ids while it runs.
 *
 * @example
 * ```ts
 * const stream: WatchManyStream = watchMany(client, []);
 * stream.add(newId);
 * ```
 */
export interface WatchManyStream extends AsyncIterable<WatchManyUpdate> {
  /** Starts watching more documents; ids already watched are ignored. */
  add(...documentIds: string[]): void;
}

/**
 * Watches many documents as one stream of `{ documentId, status }` updates, ending when every
 * document is terminal (or its watch failed: that comes as `{ documentId, error }`, so one bad id
 * does not end the others). All polls go through one scheduler: one loop per id, a concurrency
 * cap and a shared request-rate budget; documents of one request are polled together, one request
 * poll a round, when the client can read requests (the core client can).
 *
 * @throws {InvalidIdError} at once for a malformed id (from `watchMany` or `add`).
 * @example
 * ```ts
 * const stream = watchMany(client, documentIds, { ratePerSecond: 20 });
 * for await (const update of stream) {
 *   if (update.status === undefined) console.error(update.documentId, update.error);
 *   else console.log(update.documentId, update.status.status);
 * }
 * ```
 */
export function watchMany(
  client: DocumentStatusReader,
  documentIds: Iterable<string>,
  options: WatchManyOptions = {},
): WatchManyStream {
  const { scheduler: shared, ...consumerOptions } = options;
  const { signal: _s, timeoutMs: _t, requestId: _r, ...schedulerOptions } = consumerOptions;
  // A shared scheduler's own options apply: with one, the others are refused rather than ignored.
  const { signal, timeoutMs, requestId } = resolveConsumerOptions(
    shared === undefined ? { signal: _s, timeoutMs: _t, requestId: _r } : consumerOptions,
    ['signal', 'timeoutMs', 'requestId'],
    shared === undefined ? '`watchMany()`' : '`watchMany()` with `scheduler`',
  );
  const ids = [...documentIds];
  for (const id of ids) assertValidId(id, 'document');
  let stream: ManyStream | undefined;
  const pending: string[][] = [ids];

  // Starts on the first `next()`: a stream that is never iterated polls nothing.
  const iterator = lazyStream<WatchManyUpdate>(signal, (out) => {
    const scheduler = shared ?? createPollScheduler(schedulerOptions);
    stream = new ManyStream(out, client, scheduler, timeoutMs, requestId);
    for (const more of pending.splice(0)) stream.add(more);
    if (stream.idle) out.close();
    const started = stream;
    return () => {
      started.stop();
      if (shared === undefined) scheduler.close();
    };
  });
  let ended = false;
  const outer: AsyncIterableIterator<WatchManyUpdate> = {
    next: () => iterator.next(),
    return: () => {
      ended = true;
      return iterator.return?.() ?? Promise.resolve({ value: undefined, done: true });
    },
    [Symbol.asyncIterator]: () => outer,
  };
  return {
    add: (...more: string[]) => {
      for (const id of more) assertValidId(id, 'document');
      if (ended || stream?.out.ended) {
        throw new TypeError(
          'This watchMany stream has ended: every document was terminal. Start a new one.',
        );
      }
      if (stream === undefined) pending.push(more);
      else stream.add(more);
    },
    [Symbol.asyncIterator]: () => outer,
  };
}

/** The state of one `watchMany` stream. */
class ManyStream {
  readonly out: Channel<WatchManyUpdate>;
  readonly #client: DocumentStatusReader;
  readonly #scheduler: PollScheduler;
  readonly #timeoutMs: number;
  readonly #subscribeOptions: SubscribeOptions;
  readonly #clock: PollerClock;
  readonly #watched = new Set<string>();
  readonly #following = new Set<Follower>();
  #open = 0;

  constructor(
    out: Channel<WatchManyUpdate>,
    client: DocumentStatusReader,
    scheduler: PollScheduler,
    timeoutMs: number,
    requestId: string | undefined,
  ) {
    this.out = out;
    this.#subscribeOptions = requestId === undefined ? {} : { requestId };
    this.#client = client;
    this.#scheduler = scheduler;
    this.#timeoutMs = timeoutMs;
    // Per-document deadlines run on the scheduler's time, like its polls.
    this.#clock = scheduler.clock;
  }

  /** The consumer stopped (or the stream ended): unsubscribes every document still followed. */
  stop(): void {
    for (const follower of [...this.#following]) follower.finish();
  }

  /** True when no document is being followed. */
  get idle(): boolean {
    return this.#open === 0;
  }

  add(ids: readonly string[]): void {
    if (this.out.ended) return;
    const fresh = [...new Set(ids)].filter((id) => !this.#watched.has(id));
    // Count them all before starting any: a watch that fails at once must not close the stream
    // before the rest of the batch has started.
    for (const id of fresh) this.#watched.add(id);
    this.#open += fresh.length;
    for (const id of fresh) this.#follow(id);
  }

  #follow(documentId: string): void {
    const follower = new Follower(documentId, this);
    this.#following.add(follower);
    try {
      follower.unsubscribe = this.#scheduler.subscribe(
        this.#client,
        documentId,
        follower,
        this.#subscribeOptions,
      );
    } catch (error) {
      // A closed shared scheduler: this document's error, not an exception from `add`.
      follower.error(error);
      return;
    }
    if (follower.finished) {
      follower.unsubscribe();
      return;
    }
    const timeoutMs = this.#timeoutMs;
    if (Number.isFinite(timeoutMs)) {
      const timer = new AbortController();
      follower.timer = timer;
      this.#clock.sleep(timeoutMs, timer.signal).then(
        () =>
          follower.error(new WatchTimeoutError(`document ${documentId}`, timeoutMs, follower.last)),
        () => {},
      );
    }
  }

  /** Called once per document, when its watch is over. */
  done(follower: Follower, update: WatchManyUpdate | undefined): void {
    this.#following.delete(follower);
    if (update !== undefined && !this.out.ended) this.out.push(update);
    this.#open--;
    if (this.#open === 0) this.out.close();
  }
}

/** Follows one document for a `watchMany` stream; a class, so 10,000 of them stay small. */
class Follower implements StatusListener {
  unsubscribe: (() => void) | undefined;
  timer: AbortController | undefined;
  last: DocumentStatus | undefined;
  finished = false;
  readonly #documentId: string;
  readonly #stream: ManyStream;

  constructor(documentId: string, stream: ManyStream) {
    this.#documentId = documentId;
    this.#stream = stream;
  }

  status(status: DocumentStatus): void {
    if (this.finished) return;
    this.last = status;
    this.#stream.out.push({ documentId: this.#documentId, status });
    if (isTerminalDocumentStatus(status)) this.finish();
  }

  end(): void {
    this.finish();
  }

  error(error: unknown): void {
    this.finish({ documentId: this.#documentId, error });
  }

  finish(update?: WatchManyUpdate): void {
    if (this.finished) return;
    this.finished = true;
    this.timer?.abort();
    this.unsubscribe?.();
    this.#stream.done(this, update);
  }
}
