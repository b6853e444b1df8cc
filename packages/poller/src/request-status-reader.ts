import type { NeurolinkerClient, RequestStatus, WithMeta } from '@neurostatus/core';
import { callDeadline } from './status-source.ts';

/**
 * The part of the core client that watching requests needs.
 *
 * @example
 * ```ts
 * const reader: RequestStatusReader = createNeurolinkerClient({ apiKey });
 * ```
 */
export type RequestStatusReader = Pick<NeurolinkerClient, 'getRequestStatusWithMeta'>;

/**
 * Whether a client can also read request status (the core client can): then the scheduler polls
 * documents of one request together.
 *
 * @example
 * ```ts
 * const reader: DocumentStatusReader = client;
 * if (canReadRequests(reader)) await reader.getRequestStatusWithMeta(requestId);
 * ```
 */
export function canReadRequests(client: object): client is RequestStatusReader {
  return typeof (client as Partial<RequestStatusReader>).getRequestStatusWithMeta === 'function';
}

/**
 * One request poll as every request watch makes it: no retries of the client's own (the watch
 * retries on its schedule), bounded by what is left of the watch's deadline.
 *
 * @example
 * ```ts
 * const { data, meta } = await fetchRequestStatus(client, requestId, signal, remainingMs);
 * ```
 */
export function fetchRequestStatus(
  reader: RequestStatusReader,
  requestId: string,
  signal: AbortSignal,
  deadlineMs: number | undefined,
): Promise<WithMeta<RequestStatus>> {
  return reader.getRequestStatusWithMeta(requestId, {
    signal,
    retryLimit: 0,
    ...callDeadline(deadlineMs),
  });
}
