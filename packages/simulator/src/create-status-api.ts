import { type Context, Hono } from 'hono';
import { applyDrift } from './apply-drift.ts';
import { documentStatusPayload } from './document-status-payload.ts';
import { detailResponse, htmlErrorResponse, reasonPhrase } from './error-responses.ts';
import type { FaultQueue } from './fault-queue.ts';
import type { RequestStats } from './request-stats.ts';
import { requestStatusPayload } from './request-status-payload.ts';
import type { SimulationStore } from './simulation-store.ts';
import type { ResolvedSimulatorOptions } from './simulator-options.ts';

/**
 * The Hono environment of the simulator's apps.
 *
 * @example
 * ```ts
 * const app = new Hono<SimulatorEnv>();
 * ```
 */
export interface SimulatorEnv {
  Variables: {
    /** Set when no response reaches the client (dropped or hung), so it is not counted. */
    unanswered: boolean;
  };
}

/**
 * What the status API reads from the simulator that owns it.
 *
 * @example
 * ```ts
 * const context: StatusApiContext = { ...parts, store: () => store, nowMs: () => clock.now() };
 * ```
 */
export interface StatusApiContext {
  readonly options: ResolvedSimulatorOptions;
  readonly faults: FaultQueue;
  readonly stats: RequestStats;
  store(): SimulationStore;
  nowMs(): number;
  /** Resolves when `signal` aborts or the simulator is closed. */
  waitForRelease(signal: AbortSignal): Promise<void>;
}

type StatusRoute = 'document-status' | 'request-status';

const ROUTES: readonly StatusRoute[] = ['document-status', 'request-status'];
const NOT_FOUND: Record<StatusRoute, string> = {
  'document-status': 'Document not found',
  'request-status': 'Request not found',
};
/** RFC 6750 3: a bearer-protected resource names its scheme when it refuses a request. */
const UNAUTHORIZED_HEADERS = { 'www-authenticate': 'Bearer' };
const BEARER = /^Bearer +(\S+) *$/i;

/**
 * Creates the fake status API (both routes, without prefix): gateway faults first, then
 * authentication, then tenancy-aware lookups rendered at the simulated time of the request.
 *
 * @example
 * ```ts
 * const api = createStatusApi(context);
 * app.route('/api/v1', api);
 * app.route('/v1', api);
 * ```
 */
export function createStatusApi(context: StatusApiContext): Hono<SimulatorEnv> {
  const api = new Hono<SimulatorEnv>();
  for (const route of ROUTES) {
    api.get(`/${route}/:id`, (c) => serveStatus(c, route, context));
    api.all(`/${route}/:id`, (c) => {
      context.stats.recordRoute(route, c.req.param('id') ?? '');
      return detailResponse(405, reasonPhrase(405), { allow: 'GET' });
    });
  }
  return api;
}

async function serveStatus(
  c: Context<SimulatorEnv>,
  route: StatusRoute,
  context: StatusApiContext,
): Promise<Response> {
  // The router only matches non-empty segments; the fallback keeps the type honest.
  const id = c.req.param('id') ?? '';
  context.stats.recordRoute(route, id);
  const queued = context.faults.match(route, id);
  if (queued === undefined) return toResponse(realResult(c, route, id, context));
  const { fault } = queued;
  const signal = c.req.raw.signal;
  switch (fault.kind) {
    case 'status': {
      context.faults.consume(queued);
      const headers: Record<string, string> = {};
      if (fault.retryAfter !== undefined) headers['retry-after'] = fault.retryAfter;
      if (fault.retryAfterMs !== undefined) headers['retry-after-ms'] = String(fault.retryAfterMs);
      return fault.body === 'html'
        ? htmlErrorResponse(fault.status, headers)
        : detailResponse(fault.status, reasonPhrase(fault.status), headers);
    }
    case 'html':
      context.faults.consume(queued);
      return htmlErrorResponse(502);
    case 'delay':
      context.faults.consume(queued);
      await context.options.sleep(fault.ms, signal);
      return toResponse(realResult(c, route, id, context));
    case 'hang':
      context.faults.consume(queued);
      await context.waitForRelease(signal);
      c.set('unanswered', true);
      return detailResponse(503, reasonPhrase(503));
    case 'drop': {
      context.faults.consume(queued);
      const dropped = context.options.dropConnection?.(c.req.raw, c.env);
      if (dropped === undefined) return htmlErrorResponse(502);
      c.set('unanswered', true);
      return dropped;
    }
    case 'malformed-json':
    case 'drift': {
      const real = realResult(c, route, id, context);
      // Payload faults only alter a real success; they wait while the real answer is an error.
      if (real.status !== 200 || !('payload' in real)) return toResponse(real);
      context.faults.consume(queued);
      if (fault.kind === 'drift') {
        return Response.json(applyDrift(real.payload, fault.drift));
      }
      const text = JSON.stringify(real.payload);
      return new Response(text.slice(0, Math.floor(text.length / 2)), {
        headers: { 'content-type': 'application/json' },
      });
    }
  }
}

type RealResult =
  | {
      status: 200;
      payload: ReturnType<typeof documentStatusPayload> | ReturnType<typeof requestStatusPayload>;
    }
  | { status: 401 | 404; detail: string };

function realResult(
  c: Context<SimulatorEnv>,
  route: StatusRoute,
  id: string,
  context: StatusApiContext,
): RealResult {
  const key = BEARER.exec(c.req.header('authorization') ?? '')?.[1];
  const account = key === undefined ? undefined : context.store().accountOf(key);
  if (account === undefined) return { status: 401, detail: 'Invalid or missing API key' };
  const { webBaseUrl } = context.options;
  const nowMs = context.nowMs();
  if (route === 'document-status') {
    const record = context.store().findDocument(id, account.userUid, nowMs);
    // Another account's document gets the very same 404 as an unknown id: existence must not leak.
    if (record === undefined) return { status: 404, detail: NOT_FOUND[route] };
    return { status: 200, payload: documentStatusPayload(record, nowMs, webBaseUrl) };
  }
  const found = context.store().findRequest(id, account.userUid, nowMs);
  if (found === undefined) return { status: 404, detail: NOT_FOUND[route] };
  return {
    status: 200,
    payload: requestStatusPayload(found.request, found.documents, nowMs, webBaseUrl),
  };
}

function toResponse(result: RealResult): Response {
  if (result.status === 200) return Response.json(result.payload);
  return detailResponse(
    result.status,
    result.detail,
    result.status === 401 ? UNAUTHORIZED_HEADERS : {},
  );
}
