import { ConfigError, type EdgeEnv, loadEdgeConfig } from '../config.ts';
import type { EdgeParts } from '../edge-parts.ts';
import { durableEventFeed } from './durable-event-feed.ts';
import { durableUpstreamFetch } from './durable-upstream-fetch.ts';
import { createStatusObjects } from './status-object-address.ts';
import { isDurableObjectNamespace } from './workers-platform.ts';

/** The binding of the `StatusObject` namespace, as `wrangler.jsonc` declares it. */
export const STATUS_OBJECTS_BINDING = 'STATUS_OBJECTS';

/**
 * The parts of a Worker's proxy that make it use status objects: its upstream status calls and its
 * event feeds go to the Durable Object of each (tenant, kind, id). On when the Worker has the
 * `STATUS_OBJECTS` binding (wrangler.jsonc declares it) unless `EDGE_DURABLE_OBJECTS=false`; off,
 * the Worker works as without objects (calls and poll loops in each isolate).
 *
 * @throws {ConfigError} for an `EDGE_DURABLE_OBJECTS` other than `true`/`false`, or `true` with no
 *   binding; or for a configuration `loadEdgeConfig` refuses.
 * @example
 * ```ts
 * const edge = await createEdge(env, { ...(await statusObjectParts(bindings, env)) });
 * ```
 */
export async function statusObjectParts(
  bindings: Record<string, unknown>,
  env: EdgeEnv & Record<string, string | undefined>,
): Promise<Pick<EdgeParts, 'statusFetch' | 'eventFeed'>> {
  const setting = env.EDGE_DURABLE_OBJECTS?.trim().toLowerCase() || undefined;
  if (setting !== undefined && setting !== 'true' && setting !== 'false') {
    throw new ConfigError('EDGE_DURABLE_OBJECTS', 'must be true or false');
  }
  if (setting === 'false') return {};
  const namespace = bindings[STATUS_OBJECTS_BINDING];
  if (!isDurableObjectNamespace(namespace)) {
    if (setting === 'true') {
      throw new ConfigError(
        'EDGE_DURABLE_OBJECTS',
        `is true but the Worker has no ${STATUS_OBJECTS_BINDING} Durable Object binding (see wrangler.jsonc)`,
      );
    }
    return {};
  }
  const config = loadEdgeConfig(env);
  const objectFor = await createStatusObjects({
    namespace,
    mode: config.mode,
    secret: config.secret,
  });
  return { statusFetch: durableUpstreamFetch(objectFor), eventFeed: durableEventFeed(objectFor) };
}
