import { DocumentStatusSchema, RequestStatusSchema } from '@neurostatus/core';
import type { Env, Hono, MiddlewareHandler } from 'hono';
import { describeRoute, generateSpecs, resolver } from 'hono-openapi';
import * as v from 'valibot';
import type { CompressedBodies } from './compressed-bodies.ts';
import type { TenancyMode } from './config.ts';
import { FAILURE_EVENT } from './event-stream.ts';
import { acceptsGzip } from './status-encoding.ts';

/** The JSON error body of every refusal, as a schema for the OpenAPI document. */
const ErrorBodySchema = v.object({
  error: v.object({
    code: v.pipe(v.string(), v.description('Stable machine-readable code, e.g. INVALID_ID.')),
    message: v.string(),
  }),
});

/** The named schemas of the document (`components.schemas`), from the valibot schemas. */
const SCHEMAS = {
  DocumentStatus: DocumentStatusSchema,
  RequestStatus: RequestStatusSchema,
  ErrorBody: ErrorBodySchema,
} as const;

const schemaRef = (name: keyof typeof SCHEMAS) => ({ $ref: `#/components/schemas/${name}` });
const headerRef = (name: keyof typeof HEADERS) => ({ $ref: `#/components/headers/${name}` });

/** The response headers the proxy sends (`components.headers`). */
const HEADERS = {
  ETag: 'Strong validator of the body (weak, W/, for a gzipped body); send it back in If-None-Match.',
  'Cache-Control':
    "On a status (and a cached 404): `private, max-age=<the entry's whole freshness lifetime>`; subtract Age for what remains (RFC 9111 4.2). `no-store` on errors and operations, `no-cache` on event streams.",
  Age: 'Seconds since the proxy stored this status.',
  'Cache-Status':
    'How the proxy cache answered (RFC 9211): hit, fwd=miss (stored, collapsed), fwd=stale, with ttl and detail.',
  'X-Neurostatus-Stale': 'Present on a stale answer: revalidating, upstream-error or held-off.',
  'Retry-After': 'Seconds to wait before asking again (RFC 9110 10.2.3); capped at 60.',
  'X-Request-Id': "The request's id, for logs (the client's own when it sent a valid one).",
  Vary: '`Accept-Encoding`: the body is gzipped for clients that accept it.',
  'Content-Encoding': '`gzip` when the client accepts it (Accept-Encoding).',
  'WWW-Authenticate': 'On every 401 (RFC 9110 15.5.2): `Bearer realm="neurostatus-edge"`.',
} as const;

const headers = (...names: (keyof typeof HEADERS)[]) =>
  Object.fromEntries(names.map((name) => [name, headerRef(name)]));

/** The headers of a cached answer: a status, its 304, and a cached 404. */
const CACHED = ['ETag', 'Cache-Control', 'Age', 'Cache-Status', 'X-Request-Id', 'Vary'] as const;

const STATUS_HEADERS = headers(...CACHED, 'X-Neurostatus-Stale', 'Content-Encoding');

/** An error answer (never stored: `Cache-Control: no-store`); `extra` headers besides. */
const errorResponse = (description: string, ...extra: (keyof typeof HEADERS)[]) => ({
  description,
  headers: headers('X-Request-Id', 'Cache-Control', ...extra),
  content: { 'application/json': { schema: schemaRef('ErrorBody') } },
});

/** `Last-Event-ID`, which EventSource sends when it reconnects. */
const LAST_EVENT_ID = {
  name: 'Last-Event-ID',
  in: 'header' as const,
  required: false,
  description:
    'The id of the last event received (EventSource sends it when it reconnects): a status the client has is not sent again, and 204 answers a client that has the final one.',
  schema: { type: 'string' as const },
};

/** Responses only the passthrough mode gives: the client's own key is refused or out of credit. */
const PASSTHROUGH_ONLY = ['402'];

/**
 * The OpenAPI description of one status route. The bodies refer to the named schemas of
 * `components.schemas`, which {@link openApiHandler} generates from core's valibot schemas (the
 * same ones that validate upstream answers), so the document cannot drift from what is served.
 *
 * @example
 * ```ts
 * app.get('/api/v1/document-status/:id', describeStatusRoutes('document', 'status'), handler);
 * ```
 */
export function describeStatusRoutes(
  kind: 'document' | 'request',
  shape: 'status' | 'events',
): MiddlewareHandler {
  const schema = schemaRef(kind === 'document' ? 'DocumentStatus' : 'RequestStatus');
  const ok =
    shape === 'status'
      ? {
          description: `The ${kind} status, as the Neurolinker API returns it, from the cache when fresh.`,
          headers: STATUS_HEADERS,
          content: { 'application/json': { schema } },
        }
      : {
          description: `Server-Sent Events: \`status\` events (data: the ${kind} status JSON, id: its ETag) on each change, then \`end\` after the terminal status, or \`${FAILURE_EVENT}\` (data: the JSON error body) when the feed fails. Heartbeat comments keep the connection open; send Last-Event-ID to resume.`,
          headers: headers('X-Request-Id', 'Cache-Control'),
          content: { 'text/event-stream': { schema: { type: 'string' as const } } },
        };
  return describeRoute({
    tags: [kind === 'document' ? 'Documents' : 'Requests'],
    summary:
      shape === 'status' ? `Get a ${kind}'s status` : `Follow a ${kind}'s status as it changes`,
    parameters: [
      { name: 'id', in: 'path', required: true, schema: { type: 'string', maxLength: 128 } },
      ...(shape === 'events' ? [LAST_EVENT_ID] : []),
    ],
    responses: {
      200: ok,
      ...(shape === 'status'
        ? {
            304: {
              description: 'Not modified (If-None-Match).',
              headers: headers(...CACHED, 'X-Neurostatus-Stale'),
            },
          }
        : {
            204: {
              description:
                'The client already has the final status (Last-Event-ID): stop reconnecting.',
              headers: headers('X-Request-Id', 'Cache-Control'),
            },
            503: errorResponse(
              'TOO_MANY_STREAMS: the proxy has no room for another stream.',
              'Retry-After',
            ),
          }),
      400: errorResponse('INVALID_ID: the id is malformed; nothing was sent upstream.'),
      ...(shape === 'status' ? statusFailures() : streamRefusals()),
    },
  });
}

/** The refusals and upstream failures of a status read. */
function statusFailures() {
  return {
    401: errorResponse(
      'MISSING_CREDENTIALS or INVALID_TOKEN (nothing was sent upstream), or UPSTREAM_UNAUTHORIZED: the upstream refused the key.',
      'WWW-Authenticate',
    ),
    402: errorResponse(
      'UPSTREAM_PAYMENT_REQUIRED: the Neurolinker account of this key has no credits left.',
    ),
    403: errorResponse('The token does not name this id, or the upstream refused this key.'),
    404: {
      description: 'NOT_FOUND: no such id (or not visible yet); cached briefly.',
      headers: headers(...CACHED),
      content: { 'application/json': { schema: schemaRef('ErrorBody') } },
    },
    429: errorResponse(
      'Rate limited (per client, or held off after an upstream 429); see Retry-After.',
      'Retry-After',
    ),
    502: errorResponse(
      'The upstream failed or sent an invalid answer, and no stale status was available.',
    ),
    504: errorResponse('The upstream timed out and no stale status was available.'),
  };
}

/**
 * The answers that open no event stream. Upstream failures during a stream arrive as its
 * `failure` event; the reconnect that follows a refusal asking again cannot change (for 30 s)
 * gets it as an answer, which stops EventSource.
 */
function streamRefusals() {
  return {
    401: errorResponse(
      'MISSING_CREDENTIALS or INVALID_TOKEN (nothing was sent upstream), or, on a reconnect after such a `failure`, UPSTREAM_UNAUTHORIZED: the upstream refused the key.',
      'WWW-Authenticate',
    ),
    402: errorResponse(
      'UPSTREAM_PAYMENT_REQUIRED, on a reconnect after such a `failure`: the Neurolinker account of this key has no credits left.',
    ),
    403: errorResponse(
      'The token does not name this id, or, on a reconnect after such a `failure`, the upstream refused this key (UPSTREAM_FORBIDDEN).',
    ),
    404: errorResponse(
      'NOT_FOUND: a stream for this id ended with a `failure` NOT_FOUND in the last 30 s (the id never appeared): EventSource stops.',
    ),
    429: errorResponse('RATE_LIMITED: this client asks too often; see Retry-After.', 'Retry-After'),
    502: errorResponse(
      "UPSTREAM_CREDENTIALS_REJECTED, on a reconnect after such a `failure`: the upstream refused the proxy's key or account.",
    ),
  };
}

/** Options of {@link openApiHandler}. */
export interface OpenApiOptions {
  /** The tenancy mode: which credentials the document asks for, and which answers exist. */
  readonly mode: TenancyMode;
  /** Gzips the document once for clients that accept it; omitted where the runtime compresses. */
  readonly compressed?: CompressedBodies | undefined;
}

// biome-ignore lint/suspicious/noExplicitAny: an OpenAPI document is walked as plain JSON here.
type Json = any;

/** Security schemes and requirements per tenancy mode. */
function security(mode: TenancyMode): { schemes: Json; requirements: Json[] } {
  if (mode === 'open') return { schemes: {}, requirements: [] };
  if (mode === 'passthrough') {
    return {
      schemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'A Neurolinker API key (nl_...).' },
      },
      requirements: [{ bearer: [] }],
    };
  }
  return {
    schemes: {
      bearer: {
        type: 'http',
        scheme: 'bearer',
        description: 'A status token minted by your backend.',
      },
      accessToken: {
        type: 'apiKey',
        in: 'query',
        name: 'access_token',
        description:
          'The status token in the query, for clients that cannot send headers (EventSource).',
      },
    },
    requirements: [{ bearer: [] }, { accessToken: [] }],
  };
}

/** The operations that are not status routes: open to anyone, no credentials. */
function operationPaths(): Json {
  const operation = (description: string, type: string, schema: Json) => ({
    description,
    headers: headers('X-Request-Id', 'Cache-Control'),
    content: { [type]: { schema } },
  });
  const notFound = { 404: errorResponse('ROUTE_NOT_FOUND: no such route.') };
  return {
    '/healthz': {
      get: {
        operationId: 'getHealthz',
        tags: ['Operations'],
        summary: 'Liveness: the proxy answers',
        security: [],
        responses: {
          200: operation(
            'The proxy is up; its tenancy mode and upstream kind.',
            'application/json',
            {
              type: 'object',
              properties: {
                status: { type: 'string', const: 'ok' },
                mode: { type: 'string', enum: ['passthrough', 'scoped-token', 'open'] },
                upstream: { type: 'string', enum: ['api', 'simulator'] },
              },
              required: ['status', 'mode', 'upstream'],
            },
          ),
          ...notFound,
        },
      },
    },
    '/metrics': {
      get: {
        operationId: 'getMetrics',
        tags: ['Operations'],
        summary: 'Prometheus metrics',
        security: [],
        responses: {
          200: operation('Prometheus text exposition format 0.0.4.', 'text/plain', {
            type: 'string',
          }),
          ...notFound,
        },
      },
    },
    '/openapi.json': {
      get: {
        operationId: 'getOpenApi',
        tags: ['Operations'],
        summary: 'This document',
        security: [],
        responses: {
          200: {
            description: 'The OpenAPI document of this proxy (OpenAPI 3.1).',
            headers: headers('X-Request-Id', 'Vary', 'Content-Encoding'),
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: { openapi: { type: 'string' }, paths: { type: 'object' } },
                  required: ['openapi', 'paths'],
                },
              },
            },
          },
          ...notFound,
        },
      },
    },
  };
}

/**
 * `access_token`, the status token in the query (scoped-token mode): declared as a parameter as
 * well as a security scheme, so that generated clients can send it.
 */
const ACCESS_TOKEN = {
  name: 'access_token',
  in: 'query',
  required: false,
  description:
    'The status token, for clients that cannot send an Authorization header (EventSource). Prefer the header: URLs end up in logs.',
  schema: { type: 'string' },
};

/**
 * Adds the HEAD twin of every status GET (same answers, no body), the `access_token` parameter
 * where tokens are used, and drops other modes' answers.
 */
function finishStatusPaths(paths: Json, mode: TenancyMode): void {
  for (const item of Object.values(paths) as Json[]) {
    const get = item.get;
    if (get === undefined) continue;
    if (mode !== 'passthrough') for (const code of PASSTHROUGH_ONLY) delete get.responses[code];
    if (mode === 'scoped-token') get.parameters = [...(get.parameters ?? []), ACCESS_TOKEN];
    const responses = Object.fromEntries(
      Object.entries(get.responses as Record<string, Json>).map(([code, response]) => {
        const { content: _body, ...rest } = response;
        return [code, rest];
      }),
    );
    item.head = {
      ...get,
      operationId: String(get.operationId).replace(/^get/, 'head'),
      summary: `${get.summary} (headers only)`,
      responses,
    };
  }
}

/** The whole document, generated from the routes of `app` and the valibot schemas. */
async function openApiDocument<E extends Env>(app: Hono<E>, mode: TenancyMode): Promise<Json> {
  const { schemes, requirements } = security(mode);
  const doc: Json = await generateSpecs(app, {
    documentation: {
      info: {
        title: 'neurostatus edge',
        version: '0.0.0',
        license: { name: 'MIT', identifier: 'MIT' },
        description: `A cached, coalescing, tenant-safe proxy for the Neurolinker status API, in \`${mode}\` mode.`,
      },
      servers: [
        { url: '/', description: 'This proxy (paths are relative to where it is served).' },
      ],
      tags: [
        { name: 'Documents', description: 'One document: status and event stream.' },
        {
          name: 'Requests',
          description: 'One request (a batch of documents): status and event stream.',
        },
        { name: 'Operations', description: 'Health, metrics and this document.' },
      ],
      components: {
        securitySchemes: schemes,
        headers: Object.fromEntries(
          Object.entries(HEADERS).map(([name, description]) => [
            name,
            { description, schema: { type: 'string' } },
          ]),
        ),
      },
      // Open mode asks for nothing: an empty list says so (no security is not "forgot to say").
      security: requirements,
    },
  });
  doc.components.schemas = {};
  for (const [name, schema] of Object.entries(SCHEMAS)) {
    doc.components.schemas[name] = (await resolver(schema).toOpenAPISchema()).schema;
  }
  finishStatusPaths(doc.paths, mode);
  Object.assign(doc.paths, operationPaths());
  return doc;
}

/**
 * The handler of `GET /openapi.json`: the document for this tenancy mode, generated once (on
 * first use) from the routes of `app` and core's valibot schemas, and gzipped once for clients
 * that accept it when `compressed` is given.
 *
 * @example
 * ```ts
 * app.get('/openapi.json', openApiHandler(app, { mode: config.mode }));
 * ```
 */
export function openApiHandler<E extends Env>(
  app: Hono<E>,
  options: OpenApiOptions,
): MiddlewareHandler<E> {
  let text: Promise<string> | undefined;
  return async (c) => {
    text ??= openApiDocument(app, options.mode).then((doc) => JSON.stringify(doc));
    const body = await text;
    const base = { 'content-type': 'application/json; charset=utf-8' };
    if (options.compressed === undefined) return c.body(body, 200, base);
    const vary = { ...base, vary: 'Accept-Encoding' };
    // The key cannot collide with an ETag (those are quoted digests).
    const gzipped = acceptsGzip(c.req.header('accept-encoding'))
      ? await options.compressed.gzipped('openapi.json', body)
      : undefined;
    return gzipped === undefined
      ? c.body(body, 200, vary)
      : c.body(gzipped, 200, { ...vary, 'content-encoding': 'gzip' });
  };
}
