import { describe, expect, it } from 'vitest';
import { budgetedFetch } from './fleet-budgeted-fetch.ts';
import { createFleetHoldOff } from './fleet-hold-off.ts';
import { createFleetRateBudget, type UpstreamRateBudget } from './fleet-rate-budget.ts';
import { createHoldOff } from './hold-off.ts';
import { useRedisServer } from './test-support/use-redis-server.ts';

const redisServer = useRedisServer();
let run = 0;

/** A fleet hold-off per origin, each on its own connection, on one fresh prefix and a stopped clock. */
async function fleetHoldOffs(origins: readonly string[]) {
  const prefix = `holds-${run++}:`;
  const now = () => 1_000_000;
  const holdOffs = await Promise.all(
    origins.map(async (origin) =>
      createFleetHoldOff({
        local: createHoldOff({ now }),
        redis: await redisServer.connect(),
        origin,
        prefix,
      }),
    ),
  );
  await redisServer.connections.at(-1)!.commands.sendCommand(['PING']);
  return holdOffs;
}

describe('createFleetHoldOff', () => {
  it('holds off every instance after a 429 met by one, per key and scope', async () => {
    const [a, b] = await fleetHoldOffs(['a', 'b']);
    a!.rateLimited('tenant-1:document:x', 'tenant-1', 5_000);
    expect(a!.remainingMs('tenant-1:document:x', 'tenant-1')).toBe(5_000);
    await expect.poll(() => b!.remainingMs('tenant-1:document:x', 'tenant-1')).toBe(5_000);
    expect(b!.remainingMs('tenant-1:document:y', 'tenant-1')).toBe(0);
    expect(b!.remainingMs('tenant-2:document:x', 'tenant-2')).toBe(0);
  });

  it('counts 429s across the fleet towards holding off a whole scope', async () => {
    const instances = await fleetHoldOffs(['a', 'b', 'c']);
    instances.forEach((holdOff, index) => {
      holdOff.rateLimited(`t:document:${index}`, 't', 2_000);
    });
    for (const holdOff of instances) {
      await expect.poll(() => holdOff.remainingMs('t:document:other', 't')).toBe(2_000);
    }
  });
});

describe('createFleetRateBudget', () => {
  it('shares one budget per scope and second between instances', async () => {
    const prefix = `rate-${run++}:`;
    let time = 5_000_250;
    const now = () => time;
    const budgets = await Promise.all(
      [0, 1, 2].map(async () =>
        createFleetRateBudget({
          ratePerSecond: 5,
          redis: await redisServer.connect(),
          now,
          prefix,
        }),
      ),
    );
    const waits = await Promise.all(
      Array.from({ length: 15 }, (_, index) => budgets[index % 3]!.take('tenant-a')),
    );
    expect(waits.filter((ms) => ms === 0)).toHaveLength(5);
    expect(new Set(waits.filter((ms) => ms > 0))).toEqual(new Set([750]));
    expect(await budgets[0]!.take('tenant-b')).toBe(0);
    time += 750;
    expect(await budgets[1]!.take('tenant-a')).toBe(0);
  });

  it('counts per instance without Redis', async () => {
    const budget = createFleetRateBudget({ ratePerSecond: 2, now: () => 10_000 });
    expect([await budget.take('s'), await budget.take('s'), await budget.take('s')]).toEqual([
      0, 0, 1_000,
    ]);
    expect(() => createFleetRateBudget({ ratePerSecond: 0, now: () => 0 })).toThrow(TypeError);
  });
});

describe('budgetedFetch', () => {
  it('waits for the budget, scoped by a digest of the Authorization header, then calls', async () => {
    const scopes: string[] = [];
    const answers = [250, 0];
    const budget: UpstreamRateBudget = {
      take: async (scope) => {
        scopes.push(scope);
        return answers.shift() ?? 0;
      },
    };
    const slept: number[] = [];
    const called: string[] = [];
    const fetch = budgetedFetch({
      budget,
      scopeOf: async (authorization) => `digest(${authorization})`,
      clock: { sleep: async (ms) => void slept.push(ms) },
      fetch: async (input) => {
        called.push(String(input instanceof Request ? input.url : input));
        return new Response('{}');
      },
    });
    const response = await fetch(
      new Request('http://upstream.test/x', { headers: { authorization: 'Bearer k' } }),
    );
    expect(response.status).toBe(200);
    expect(scopes).toEqual(['digest(Bearer k)', 'digest(Bearer k)']);
    expect(slept).toEqual([250]);
    expect(called).toEqual(['http://upstream.test/x']);
  });

  it('gives up waiting when the request is aborted, without calling', async () => {
    let calls = 0;
    const fetch = budgetedFetch({
      budget: { take: async () => 1_000 },
      scopeOf: async () => 's',
      clock: {
        sleep: (_ms, signal) =>
          new Promise((_, reject) =>
            signal?.addEventListener('abort', () => reject(signal.reason)),
          ),
      },
      fetch: async () => {
        calls++;
        return new Response('{}');
      },
    });
    const abort = new AbortController();
    const pending = fetch('http://upstream.test/x', { signal: abort.signal });
    abort.abort(new Error('timeout'));
    await expect(pending).rejects.toThrow('timeout');
    expect(calls).toBe(0);
  });
});
