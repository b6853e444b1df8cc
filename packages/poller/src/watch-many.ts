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
 *   if (update.error) console.error(update.documentId, update.error);
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
  const stop = new AbortController();
  const watched = new Set<string>();
  let open = 0;
  const onAbort = () => out.fail(signal?.reason);
  const out = createChannel<WatchManyUpdate>(() => {
    stop.abort();
    signal?.removeEventListener('abort', onAbort);
    if (shared === undefined) scheduler.close();
  });
  const forward = async (documentId: string) => {
    try {
      const watchOptions = {
        signal: stop.signal,
        ...(timeoutMs === undefined ? {} : { timeoutMs }),
      };
      for await (const status of scheduler.watch(client, documentId, watchOptions)) {
        out.push({ documentId, status });
        if (isTerminalDocumentStatus(status)) break;
      }
    } catch (error) {
      if (!stop.signal.aborted) out.push({ documentId, error });
    } finally {
      open--;
      if (open === 0) out.close();
    }
  };
  const add = (...ids: string[]) => {
    for (const id of ids) assertValidId(id, 'document');
    if (out.ended) return;
    for (const id of ids) {
      if (watched.has(id)) continue;
      watched.add(id);
      open++;
      void forward(id);
    }
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
