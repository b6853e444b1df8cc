import { DEMO_API_KEY } from '@neurostatus/simulator';
import { describe, expect, it } from 'vitest';
import { loadEdgeConfig } from './config.ts';
import { EMBEDDED_SIMULATOR_BASE_URL, resolveEdgeParts } from './edge-parts.ts';
import type { Fleet } from './fleet.ts';
import { createMemoryStore } from './memory-store.ts';
import { TEST_BASE_URL, TEST_SECRET } from './test-support/edge-harness.ts';

const apiConfig = loadEdgeConfig({
  NEUROLINKER_BASE_URL: TEST_BASE_URL,
  NEUROLINKER_API_KEY: 'nl_configured_key',
  EDGE_SECRET: TEST_SECRET,
});

describe('resolveEdgeParts', () => {
  it('embeds the simulator, with its demo key, when no upstream is configured', async () => {
    const parts = resolveEdgeParts(loadEdgeConfig({}), { fetch: () => Promise.reject() });
    try {
      expect(parts.simulator).toBeDefined();
      expect(parts.baseUrl).toBe(EMBEDDED_SIMULATOR_BASE_URL);
      expect(parts.apiKey).toBe(DEMO_API_KEY);
      // The embedded simulator answers in-process, whatever `fetch` was passed.
      const res = await parts.fetch?.(`${EMBEDDED_SIMULATOR_BASE_URL}/document-status/nope`);
      expect(res?.status).toBe(401);
    } finally {
      parts.simulator?.close();
      parts.scheduler.close();
    }
  });

  it('refuses a response header form it does not know, with a TypeError that names it', () => {
    const wrong = { responseHeaders: 'object' } as unknown as Parameters<
      typeof resolveEdgeParts
    >[1];
    expect(() => resolveEdgeParts(apiConfig, wrong)).toThrow(
      new TypeError("resolveEdgeParts: `responseHeaders` must be 'record' or 'headers'."),
    );
    expect(resolveEdgeParts(apiConfig, { responseHeaders: 'headers' }).responseHeaders).toBe(
      'headers',
    );
    expect(resolveEdgeParts(apiConfig).responseHeaders).toBe('record');
  });

  it('takes the upstream from the configuration, and embeds nothing', () => {
    const parts = resolveEdgeParts(apiConfig);
    expect(parts.simulator).toBeUndefined();
    expect(parts.baseUrl).toBe(TEST_BASE_URL);
    expect(parts.apiKey).toBe('nl_configured_key');
    expect(parts.fetch).toBeUndefined();
    expect(parts.shareEventLoops).toBe(true);
    expect(parts.shutdown).toBeUndefined();
    expect(parts.compress).toBe(true);
  });

  it('keeps every part it is given', () => {
    const store = createMemoryStore();
    const log = () => {};
    const fetch = () => Promise.reject(new Error('unused'));
    const shutdown = new AbortController().signal;
    const parts = resolveEdgeParts(apiConfig, {
      store,
      log,
      fetch,
      shutdown,
      baseUrl: 'http://elsewhere.test/api/v1',
      apiKey: 'nl_given_key',
      shareEventLoops: false,
      compress: false,
    });
    expect(parts).toMatchObject({
      store,
      log,
      fetch,
      shutdown,
      shareEventLoops: false,
      compress: false,
    });
    expect(parts.baseUrl).toBe('http://elsewhere.test/api/v1');
    expect(parts.apiKey).toBe('nl_given_key');
  });

  it("takes the fleet's store when no store is given, and a given store over it", () => {
    const fleetStore = createMemoryStore();
    // Only the store is read while resolving; the rest of a fleet is used by the app.
    const fleet = { store: fleetStore } as unknown as Fleet;
    expect(resolveEdgeParts(apiConfig, { fleet }).store).toBe(fleetStore);
    expect(resolveEdgeParts(apiConfig, { fleet }).fleet).toBe(fleet);
    const store = createMemoryStore();
    expect(resolveEdgeParts(apiConfig, { fleet, store }).store).toBe(store);
  });

  it('puts EDGE_UPSTREAM_RATE_PER_SECOND in front of the embedded simulator too', async () => {
    let now = 5_000;
    const slept: number[] = [];
    const clock = {
      now: () => now,
      sleep: async (ms: number) => {
        slept.push(ms);
        now += ms;
      },
    };
    const config = loadEdgeConfig({ EDGE_UPSTREAM_RATE_PER_SECOND: '2' });
    const parts = resolveEdgeParts(config, { clock });
    try {
      const url = `${EMBEDDED_SIMULATOR_BASE_URL}/document-status/nope`;
      const init = { headers: { authorization: `Bearer ${parts.apiKey}` } };
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) statuses.push((await parts.fetch?.(url, init))?.status ?? 0);
      // Two calls fit in the second; the third waits for the next one, then reaches the simulator.
      expect(slept).toEqual([1_000]);
      expect(statuses).toEqual([404, 404, 404]);
    } finally {
      parts.simulator?.close();
      parts.scheduler.close();
    }
  });
});
