import type { StatusKind } from '../cache-key.ts';
import type { StatusObjects } from './status-object-address.ts';
import { statusObjectUrl } from './status-object-address.ts';
import { replayAnswer } from './upstream-reply.ts';

/** The status routes of the upstream API, under any prefix. */
const STATUS_ROUTE = /\/(document|request)-status\/([^/]+)$/;

/**
 * The `fetch` of the Worker's upstream clients when status objects are on: each status call goes
 * to the Durable Object of that (tenant, kind, id), which answers from its storage or makes the one
 * upstream call everyone shares. The object relays the upstream's own answer, so the Worker's
 * client, cache, errors, headers and metrics work exactly as with a direct upstream. The
 * `Authorization` header (the tenant's key in passthrough mode, the proxy's otherwise) travels
 * with the request only; the object never stores it.
 *
 * @example
 * ```ts
 * const edge = await createEdge(env, { fetch: durableUpstreamFetch(objectFor) });
 * ```
 */
export function durableUpstreamFetch(objectFor: StatusObjects): typeof globalThis.fetch {
  return async (input, init) => {
    const request = new Request(input, init);
    const match = STATUS_ROUTE.exec(new URL(request.url).pathname);
    if (match === null) throw new TypeError('Only status calls go through the status objects.');
    const target = { kind: match[1] as StatusKind, id: decodeURIComponent(match[2]!) };
    const authorization = request.headers.get('authorization') ?? undefined;
    const stub = await objectFor(target, authorization);
    const answer = stub.fetch(statusObjectUrl(target, 'status'), {
      headers: authorization === undefined ? {} : { authorization },
    });
    const signal = request.signal;
    // The client's own deadline ends the wait, as it would a direct call.
    const aborted = new Promise<never>((_resolve, reject) => {
      if (signal.aborted) reject(signal.reason);
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
    aborted.catch(() => undefined);
    return replayAnswer(await Promise.race([answer, aborted]), signal);
  };
}
