import { assertValidId } from '@neurostatus/core';
import type { Context, MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import { getQueryParam } from 'hono/utils/url';
import type { Authenticate, AuthRefusal, Tenant } from './authenticate.ts';
import type { StatusKind } from './cache-key.ts';
import type { ClientRateLimiter } from './client-rate-limiter.ts';
import type { TenancyMode } from './config.ts';
import { type JsonErrorReply, jsonErrorReply, sendJsonError } from './json-error.ts';
import type { EdgeVariables } from './request-context.ts';
import { retryAfterSeconds } from './retry-after-seconds.ts';

/** What a status route's handler finds on `c.var` once {@link admission} let the request in. */
export type AdmittedEnv = { Variables: EdgeVariables & { id: string; tenant: Tenant } };

/**
 * The client's network address, for the per-client rate limit (runtime-specific), from the
 * request and what the runtime's server passed along with it (the app's `env`: Node's
 * `{ incoming }`, Deno's handler info, Bun's server).
 */
export type ClientAddress = (request: Request, env: unknown) => string | undefined;

/** Options of {@link admission}. */
export interface AdmissionOptions {
  readonly kind: StatusKind;
  readonly mode: TenancyMode;
  readonly authenticate: Authenticate;
  /** Absent when the per-client rate limit is off. */
  readonly rateLimiter: ClientRateLimiter | undefined;
  readonly clientAddress: ClientAddress | undefined;
}

/**
 * The checks of {@link admission} as a plain function: `undefined` once the request is admitted
 * (its `id` and `tenant` then on `c.var`), else the refusal to send. It answers without a promise
 * when nothing needs one (a known passthrough key).
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
  const limitFor = (c: Context<AdmittedEnv>) => {
    const refused = limit(c.get('tenant'), c.req.raw, c.env);
    return refused === undefined ? undefined : sendJsonError(c, refused);
  };
  const identified = (c: Context<AdmittedEnv>, outcome: Admitted | JsonErrorReply) => {
    if (!isAdmitted(outcome)) return sendJsonError(c, outcome);
    c.set('tenant', outcome.tenant);
    c.set('id', outcome.id);
    return limitFor(c);
  };
  return (c) => {
    // The pattern as mounted (`/api/v1/document-status/:id`), under whichever prefix matched.
    c.set('route', routePath(c));
    const outcome = identify(c.req.param('id'), c.req.header('authorization'), c.req.url);
    return outcome instanceof Promise
      ? outcome.then((settled) => identified(c, settled))
      : identified(c, outcome);
  };
}

/** A request admitted by {@link AdmissionSteps.identify}: its valid id, and who asks. */
export interface Admitted {
  readonly id: string;
  readonly tenant: Tenant;
}

/** Whether {@link AdmissionSteps.identify} admitted the request (else it is the refusal). */
export function isAdmitted(outcome: Admitted | JsonErrorReply): outcome is Admitted {
  return 'tenant' in outcome;
}

/** See {@link admissionSteps}. */
export interface AdmissionSteps {
  /**
   * The id (400) and the credentials (401/403), from the route's `:id` as routed, the
   * `Authorization` header and the request URL (whose `access_token` is read only without the
   * header); no side effects.
   */
  readonly identify: (
    rawId: string | undefined,
    authorization: string | undefined,
    url: string,
  ) => Admitted | JsonErrorReply | Promise<Admitted | JsonErrorReply>;
  /** The per-client rate limit (429): takes from the client's bucket. */
  readonly limit: (tenant: Tenant, request: Request, env: unknown) => JsonErrorReply | undefined;
}

/**
 * {@link admissionCheck}'s rules as plain functions of what the request presents, for the Hono
 * routes and for the cache-hit fast path that answers before Hono (the one owner of both):
 * `identify` gives the admitted id and tenant or the refusal to send (no promise unless the
 * credential needs crypto); `limit` gives `undefined` to go on, or the 429 to send.
 *
 * @example
 * ```ts
 * const { identify, limit } = admissionSteps({ kind: 'document', ...parts });
 * const outcome = identify(rawId, request.headers.get('authorization') ?? undefined, request.url);
 * ```
 */
export function admissionSteps(options: AdmissionOptions): AdmissionSteps {
  const { kind, mode, authenticate, rateLimiter, clientAddress } = options;
  const identified = (id: string, who: Tenant | AuthRefusal): Admitted | JsonErrorReply => {
    if ('code' in who) return jsonErrorReply(who.code, who.message, who.status);
    return { id, tenant: who };
  };
  return {
    identify(rawId, authorization, url) {
      let id: string;
      try {
        id = assertValidId(rawId, kind);
      } catch (error) {
        return jsonErrorReply('INVALID_ID', (error as Error).message, 400);
      }
      // The query is parsed only without a header: a header wins, and most requests send one.
      // (What `c.req.query('access_token')` reads: one key gives one value.)
      const accessToken =
        authorization === undefined
          ? (getQueryParam(url, 'access_token') as string | undefined)
          : undefined;
      const who = authenticate({ authorization, accessToken }, kind, id);
      return who instanceof Promise
        ? who.then((tenant) => identified(id, tenant))
        : identified(id, who);
    },
    limit(tenant, request, env) {
      if (rateLimiter === undefined) return undefined;
      // Clients are told apart by address; without one (an unknown runtime, a test), only a
      // passthrough tenant is a client of its own: one shared bucket would limit everyone at once.
      const client =
        clientAddress?.(request, env) ??
        (mode === 'passthrough' ? `tenant:${tenant.label}` : undefined);
      const decision = client === undefined ? { allowed: true as const } : rateLimiter.take(client);
      if (decision.allowed) return undefined;
      return jsonErrorReply('RATE_LIMITED', 'Too many requests from this client.', 429, {
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
