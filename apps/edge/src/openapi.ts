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
    "`private, max-age=<the entry's whole freshness lifetime>`; subtract Age for what remains (RFC 9111 4.2).",
  Age: 'Seconds since the proxy stored this status.',
  'Cache-Status':
    'How the proxy cache answered (RFC 9211): hit, fwd=miss (stored, collapsed), fwd=stale, with ttl and detail.',
  'X-Neurostatus-Stale': 'Present on a stale answer: revalidating, upstream-error or held-off.',
  'Retry-After': 'Seconds to wait before asking again (RFC 9110 10.2.3); capped at 60.',
  'X-Request-Id': "The request's id, for logs (the client's own when it sent a valid one).",
} as const;

const headers = (...names: (keyof typeof HEADERS)[]) =>
  Object.fromEntries(names.map((name) => [name, headerRef(name)]));

const STATUS_HEADERS = headers(
  'ETag',
  'Cache-Control',
  'Age',
  'Cache-Status',
  'X-Neurostatus-Stale',
  'X-Request-Id',
);

const errorResponse = (description: string, ...extra: (keyof typeof HEADERS)[]) => ({
  description,
  headers: headers('X-Request-Id', ...extra),
  content: { 'application/json': { schema: schemaRef('ErrorBody') } },
});

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
          headers: headers('X-Request-Id'),
          content: { 'text/event-stream': { schema: { type: 'string' as const } } },
        };
  return describeRoute({
    tags: [kind === 'document' ? 'Documents' : 'Requests'],
    summary:
      shape === 'status' ? `Get a ${kind}'s status` : `Follow a ${kind}'s status as it changes`,
    parameters: [
      { name: 'id', in: 'path', required: true, schema: { type: 'string', maxLength: 128 } },
    ],
    responses: {
      200: ok,
      ...(shape === 'status'
        ? {
            304: {
              description: 'Not modified (If-None-Match).',
              headers: headers('ETag', 'Cache-Control', 'Age', 'Cache-Status'),
            },
          }
        : {
            204: {
              description:
                'The client already has the final status (Last-Event-ID): stop reconnecting.',
            },
            503: errorResponse(
              'TOO_MANY_STREAMS: the proxy has no room for another stream.',
              'Retry-After',
            ),
          }),
      400: errorResponse('INVALID_ID: the id is malformed; nothing was sent upstream.'),
      401: errorResponse('Missing or refused credentials; nothing was sent upstream.'),
      402: errorResponse(
        'UPSTREAM_PAYMENT_REQUIRED: the Neurolinker account of this key has no credits left.',
      ),
      403: errorResponse('The token does not name this id, or the upstream refused this key.'),
      404: errorResponse(
        shape === 'status'
          ? 'NOT_FOUND: no such id (cached briefly).'
          : 'NOT_FOUND: no such id; a stream that ended with `failure` for an unknown id is answered so on reconnect, which stops EventSource.',
      ),
      429: errorResponse(
        'Rate limited (per client, or held off after an upstream 429); see Retry-After.',
        'Retry-After',
      ),
      502: errorResponse(
        'The upstream failed or sent an invalid answer, and no stale status was available.',
      ),
      504: errorResponse('The upstream timed out and no stale status was available.'),
    },
  });
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
  const text = (description: string, type: string) => ({
    description,
    content: { [type]: { schema: { type: 'string' } } },
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
          200: {
            description: 'The proxy is up; its tenancy mode and upstream kind.',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: {
                    status: { type: 'string', const: 'ok' },
                    mode: { type: 'string', enum: ['passthrough', 'scoped-token', 'open'] },
                    upstream: { type: 'string', enum: ['api', 'simulator'] },
                  },
                  required: ['status', 'mode', 'upstream'],
                },
              },
            },
          },
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
          200: text('Prometheus text exposition format 0.0.4.', 'text/plain'),
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
          200: text('The OpenAPI document of this proxy.', 'application/json'),
          ...notFound,
        },
      },
    },
  };
}

/** Adds the HEAD twin of every status GET (same answers, no body) and drops other modes' answers. */
function finishStatusPaths(paths: Json, mode: TenancyMode): void {
  for (const item of Object.values(paths) as Json[]) {
    const get = item.get;
    if (get === undefined) continue;
    if (mode !== 'passthrough') for (const code of PASSTHROUGH_ONLY) delete get.responses[code];
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
