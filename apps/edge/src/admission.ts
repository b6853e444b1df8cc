import { assertValidId } from '@neurostatus/core';
import type { Context, MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import type { Authenticate, AuthRefusal, Tenant } from './authenticate.ts';
import type { StatusKind } from './cache-key.ts';
import type { ClientRateLimiter } from './client-rate-limiter.ts';
import type { TenancyMode } from './config.ts';
import { jsonError } from './json-error.ts';
import type { EdgeVariables } from './request-context.ts';
import { retryAfterSeconds } from './retry-after-seconds.ts';

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
 * The checks of {@link admission} as a plain function: `undefined` once the request is admitted
 * (its `id` and `tenant` then on `c.var`), else the refusal to send. It answers without a promise
 * when nothing needs one (a known passthrough key), so the cache-hit route calls it directly,
 * without a middleware step of its own.
 */
export type AdmissionCheck = (
  c: Context<AdmittedEnv>,
) => Response | undefined | Promise<Response | undefined>;

/**
 * The checks every status route makes, in order, before anything reaches the upstream: a valid
 * id (400), credentials (401/403), the per-client rate limit (429). The route pattern goes on
 * `c.var.route` first, so refusals are counted under their route.
 *
 * @example
 * ```ts
 * const check = admissionCheck({ kind: 'document', ...parts });
 * const refused = check(c);
 * ```
 */
export function admissionCheck(options: AdmissionOptions): AdmissionCheck {
  const { identify, limit } = admissionSteps(options);
  return (c) => {
    const identified = identify(c);
    if (identified instanceof Promise) {
      return identified.then((refused) => refused ?? limit(c));
    }
    return identified ?? limit(c);
  };
}

/** See {@link admissionSteps}. */
export interface AdmissionSteps {
  readonly identify: AdmissionCheck;
  readonly limit: (c: Context<AdmittedEnv>) => Response | undefined;
}

/**
 * {@link admissionCheck} in its two steps, for a caller that decides between them: `identify`
 * (route pattern, id, credentials: no side effects; the `id` and `tenant` then on `c.var`) and
 * `limit` (takes from the client's rate-limit bucket). Each gives `undefined` to go on, or the
 * refusal to send.
 */
export function admissionSteps(options: AdmissionOptions): AdmissionSteps {
  const { kind, mode, authenticate, rateLimiter, clientAddress } = options;
  const identified = (c: Context<AdmittedEnv>, id: string, who: Tenant | AuthRefusal) => {
    if ('code' in who) {
      const headers: Record<string, string> =
        who.status === 401 ? { 'www-authenticate': 'Bearer realm="neurostatus-edge"' } : {};
      return jsonError(c, who.code, who.message, who.status, headers);
    }
    c.set('tenant', who);
    c.set('id', id);
    return undefined;
  };
  return {
    identify(c) {
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
      const who = authenticate({ authorization, accessToken }, kind, id);
      return who instanceof Promise
        ? who.then((tenant) => identified(c, id, tenant))
        : identified(c, id, who);
    },
    limit(c) {
      if (rateLimiter === undefined) return undefined;
      // Clients are told apart by address; without one (an unknown runtime, a test), only a
      // passthrough tenant is a client of its own: one shared bucket would limit everyone at once.
      const label = c.get('tenant').label;
      const client = clientAddress?.(c) ?? (mode === 'passthrough' ? `tenant:${label}` : undefined);
      const decision = client === undefined ? { allowed: true as const } : rateLimiter.take(client);
      if (decision.allowed) return undefined;
      return jsonError(c, 'RATE_LIMITED', 'Too many requests from this client.', 429, {
        'retry-after': retryAfterSeconds(decision.retryAfterMs),
      });
    },
  };
}

/**
 * {@link admissionCheck} as a middleware: an admitted request finds its `id` and `tenant` on
 * `c.var`.
 *
 * @example
 * ```ts
 * routes.get('/document-status/:id/events', admission({ kind: 'document', ...parts }), (c) =>
 *   c.text(c.var.id),
 * );
 * ```
 */
export function admission(options: AdmissionOptions): MiddlewareHandler<AdmittedEnv> {
  const check = admissionCheck(options);
  return async (c, next) => {
    const refused = await check(c);
    if (refused !== undefined) return refused;
    await next();
  };
}
