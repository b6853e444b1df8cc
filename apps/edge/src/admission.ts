import { assertValidId } from '@neurostatus/core';
import type { Context, MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import type { Authenticate, Tenant } from './authenticate.ts';
import type { StatusKind } from './cache-key.ts';
import type { ClientRateLimiter } from './client-rate-limiter.ts';
import type { TenancyMode } from './config.ts';
import { jsonError } from './json-error.ts';
import type { EdgeVariables } from './request-context.ts';

/** What a status route's handler finds on `c.var` once {@link admission} let the request in. */
export type AdmittedEnv = { Variables: EdgeVariables & { id: string; tenant: Tenant } };

/** Options of {@link admission}. */
export interface AdmissionOptions {
  readonly kind: StatusKind;
  readonly mode: TenancyMode;
  readonly authenticate: Authenticate;
  /** Absent when the per-client rate limit is off. */
  readonly rateLimiter: ClientRateLimiter | undefined;
  /** The client's network address (runtime-specific). */
  readonly clientAddress: ((c: Context) => string | undefined) | undefined;
}

/**
 * The checks every status route makes, in order, before anything reaches the upstream: a valid
 * id (400), credentials (401/403), the per-client rate limit (429). An admitted request finds its
 * `id` and `tenant` on `c.var`; the route pattern goes on `c.var.route` first, so refusals are
 * counted under their route.
 *
 * @example
 * ```ts
 * routes.get('/document-status/:id', admission({ kind: 'document', ...parts }), (c) =>
 *   c.text(c.var.id),
 * );
 * ```
 */
export function admission(options: AdmissionOptions): MiddlewareHandler<AdmittedEnv> {
  const { kind, mode, authenticate, rateLimiter, clientAddress } = options;
  return async (c, next) => {
    // The pattern as mounted (`/api/v1/document-status/:id`), under whichever prefix matched.
    c.set('route', routePath(c));
    let id: string;
    try {
      id = assertValidId(c.req.param('id'), kind);
    } catch (error) {
      return jsonError(c, 'INVALID_ID', (error as Error).message, 400);
    }
    const authorization = c.req.header('authorization');
    // The query is parsed only without a header: a header wins, and most requests send one.
    const accessToken = authorization === undefined ? c.req.query('access_token') : undefined;
    const answer = authenticate({ authorization, accessToken }, kind, id);
    const who = answer instanceof Promise ? await answer : answer;
    if ('code' in who) {
      const headers: Record<string, string> =
        who.status === 401 ? { 'www-authenticate': 'Bearer realm="neurostatus-edge"' } : {};
      return jsonError(c, who.code, who.message, who.status, headers);
    }
    c.set('tenant', who);
    if (rateLimiter !== undefined) {
      // Clients are told apart by address; without one (an unknown runtime, a test), only a
      // passthrough tenant is a client of its own: one shared bucket would limit everyone at once.
      const client =
        clientAddress?.(c) ?? (mode === 'passthrough' ? `tenant:${who.label}` : undefined);
      const decision = client === undefined ? { allowed: true as const } : rateLimiter.take(client);
      if (!decision.allowed) {
        return jsonError(c, 'RATE_LIMITED', 'Too many requests from this client.', 429, {
          'retry-after': String(Math.max(1, Math.ceil(decision.retryAfterMs / 1000))),
        });
      }
    }
    c.set('id', id);
    await next();
  };
}
