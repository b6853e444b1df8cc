import { toBase64Url } from './base64url.ts';
import { importHmacKey } from './hmac-key.ts';

/** Which kind of status a cache entry holds. */
export type StatusKind = 'document' | 'request';

/**
 * Makes the tenant part of cache keys: HMAC-SHA-256 of a client's credential (its Neurolinker key
 * in passthrough mode) under the server secret. Clients with different keys never share entries,
 * and the key itself never reaches the store, a log or a metric: only this digest does, and it
 * cannot be reversed or recomputed without the secret.
 *
 * @throws {TypeError} for a secret shorter than 32 characters.
 * @example
 * ```ts
 * const tenantOf = await createTenantHasher(env.PROXY_SECRET);
 * const tenant = await tenantOf(apiKey);
 * ```
 */
export async function createTenantHasher(
  secret: string,
): Promise<(credential: string) => Promise<string>> {
  const key = await importHmacKey(secret, 'tenant');
  const encoder = new TextEncoder();
  return async (credential) =>
    toBase64Url(new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(credential))));
}

/**
 * The store key of one status for one tenant. The id is percent-encoded, so no id can forge the
 * separator and reach into another tenant's or kind's keys.
 *
 * @example
 * ```ts
 * cacheKey({ tenant, kind: 'document', id: '1d6986aa-80ac-4a4d-9009-5a323c9046b1' });
 * ```
 */
export function cacheKey(parts: { tenant: string; kind: StatusKind; id: string }): string {
  // Ids are nearly always UUIDs, which encoding leaves as they are: the test is cheaper.
  const id = UNRESERVED.test(parts.id) ? parts.id : encodeURIComponent(parts.id);
  return `${parts.tenant}:${parts.kind}:${id}`;
}

/** Characters `encodeURIComponent` never changes (a subset of them). */
const UNRESERVED = /^[\w.~-]*$/;
