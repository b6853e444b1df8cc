// The proxy on Cloudflare Workers: `pnpm dev:worker` (wrangler dev --local), `wrangler deploy`.
// Configuration: Worker bindings (vars in wrangler.jsonc; NEUROLINKER_API_KEY and EDGE_SECRET as
// secrets). HOST and PORT do not apply: Workers do not listen. The `STATUS_OBJECTS` Durable Object
// binding (on by default, EDGE_DURABLE_OBJECTS=false turns it off) makes one object per watched
// status the only caller of Neurolinker for it (src/durable/status-object.ts).
import type { ExecutionContext } from 'hono';
import { createCacheApiStore } from '../cache-api-store.ts';
import { ConfigError } from '../config.ts';
import { createEdge, type EdgeInstance } from '../create-edge.ts';
import { StatusObject } from '../durable/status-object.ts';
import { statusObjectParts } from '../durable/status-object-parts.ts';
import { stringBindings } from '../durable/string-bindings.ts';
import { unframedError } from '../request-context.ts';

/** Worker bindings: vars and secrets are strings; vars may also be other JSON values. */
type WorkerBindings = Record<string, unknown>;

/**
 * The proxy, or why it cannot be built. Built on the first request: Workers forbid I/O, timers and
 * random values at global scope, and the bindings only arrive with a request anyway.
 */
let built: Promise<EdgeInstance | ConfigError> | undefined;

function build(bindings: WorkerBindings): Promise<EdgeInstance | ConfigError> {
  const env = stringBindings(bindings);
  // A deployed Worker whose secrets were forgotten must not quietly serve the demo, openly.
  if (
    env.NEUROLINKER_API_KEY === undefined &&
    env.NEUROLINKER_BASE_URL === undefined &&
    env.EDGE_DEMO !== 'true'
  ) {
    const error = new ConfigError(
      'NEUROLINKER_API_KEY',
      'is required on Workers (wrangler secret put NEUROLINKER_API_KEY); set EDGE_DEMO=true to run the embedded simulator instead',
    );
    console.error(error.message);
    return Promise.resolve(error);
  }
  return (async () =>
    createEdge(env, {
      store: createCacheApiStore({ cache: () => caches.open('neurostatus-edge') }),
      // Set by Cloudflare's edge and not forgeable by the client (Cloudflare overwrites it).
      clientAddress: (request) => request.headers.get('cf-connecting-ip') ?? undefined,
      // Without status objects a poll loop belongs to the request that started it: one per stream.
      shareEventLoops: false,
      // Cloudflare compresses responses at its edge (gzip, brotli) by itself.
      compress: false,
      // With them (the default), status calls and event feeds go to the Durable Objects.
      ...(await statusObjectParts(bindings, env)),
    }))().catch((error: unknown) => {
    if (!(error instanceof ConfigError)) {
      built = undefined; // not a configuration problem: let the next request try again
      throw error;
    }
    // Logged once per isolate, not per request; the message never contains a secret.
    console.error(error.message);
    return error;
  });
}

/**
 * The Worker. Each isolate builds the proxy once, on its first request; `ctx` reaches the app, so
 * background revalidation runs under `ctx.waitUntil`.
 *
 * @example
 * ```ts
 * // wrangler.jsonc: "main": "src/runtimes/cloudflare.ts"
 * const response = await worker.fetch(request, { EDGE_MODE: 'open' }, ctx);
 * ```
 */
const worker = {
  async fetch(request: Request, env: WorkerBindings, ctx: ExecutionContext): Promise<Response> {
    built ??= build(env);
    const edge = await built;
    if (edge instanceof ConfigError) {
      // Framed like every answer (security headers, a request id); CORS is unknown without a config.
      return unframedError('INVALID_CONFIG', edge.message, 500, false);
    }
    return edge.app.fetch(request, env, ctx);
  },
};

export default worker;

/** The Durable Object class of `wrangler.jsonc` (binding `STATUS_OBJECTS`): one per watched status. */
export { StatusObject };
