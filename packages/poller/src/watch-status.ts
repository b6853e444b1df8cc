import { assertValidId, type DocumentStatus } from '@neurostatus/core';
import { resolveConsumerOptions } from './consumer-options.ts';
import { type DocumentStatusReader, documentSource } from './document-source.ts';
import {
  type ResolvedEventStreamOptions,
  resolveTransport,
  type TransportOptions,
} from './event-stream-options.ts';
import { pollLoop } from './poll-loop.ts';
import type { PollScheduler } from './poll-scheduler.ts';
import {
  type ResolvedWatchOptions,
  resolveWatchOptions,
  type WatchOptions,
} from './watch-options.ts';

/**
 * Options of {@link watchStatus}.
 *
 * @example
 * ```ts
 * watchStatus(client, id, { scheduler, timeoutMs: 60_000 } satisfies WatchStatusOptions);
 * ```
 */
export interface WatchStatusOptions extends WatchOptions, TransportOptions {
  /**
   * Share one poll loop per document, a concurrency cap and a request-rate budget with every
   * other watch of this scheduler. The scheduler's own policy and estimator then apply.
   */
  scheduler?: PollScheduler;
}

/**
 * Watches one document: polls at once, yields the first status, then each change, then the
 * terminal status, and ends. `break` stops it immediately (no later request, no pending timer);
 * `options.signal` does the same and makes the loop throw the signal's reason.
 *
 * @throws {TypeError} at once for invalid options; {@link @neurostatus/core!InvalidIdError} at once for a bad id.
 * @throws from the loop: `WatchTimeoutError` (with `lastStatus`) when `timeoutMs` passes; a
 *   permanent error (401, 402, 403, 4xx) at once; a transient one after `maxConsecutiveErrors`;
 *   a `NotFoundError` once `notFoundGraceMs` has passed.
 * @example
 * ```ts
 * for await (const status of watchStatus(client, documentId, { timeoutMs: 10 * 60_000 })) {
 *   console.log(status.status);
 * }
 * ```
 */
export function watchStatus(
  client: DocumentStatusReader,
  documentId: string,
  options: WatchStatusOptions = {},
): AsyncIterable<DocumentStatus> {
  assertValidId(documentId, 'document');
  if (options.scheduler !== undefined) {
    const { scheduler, transport, events: _events, ...consumer } = options;
    if ((transport ?? 'poll') !== 'poll') {
      throw new TypeError(
        "`transport: 'events'` or `'auto'` cannot go with `scheduler`, which polls.",
      );
    }
    // The scheduler's own policy, clock and limits apply: say so rather than ignore them.
    const { signal, timeoutMs, emit } = resolveConsumerOptions(
      consumer,
      ['signal', 'timeoutMs', 'emit'],
      '`watchStatus()` with `scheduler`',
    );
    return scheduler.watch(client, documentId, {
      ...(signal === undefined ? {} : { signal }),
      timeoutMs,
      emit,
    });
  }
  const { transport: _transport, events: _events, ...watchOptions } = options;
  const resolved = resolveWatchOptions(watchOptions);
  const stream = resolveTransport(options);
  if (stream === undefined) {
    return pollLoop(
      documentSource(client, documentId, resolved.estimator),
      resolved,
      (value) => value,
    );
  }
  // Event streams (issue 14): the proxy pushes each change; polling where it cannot.
  return documentOverEvents(client, documentId, stream, resolved);
}

async function* documentOverEvents(
  client: DocumentStatusReader,
  documentId: string,
  stream: ResolvedEventStreamOptions,
  options: ResolvedWatchOptions,
): AsyncGenerator<DocumentStatus, void, undefined> {
  // Loaded on first use, so that code-splitting bundlers leave it out of polling-only bundles.
  const { watchDocumentOverEvents } = await import('./event-stream-targets.ts');
  for await (const { value } of watchDocumentOverEvents(client, documentId, stream, options)) {
    yield value;
  }
}
