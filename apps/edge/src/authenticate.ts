import type { NeurolinkerClient } from '@neurostatus/core';
import { bearerKey } from './bearer-key.ts';
import type { StatusKind } from './cache-key.ts';
import { createTenantHasher } from './cache-key.ts';
import type { TenancyMode } from './config.ts';
import { importHmacKey } from './hmac-key.ts';
import { StatusTokenError, verifyStatusToken } from './status-token.ts';
import type { UpstreamClients } from './upstream-clients.ts';

/** Who is asking, once authenticated: which cache entries they may share, and which client asks upstream. */
export interface Tenant {
  /** The tenant part of cache keys: an HMAC of the client's key, or `shared`. Never a secret. */
  readonly cacheTenant: string;
  readonly client: NeurolinkerClient;
  /** What logs and rate limits call this tenant: `shared`, or the first 12 characters of the HMAC. */
  readonly label: string;
  /** When the credential stops being valid (a status token's expiry), epoch ms. */
  readonly expiresAt?: number;
}

/** A refusal, before any upstream call. */
export interface AuthRefusal {
  readonly status: 401 | 403;
  readonly code: 'MISSING_CREDENTIALS' | 'INVALID_CREDENTIALS' | 'INVALID_TOKEN' | 'FORBIDDEN';
  readonly message: string;
}

/** What a request presents: its `Authorization` header and its `access_token` query parameter. */
export interface Credentials {
  readonly authorization: string | undefined;
  /** For `EventSource`, which cannot send headers. */
  readonly accessToken: string | undefined;
}

/** Options of {@link createAuthenticator}. */
export interface AuthenticatorOptions {
  readonly mode: TenancyMode;
  readonly secret: string;
  readonly clients: UpstreamClients;
  /** The proxy's own key: used in `scoped-token` and `open` modes. */
  readonly apiKey: string | undefined;
  readonly now: () => number;
}

/**
 * See {@link createAuthenticator}. Answers at once (no promise) when it needs no crypto: a
 * passthrough key seen recently, or `open` mode; a caller awaits only a promise.
 */
export type Authenticate = (
  credentials: Credentials,
  kind: StatusKind,
  id: string,
) => Tenant | AuthRefusal | Promise<Tenant | AuthRefusal>;

/** Client keys whose tenant digest is remembered (passthrough). */
const MAX_REMEMBERED_KEYS = 1_000;

function bearerOf(credentials: Credentials): string | undefined {
  if (credentials.authorization !== undefined) return bearerKey(credentials.authorization);
  return credentials.accessToken;
}

const missing: AuthRefusal = {
  status: 401,
  code: 'MISSING_CREDENTIALS',
  message: 'Send Authorization: Bearer <credential>.',
};

/**
 * Decides, before anything reaches the upstream, who a request is and what it may read:
 * - `passthrough`: the bearer is the client's own Neurolinker key; its HMAC under the server
 *   secret separates cache entries, so clients with different keys never share one;
 * - `scoped-token`: the bearer (or `access_token`, for EventSource) is a status token; a missing,
 *   malformed, forged or expired one is 401, an id it does not name is 403;
 * - `open`: anyone, through the proxy's key.
 *
 * @example
 * ```ts
 * const authenticate = await createAuthenticator({ mode, secret, clients, apiKey, now });
 * const who = await authenticate({ authorization, accessToken: undefined }, 'document', id);
 * if ('status' in who) return refuse(who);
 * ```
 */
export async function createAuthenticator(options: AuthenticatorOptions): Promise<Authenticate> {
  const { mode, clients, apiKey, now } = options;
  // One tenant for everyone who reads through the proxy's key: made once, not per request.
  let sharedTenant: Tenant | undefined;
  const shared = (): Tenant => {
    if (apiKey === undefined) throw new TypeError('The proxy has no upstream key for this mode.');
    sharedTenant ??= {
      cacheTenant: 'shared',
      client: clients.clientFor('shared', apiKey),
      label: 'shared',
    };
    return sharedTenant;
  };

  if (mode === 'open') return () => shared();

  if (mode === 'scoped-token') {
    const tokenKey = await importHmacKey(options.secret, 'status-token');
    return async (credentials, kind, id) => {
      const token = bearerOf(credentials);
      if (token === undefined) return missing;
      try {
        const claims = await verifyStatusToken(tokenKey, token, now());
        const allowed = kind === 'document' ? claims.documentIds : claims.requestIds;
        if (!allowed.includes(id)) {
          return {
            status: 403,
            code: 'FORBIDDEN',
            message: `The token does not name this ${kind}.`,
          };
        }
        return { ...shared(), expiresAt: claims.expiresAt };
      } catch (error) {
        if (!(error instanceof StatusTokenError)) throw error;
        return { status: 401, code: 'INVALID_TOKEN', message: error.message };
      }
    };
  }

  const hash = await createTenantHasher(options.secret);
  // An HMAC per request is a tenth of a cache hit's cost: remember the tenants of recent
  // `Authorization` headers (in memory only, like the upstream clients that hold the same keys), so
  // a known one is answered without parsing, without crypto and without a promise.
  const known = new Map<string, { readonly key: string; tenant: Tenant }>();
  const tenantFor = (authorization: string, key: string, cacheTenant: string): Tenant => {
    const client = clients.clientFor(cacheTenant, key);
    let seen = known.get(authorization);
    if (seen === undefined) {
      seen = { key, tenant: { cacheTenant, client, label: cacheTenant.slice(0, 12) } };
      known.set(authorization, seen);
      if (known.size > MAX_REMEMBERED_KEYS) known.delete(known.keys().next().value as string);
    } else if (seen.tenant.client !== client) {
      // The clients' LRU replaced the client since: the tenant follows it.
      seen.tenant = { cacheTenant, client, label: seen.tenant.label };
    }
    return seen.tenant;
  };
  return (credentials) => {
    const { authorization } = credentials;
    if (authorization === undefined) return missing;
    const seen = known.get(authorization);
    if (seen !== undefined) return tenantFor(authorization, seen.key, seen.tenant.cacheTenant);
    const key = bearerOf(credentials);
    if (key === undefined) return missing;
    if (key.length > 256) {
      return { status: 401, code: 'INVALID_CREDENTIALS', message: 'That is not an API key.' };
    }
    return hash(key).then((cacheTenant) => tenantFor(authorization, key, cacheTenant));
  };
}
