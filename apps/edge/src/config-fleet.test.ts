import { describe, expect, it } from 'vitest';
import { ConfigError, loadEdgeConfig } from './config.ts';

function refusal(env: Parameters<typeof loadEdgeConfig>[0]): ConfigError {
  try {
    loadEdgeConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadEdgeConfig: fleet variables', () => {
  it('has no fleet and no upstream budget by default', () => {
    expect(loadEdgeConfig({}).fleet).toEqual({ redisUrl: undefined, upstreamRatePerSecond: 0 });
  });

  it('reads EDGE_REDIS_URL (redis:// or rediss://) and EDGE_UPSTREAM_RATE_PER_SECOND', () => {
    const config = loadEdgeConfig({
      EDGE_REDIS_URL: ' rediss://:pw@redis.internal:6380/1 ',
      EDGE_UPSTREAM_RATE_PER_SECOND: '50',
    });
    expect(config.fleet).toEqual({
      redisUrl: 'rediss://:pw@redis.internal:6380/1',
      upstreamRatePerSecond: 50,
    });
  });

  it.each([
    'http://redis.internal:6379',
    'redis.internal:6379',
    'redis://:hunter2@redis.internal:6379/zero',
  ])('refuses EDGE_REDIS_URL=%s, naming the variable and never quoting the value', (url) => {
    const error = refusal({ EDGE_REDIS_URL: url });
    expect(error.variable).toBe('EDGE_REDIS_URL');
    expect(error.message).toMatch(/^Invalid configuration: EDGE_REDIS_URL /);
    expect(error.message).not.toContain('hunter2');
    expect(error.message).not.toContain(url);
  });

  it('refuses an upstream budget that is not a whole number', () => {
    expect(refusal({ EDGE_UPSTREAM_RATE_PER_SECOND: '-1' }).variable).toBe(
      'EDGE_UPSTREAM_RATE_PER_SECOND',
    );
    expect(refusal({ EDGE_UPSTREAM_RATE_PER_SECOND: '2.5' }).variable).toBe(
      'EDGE_UPSTREAM_RATE_PER_SECOND',
    );
  });
});
