import { bearerKey } from '../bearer-key.ts';
import { cacheKey, createTenantHasher, type StatusKind } from '../cache-key.ts';
import type { TenancyMode } from '../config.ts';
import type { DurableObjectNamespaceLike, DurableObjectStubLike } from './workers-platform.ts';

/** What one Durable Object watches: a status of one kind, by id. */
export interface StatusTarget {
  readonly kind: StatusKind;
  readonly id: string;
}

/** The origin of requests to an object; never resolved (stubs route by object, not by URL). */
const OBJECT_ORIGIN = 'https://status-object.invalid';

/**
 * The URL of a request to a status object: `/{kind}/id-{id}` answers the status (coalesced and
 * stored), `/{kind}/id-{id}/events` attaches an event feed.
 *
 * @example
 * ```ts
 * await stub.fetch(statusObjectUrl({ kind: 'document', id }, 'events'));
 * ```
 */
export function statusObjectUrl(target: StatusTarget, route: 'status' | 'events'): string {
  // The `id-` prefix keeps the segment from being a dot-segment (`.`, `..`, even `%2E`), which the
  // URL parser would resolve away.
  const path = `${OBJECT_ORIGIN}/${target.kind}/id-${encodeURIComponent(target.id)}`;
  return route === 'events' ? `${path}/events` : path;
}

/**
 * Reads what {@link statusObjectUrl} wrote; `undefined` for anything else.
 *
 * @example
 * ```ts
 * const route = parseStatusObjectUrl(new URL(request.url));
 * ```
 */
export function parseStatusObjectUrl(
  url: URL,
): (StatusTarget & { readonly route: 'status' | 'events' }) | undefined {
  const match = /^\/(document|request)\/id-([^/]*)(\/events)?$/.exec(url.pathname);
  if (match === null) return undefined;
  try {
    return {
      kind: match[1] as StatusKind,
      id: decodeURIComponent(match[2]!),
      route: match[3] === undefined ? 'status' : 'events',
    };
  } catch {
    return undefined; // a malformed percent-escape
  }
}

/** Options of {@link createStatusObjects}. */
export interface StatusObjectsOptions {
  readonly namespace: DurableObjectNamespaceLike;
  readonly mode: TenancyMode;
  /** The proxy secret: names are HMAC digests under it. */
  readonly secret: string;
}

/** See {@link createStatusObjects}. */
export type StatusObjects = (
  target: StatusTarget,
  authorization: string | undefined,
) => Promise<DurableObjectStubLike>;

/**
 * Finds the Durable Object of one watched status for one tenant. The object's name is an HMAC
 * digest (under the proxy secret) of the proxy's cache key `tenant:kind:id`, where the tenant is
 * the HMAC digest of the client's Neurolinker key in `passthrough` mode and `shared` otherwise.
 * So two tenants asking for the same id reach two objects, and neither a key nor a token ever
 * becomes part of a name (names are visible in Cloudflare's dashboard and logs).
 *
 * @throws {TypeError} for a secret shorter than 32 characters.
 * @example
 * ```ts
 * const objectFor = await createStatusObjects({ namespace: env.STATUS_OBJECTS, mode, secret });
 * const stub = await objectFor({ kind: 'document', id }, request.headers.get('authorization'));
 * ```
 */
export async function createStatusObjects(options: StatusObjectsOptions): Promise<StatusObjects> {
  const { namespace, mode } = options;
  const hash = await createTenantHasher(options.secret);
  return async (target, authorization) => {
    const key = mode === 'passthrough' ? bearerKey(authorization) : undefined;
    if (mode === 'passthrough' && key === undefined) {
      throw new TypeError('A passthrough request reached the status objects without a key.');
    }
    const tenant = key === undefined ? 'shared' : await hash(key);
    // A line feed cannot occur in a key (visible ASCII only), so no key's tenant digest can equal
    // an object name: the two uses of the one HMAC key stay apart.
    const name = await hash(`status-object\n${cacheKey({ tenant, ...target })}`);
    return namespace.get(namespace.idFromName(name) as never);
  };
}
