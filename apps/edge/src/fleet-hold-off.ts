import type { HoldOff } from './hold-off.ts';
import type { FleetConnection } from './redis-connection.ts';

/** Options of {@link createFleetHoldOff}. */
export interface FleetHoldOffOptions {
  /** This instance's hold-off (`createHoldOff`): it keeps the rules, the fleet only shares the news. */
  readonly local: HoldOff;
  readonly redis: Pick<FleetConnection, 'commands' | 'subscribe'>;
  /** This instance's name on the channel. Default: a random UUID. */
  readonly origin?: string;
  /** Redis channel prefix. Default `neurostatus:edge:`. */
  readonly prefix?: string;
}

/**
 * A {@link HoldOff} shared by the fleet: each 429 an instance meets is published, and every
 * instance records it in its own hold-off, as if it had met it itself, so the whole fleet stops
 * asking for that key (and, when 429s pile up in one scope, for that whole upstream key, counted
 * across the fleet). Reads stay in-process and synchronous; without Redis, it is the local hold-off.
 * Keys and scopes are cache keys and tenant digests, never an upstream key.
 *
 * @example
 * ```ts
 * const holdOff = createFleetHoldOff({ local: createHoldOff({ now }), redis });
 * const cache = createStatusCache({ store, ttl, holdOff, now });
 * ```
 */
export function createFleetHoldOff(options: FleetHoldOffOptions): HoldOff {
  const { local, redis } = options;
  const origin = options.origin ?? crypto.randomUUID();
  const channel = `${options.prefix ?? 'neurostatus:edge:'}holds`;
  void redis
    .subscribe(channel, (text) => {
      try {
        const [from, key, scope, hint] = JSON.parse(text) as [unknown, unknown, unknown, unknown];
        if (from === origin || typeof key !== 'string' || typeof scope !== 'string') return;
        local.rateLimited(key, scope, typeof hint === 'number' ? hint : undefined);
      } catch {
        // Not ours: ignored.
      }
    })
    .catch(() => undefined);
  return {
    rateLimited(key, scope, retryAfterMs) {
      const heldMs = local.rateLimited(key, scope, retryAfterMs);
      const message = JSON.stringify([origin, key, scope, retryAfterMs ?? null]);
      void redis.commands.sendCommand(['PUBLISH', channel, message]).catch(() => undefined);
      return heldMs;
    },
    remainingMs: (key, scope) => local.remainingMs(key, scope),
  };
}
