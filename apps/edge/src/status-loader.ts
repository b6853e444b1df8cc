import {
  type DocumentStatus,
  isNeurolinkerError,
  isTerminalDocumentStatus,
  isTerminalRequestStatus,
  type NeurolinkerClient,
  type RequestStatus,
} from '@neurostatus/core';
import { boundedJson } from './bounded-json.ts';
import type { StatusKind } from './cache-key.ts';
import { errorBody } from './edge-error.ts';
import type { UpstreamAnswer } from './status-cache.ts';

/**
 * What the proxy stores for an id the upstream does not know (yet): the same body whichever path
 * learned it (a status read or an event stream's loop).
 *
 * @example
 * ```ts
 * await cache.remember(key, notFoundAnswer('document'));
 * ```
 */
export function notFoundAnswer(kind: StatusKind): UpstreamAnswer {
  return {
    status: 404,
    body: errorBody('NOT_FOUND', `No ${kind} with this id (or not visible yet).`),
    terminal: false,
  };
}

/**
 * A status as the proxy stores it: serialized with a bounded depth, terminal or not.
 *
 * @throws {InvalidResponseError} for a payload nested too deep to serialize.
 * @example
 * ```ts
 * const answer = statusAnswer('request', progress.request);
 * ```
 */
export function statusAnswer(
  kind: StatusKind,
  data: DocumentStatus | RequestStatus,
): UpstreamAnswer {
  const terminal =
    kind === 'document'
      ? isTerminalDocumentStatus(data as DocumentStatus)
      : isTerminalRequestStatus(data as RequestStatus);
  return { status: 200, body: boundedJson(data), terminal };
}

/**
 * The upstream load of one status for the cache: a 200 becomes the stored body, a 404 a stored
 * "not found", anything else is thrown for the cache to judge (stale or an error answer). The
 * signal aborts when the cache abandons the load at its deadline.
 *
 * @example
 * ```ts
 * await cache.read(key, tenant.cacheTenant, statusLoader(tenant.client, 'document', id));
 * ```
 */
export function statusLoader(
  client: NeurolinkerClient,
  kind: StatusKind,
  id: string,
): (signal: AbortSignal) => Promise<UpstreamAnswer> {
  return async (signal) => {
    try {
      const { data } =
        kind === 'document'
          ? await client.getDocumentStatusWithMeta(id, { signal })
          : await client.getRequestStatusWithMeta(id, { signal });
      return statusAnswer(kind, data);
    } catch (error) {
      if (isNeurolinkerError(error) && error.code === 'NOT_FOUND') return notFoundAnswer(kind);
      throw error;
    }
  };
}
