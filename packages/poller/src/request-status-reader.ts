import type { NeurolinkerClient } from '@neurostatus/core';

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
 * if (canReadRequests(client)) batch(client);
 * ```
 */
export function canReadRequests(client: object): client is RequestStatusReader {
  return typeof (client as Partial<RequestStatusReader>).getRequestStatusWithMeta === 'function';
}
