import type { FleetConnection } from './redis-connection.ts';

/** Upstream requests per second per upstream key; see {@link createFleetRateBudget}. */
export interface UpstreamRateBudget {
  /** Takes one request from `scope`'s budget: 0 to go now, or how long to wait before asking again, ms. */
  take(scope: string): Promise<number>;
}

/** Options of {@link createFleetRateBudget}. */
export interface FleetRateBudgetOptions {
  /** Requests per second per scope, for the whole fleet. */
  readonly ratePerSecond: number;
  /** The fleet's Redis; without it (or while it is away) the budget is this instance's alone. */
  readonly redis?: Pick<FleetConnection, 'commands' | 'ready'>;
  /** Clock, epoch ms. */
  readonly now: () => number;
  /** Redis key prefix. Default `neurostatus:edge:`. */
  readonly prefix?: string;
}

// One counter per scope and second, created with an expiry so that old seconds clean themselves up.
const TAKE_SCRIPT = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], 2000) end
return n
`;

/**
 * A fixed-window budget of upstream requests per second per scope (an upstream key's digest),
 * counted in Redis so that the poll loops and cache misses of every instance share it. While
 * Redis is away each instance counts on its own (so the fleet may go over by its size).
 *
 * @throws {TypeError} for a rate that is not a positive integer.
 * @example
 * ```ts
 * const budget = createFleetRateBudget({ ratePerSecond: 50, redis, now: Date.now });
 * const waitMs = await budget.take(tenantDigest);
 * ```
 */
export function createFleetRateBudget(options: FleetRateBudgetOptions): UpstreamRateBudget {
  const { ratePerSecond, redis, now } = options;
  if (!Number.isInteger(ratePerSecond) || ratePerSecond < 1)
    throw new TypeError('`ratePerSecond` must be a positive integer.');
  const prefix = options.prefix ?? 'neurostatus:edge:';
  const local = new Map<string, { second: number; count: number }>();

  const countLocally = (scope: string, second: number) => {
    const current = local.get(scope);
    const window = current?.second === second ? current : { second, count: 0 };
    window.count++;
    local.delete(scope);
    local.set(scope, window);
    // Bounded: scopes idle for a second are dropped, oldest first.
    for (const [name, each] of local) {
      if (each.second >= second) break;
      local.delete(name);
    }
    return window.count;
  };

  return {
    async take(scope) {
      const at = now();
      const second = Math.floor(at / 1000);
      let count: number;
      try {
        if (redis?.ready !== true) throw new Error('no Redis');
        const key = `${prefix}rate:${scope}:${second}`;
        count = Number(await redis.commands.sendCommand(['EVAL', TAKE_SCRIPT, '1', key]));
      } catch {
        count = countLocally(scope, second);
      }
      return count <= ratePerSecond ? 0 : (second + 1) * 1000 - at;
    },
  };
}
