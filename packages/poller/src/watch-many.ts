import { assertValidId, type DocumentStatus, isTerminalDocumentStatus } from '@neurostatus/core';
import { createChannel } from './channel.ts';
import type { DocumentStatusReader } from './document-source.ts';
import {
  createPollScheduler,
  type PollScheduler,
  type PollSchedulerOptions,
} from './poll-scheduler.ts';

/** One event of {@link watchMany}: a document's new status, or the error that ended its watch. */
export type WatchManyUpdate =
  | { readonly documentId: string; readonly status: DocumentStatus; readonly error?: undefined }
  | { readonly documentId: string; readonly status?: undefined; readonly error: unknown };

/** Options of {@link watchMany}. */
export interface WatchManyOptions extends PollSchedulerOptions {
  /** Share this scheduler (its loops, concurrency cap and rate budget). Default: a private one. */
  scheduler?: PollScheduler;
  /** Stops every watch; the stream throws `signal.reason`. */
  signal?: AbortSignal;
  /** Per-document deadline, in ms (the document's watch then ends with a `WatchTimeoutError` update). */
  timeoutMs?: number;
}

/** The stream returned by {@link watchMany}: iterate it, and add ids while it runs. */
export interface WatchManyStream extends AsyncIterable<WatchManyUpdate> {
  /** Starts watching more documents; ids already watched are ignored. */
  add(...documentIds: string[]): void;
}

/**
 * Watches many documents as one stream of `{ documentId, status }` updates, ending when every
 * document is terminal (or its watch failed: that comes as `{ documentId, error }`, so one bad id
 * does not end the others). All polls go through one scheduler: one loop per id, a concurrency
 * cap and a shared request-rate budget.
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
  const { scheduler: shared, signal, timeoutMs, ...schedulerOptions } = options;
  const scheduler = shared ?? createPollScheduler(schedulerOptions);
  const watched = new Set<string>();
  // The consumers of the scheduler's loops, to end them all when the stream ends (one listener
  // per consumer on a shared signal would pile up 10,000 listeners on one AbortSignal).
  const consumers = new Set<AsyncIterator<DocumentStatus>>();
  let open = 0;
  const onAbort = () => out.fail(signal?.reason);
  const out = createChannel<WatchManyUpdate>(() => {
    for (const consumer of [...consumers]) void consumer.return?.();
    signal?.removeEventListener('abort', onAbort);
    if (shared === undefined) scheduler.close();
  });
  const forward = async (documentId: string) => {
    let consumer: AsyncIterator<DocumentStatus> | undefined;
    try {
      // Inside the try: a closed scheduler or a bad `timeoutMs` throws here, and that must be
      // this document's error update, not an unhandled rejection that leaves the stream open.
      const watchOptions = timeoutMs === undefined ? {} : { timeoutMs };
      consumer = scheduler.watch(client, documentId, watchOptions)[Symbol.asyncIterator]();
      consumers.add(consumer);
      for (;;) {
        const { value: status, done } = await consumer.next();
        if (done) break;
        out.push({ documentId, status });
        if (isTerminalDocumentStatus(status)) {
          await consumer.return?.();
          break;
        }
      }
    } catch (error) {
      if (!out.ended) out.push({ documentId, error });
    } finally {
      if (consumer !== undefined) consumers.delete(consumer);
      open--;
      if (open === 0) out.close();
    }
  };
  const add = (...ids: string[]) => {
    for (const id of ids) assertValidId(id, 'document');
    if (out.ended) return;
    const fresh = [...new Set(ids)].filter((id) => !watched.has(id));
    // Count them all before starting any: a watch that fails at once must not close the
    // stream (open === 0) before the rest of the batch has started.
    for (const id of fresh) watched.add(id);
    open += fresh.length;
    for (const id of fresh) void forward(id);
  };
  add(...documentIds);
  if (open === 0) out.close();
  if (signal?.aborted) onAbort();
  else signal?.addEventListener('abort', onAbort, { once: true });
  return {
    add,
    [Symbol.asyncIterator]: () => out,
  };
}
