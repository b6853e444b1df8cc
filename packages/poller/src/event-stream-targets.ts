import {
  type DocumentStatus,
  isTerminalDocumentStatus,
  isTerminalRequestStatus,
  parseDocumentStatus,
  parseRequestStatus,
  type RequestStatus,
} from '@neurostatus/core';
import { type DocumentStatusReader, documentSource } from './document-source.ts';
import type { ResolvedEventStreamOptions } from './event-stream-options.ts';
import { type TimedValue, watchOverEvents } from './event-stream-watch.ts';
import { pollLoop } from './poll-loop.ts';
import type { ResolvedWatchOptions } from './watch-options.ts';

// The event-stream side of `watchStatus` and `watchRequest`. They import this module only when a
// watch asks for events (`import()`), so a bundler that splits code keeps the transport,
// eventsource-parser and the schemas that validate events out of bundles that only poll.

/**
 * A document's statuses over its event stream, polling where the stream cannot be had.
 *
 * @example
 * ```ts
 * for await (const { value } of watchDocumentOverEvents(client, id, stream, resolveWatchOptions())) show(value);
 * ```
 */
export function watchDocumentOverEvents(
  client: DocumentStatusReader,
  documentId: string,
  stream: ResolvedEventStreamOptions,
  options: ResolvedWatchOptions,
): AsyncGenerator<TimedValue<DocumentStatus>, void, undefined> {
  return watchOverEvents<DocumentStatus>(
    client,
    {
      kind: 'document',
      id: documentId,
      subject: `document ${documentId}`,
      parse: parseDocumentStatus,
      isTerminal: isTerminalDocumentStatus,
      poll: async function* (pollOptions) {
        const source = documentSource(client, documentId, pollOptions.estimator);
        yield* pollLoop(source, pollOptions, (value, state) => ({
          value,
          clockOffsetMs: state.clockOffsetMs,
        }));
      },
    },
    stream,
    options,
  );
}

/**
 * A request's statuses over its event stream; `poll` is how `watchRequest` polls it instead.
 *
 * @example
 * ```ts
 * watchRequestOverEvents(client, requestId, stream, options, pollRequest);
 * ```
 */
export function watchRequestOverEvents(
  client: object,
  requestId: string,
  stream: ResolvedEventStreamOptions,
  options: ResolvedWatchOptions,
  poll: (options: ResolvedWatchOptions) => AsyncIterable<TimedValue<RequestStatus>>,
): AsyncGenerator<TimedValue<RequestStatus>, void, undefined> {
  return watchOverEvents<RequestStatus>(
    client,
    {
      kind: 'request',
      id: requestId,
      subject: `request ${requestId}`,
      parse: parseRequestStatus,
      isTerminal: isTerminalRequestStatus,
      poll,
    },
    stream,
    options,
  );
}
