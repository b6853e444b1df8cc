import { DocumentStatusSchema, RequestStatusSchema } from '@neurostatus/core';
import type { Env, Hono, MiddlewareHandler } from 'hono';
import { describeRoute, openAPIRouteHandler, resolver } from 'hono-openapi';
import * as v from 'valibot';

/** The JSON error body of every refusal, as a schema for the OpenAPI document. */
const ErrorBodySchema = v.object({
  error: v.object({
    code: v.pipe(v.string(), v.description('Stable machine-readable code, e.g. INVALID_ID.')),
    message: v.string(),
  }),
});

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: resolver(ErrorBodySchema) } },
});

/**
 * The OpenAPI description of one status route, from core's valibot schemas (the same ones that
 * validate upstream answers), so the document cannot drift from what the proxy serves.
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
  const schema = kind === 'document' ? DocumentStatusSchema : RequestStatusSchema;
  const ok =
    shape === 'status'
      ? {
          description: `The ${kind} status, as the Neurolinker API returns it, from the cache when fresh. Carries ETag, Age, Cache-Control (private, max-age) and Cache-Status (RFC 9211).`,
          content: { 'application/json': { schema: resolver(schema) } },
        }
      : {
          description: `Server-Sent Events: \`status\` events (data: the ${kind} status JSON, id: its ETag) on each change, then \`end\` after the terminal status, or \`error\`. Heartbeat comments keep the connection open; send Last-Event-ID to resume.`,
          content: { 'text/event-stream': { schema: { type: 'string' as const } } },
        };
  return describeRoute({
    tags: [kind === 'document' ? 'Documents' : 'Requests'],
    summary:
      shape === 'status' ? `Get a ${kind}'s status` : `Follow a ${kind}'s status as it changes`,
    parameters: [
      { name: 'id', in: 'path', required: true, schema: { type: 'string', maxLength: 128 } },
      {
        name: 'access_token',
        in: 'query',
        required: false,
        description: 'A status token, for clients that cannot send headers (EventSource).',
        schema: { type: 'string' },
      },
    ],
    responses: {
      200: ok,
      ...(shape === 'status'
        ? { 304: { description: 'Not modified (If-None-Match).' } }
        : {
            204: {
              description:
                'The client already has the final status (Last-Event-ID): stop reconnecting.',
            },
            503: errorResponse('TOO_MANY_STREAMS: the proxy has no room for another stream.'),
          }),
      400: errorResponse('The id is malformed; nothing was sent upstream.'),
      401: errorResponse('Missing or refused credentials; nothing was sent upstream.'),
      403: errorResponse('The token does not name this id.'),
      404: errorResponse('No such id (cached briefly).'),
      429: errorResponse(
        'Rate limited (per client, or held off after an upstream 429); see Retry-After.',
      ),
      502: errorResponse('The upstream failed and no stale status was available.'),
      504: errorResponse('The upstream timed out and no stale status was available.'),
    },
  });
}

/**
 * The handler of `GET /openapi.json`, generated (once, on first use) from the routes of `app`.
 *
 * @example
 * ```ts
 * app.get('/openapi.json', openApiHandler(app));
 * ```
 */
export function openApiHandler<E extends Env>(app: Hono<E>): MiddlewareHandler<E> {
  return openAPIRouteHandler(app, {
    documentation: {
      info: {
        title: 'neurostatus edge',
        version: '0.0.0',
        description:
          'A cached, coalescing, tenant-safe proxy for the Neurolinker status API. Bearer auth: a Neurolinker key (passthrough mode) or a status token (scoped-token mode).',
      },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      },
      security: [{ bearer: [] }],
    },
  });
}
