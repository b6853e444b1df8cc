import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { fc, test } from '@fast-check/vitest';
import { DEFAULT_BASE_URL } from '@neurostatus/core';
import { describe, expect, it } from 'vitest';
import { ConfigError, EDGE_DEFAULTS, type EdgeEnv, loadEdgeConfig } from './config.ts';

const secret = 's'.repeat(32);
const key = `nl_${'k'.repeat(32)}`;
const baseUrl = 'http://127.0.0.1:4010/api/v1';

/** The ConfigError that `loadEdgeConfig(env)` throws (fails the test when it throws nothing). */
function refusal(env: EdgeEnv): ConfigError {
  try {
    loadEdgeConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`expected ${JSON.stringify(Object.keys(env))} to be refused`);
}

describe('loadEdgeConfig', () => {
  describe('with an empty environment', () => {
    it('embeds the simulator in open mode on 127.0.0.1:8787', () => {
      const config = loadEdgeConfig({});
      expect(config.upstream).toEqual({ kind: 'simulator' });
      expect(config.mode).toBe('open');
      expect(config.host).toBe('127.0.0.1');
      expect(config.port).toBe(8787);
    });

    it('generates a secret of its own, different in each process', () => {
      const one = loadEdgeConfig({});
      const two = loadEdgeConfig({});
      expect(one.secretGenerated).toBe(true);
      expect(one.secret).toMatch(/^[0-9a-f]{64}$/);
      expect(one.secret).not.toBe(two.secret);
    });

    it('gives every duration in milliseconds and every bound its documented default', () => {
      const config = loadEdgeConfig({});
      expect(config.ttl).toEqual({
        terminalMs: 86_400_000,
        activeMs: 2_000,
        notFoundMs: 2_000,
        staleMs: 300_000,
      });
      expect(config.heartbeatMs).toBe(5_000);
      expect(config.upstreamTimeoutMs).toBe(10_000);
      expect(config.rateLimit).toEqual({ perSecond: 20, burst: 40 });
      expect(config.store).toEqual({ maxEntries: 10_000, maxBytes: 33_554_432 });
      expect(config.corsOrigins).toEqual([]);
      expect(config.log).toBe('json');
    });

    it('agrees with EDGE_DEFAULTS', () => {
      const config = loadEdgeConfig({});
      expect(config.port).toBe(EDGE_DEFAULTS.port);
      expect(config.ttl.terminalMs).toBe(EDGE_DEFAULTS.terminalTtlSeconds * 1000);
      expect(config.store.maxBytes).toBe(EDGE_DEFAULTS.storeMaxBytes);
    });
  });

  describe('choosing the upstream and the mode', () => {
    it('defaults to scoped-token against the default API when only a key and a secret are set', () => {
      const config = loadEdgeConfig({ NEUROLINKER_API_KEY: key, EDGE_SECRET: secret });
      expect(config.mode).toBe('scoped-token');
      expect(config.upstream).toEqual({ kind: 'api', baseUrl: DEFAULT_BASE_URL, apiKey: key });
      expect(config.secret).toBe(secret);
      expect(config.secretGenerated).toBe(false);
    });

    it('defaults to passthrough when a base URL is set without a key', () => {
      const config = loadEdgeConfig({ NEUROLINKER_BASE_URL: baseUrl, EDGE_SECRET: secret });
      expect(config.mode).toBe('passthrough');
      expect(config.upstream).toEqual({ kind: 'api', baseUrl, apiKey: undefined });
    });

    it('uses the base URL and the key together', () => {
      const config = loadEdgeConfig({
        NEUROLINKER_BASE_URL: baseUrl,
        NEUROLINKER_API_KEY: key,
        EDGE_SECRET: secret,
      });
      expect(config.upstream).toEqual({ kind: 'api', baseUrl, apiKey: key });
      expect(config.mode).toBe('scoped-token');
    });

    it('lets an explicit EDGE_MODE win over the default', () => {
      const config = loadEdgeConfig({ EDGE_MODE: 'scoped-token' });
      expect(config.mode).toBe('scoped-token');
      expect(config.upstream).toEqual({ kind: 'simulator' });
      expect(config.secretGenerated).toBe(true);
    });

    it('refuses open mode against a real upstream unless EDGE_ALLOW_OPEN says so', () => {
      const env = { NEUROLINKER_API_KEY: key, EDGE_MODE: 'open' };
      const error = refusal(env);
      expect(error.variable).toBe('EDGE_MODE');
      expect(error.message).toContain('EDGE_ALLOW_OPEN');
      expect(refusal({ ...env, EDGE_ALLOW_OPEN: 'false' }).variable).toBe('EDGE_MODE');

      const config = loadEdgeConfig({ ...env, EDGE_ALLOW_OPEN: 'true' });
      expect(config.mode).toBe('open');
      expect(config.secretGenerated).toBe(true);
    });

    it('refuses open or scoped-token mode against a base URL without a key', () => {
      for (const mode of ['open', 'scoped-token']) {
        const error = refusal({
          NEUROLINKER_BASE_URL: baseUrl,
          EDGE_MODE: mode,
          EDGE_ALLOW_OPEN: 'true',
          EDGE_SECRET: secret,
        });
        expect(error.variable).toBe('NEUROLINKER_API_KEY');
        expect(error.message).toContain(mode);
      }
    });

    it('refuses a key in passthrough mode, without echoing the key', () => {
      const error = refusal({
        NEUROLINKER_API_KEY: key,
        EDGE_MODE: 'passthrough',
        EDGE_SECRET: secret,
      });
      expect(error.variable).toBe('NEUROLINKER_API_KEY');
      expect(error.message).toContain('passthrough');
      expect(error.message).not.toContain(key);
    });

    it('refuses scoped-token mode against a real upstream without a secret', () => {
      const error = refusal({ NEUROLINKER_API_KEY: key });
      expect(error.variable).toBe('EDGE_SECRET');
      expect(error.message).toContain('EDGE_SECRET');
      expect(error.message).toContain('scoped-token');
    });

    it('refuses passthrough mode against a real upstream without a secret', () => {
      expect(refusal({ NEUROLINKER_BASE_URL: baseUrl }).variable).toBe('EDGE_SECRET');
    });
  });

  describe('refusing a bad value', () => {
    it('names the variable in the error and its message, with a code that works across realms', () => {
      const error = refusal({ EDGE_LOG: 'verbose' });
      expect(error.name).toBe('ConfigError');
      expect(error.code).toBe('INVALID_CONFIG');
      expect(error.variable).toBe('EDGE_LOG');
      expect(error.message).toMatch(/^Invalid configuration: EDGE_LOG /);
    });

    it('never puts a short secret into the message', () => {
      const tooShort = 'RECOGNISABLE-secret-value-31chr';
      expect(tooShort).toHaveLength(31);
      const error = refusal({ EDGE_SECRET: tooShort });
      expect(error.variable).toBe('EDGE_SECRET');
      expect(error.message).toContain('EDGE_SECRET');
      expect(error.message).toContain('32');
      expect(error.message).not.toContain('RECOGNISABLE');
    });

    it('never puts a malformed key into the message', () => {
      for (const bad of [
        'nl_RECOGNISABLE key',
        'nl_RECOGNISABLE\tkey',
        'nl_RECOGNISABLEé',
        'nl_RECOGNISABLE'.padEnd(257, 'x'),
      ]) {
        const error = refusal({ NEUROLINKER_API_KEY: bad, EDGE_SECRET: secret });
        expect(error.variable).toBe('NEUROLINKER_API_KEY');
        expect(error.message).toContain('NEUROLINKER_API_KEY');
        expect(error.message).not.toContain('RECOGNISABLE');
      }
    });

    test.prop([fc.string({ maxLength: 31 }).filter((value) => value.trim() !== '')])(
      'gives the same message for every secret it refuses, so none can leak',
      (bad) => {
        const error = refusal({ EDGE_SECRET: bad });
        expect(error.variable).toBe('EDGE_SECRET');
        expect(error.message).toBe(
          'Invalid configuration: EDGE_SECRET must be at least 32 characters.',
        );
      },
    );

    test.prop([
      fc
        .string({ minLength: 1, maxLength: 40 })
        .map((value) => `nl_${value} x`)
        .filter((value) => value.trim().includes(' ')),
    ])('gives the same message for every key it refuses, so none can leak', (bad) => {
      const error = refusal({ NEUROLINKER_API_KEY: bad, EDGE_SECRET: secret });
      expect(error.variable).toBe('NEUROLINKER_API_KEY');
      expect(error.message).toBe(
        'Invalid configuration: NEUROLINKER_API_KEY must contain only visible ASCII characters, with no whitespace, at most 256 of them (keys look like nl_ + 32 characters).',
      );
    });

    it('refuses a base URL that is not absolute http(s)', () => {
      for (const bad of ['127.0.0.1:4010', '/api/v1', 'ftp://127.0.0.1/api', 'not a url']) {
        const error = refusal({ NEUROLINKER_BASE_URL: bad, EDGE_SECRET: secret });
        expect(error.variable).toBe('NEUROLINKER_BASE_URL');
        expect(error.message).toContain('http(s)');
      }
    });

    it.each([
      ['http://user:pw@127.0.0.1:4010/api/v1', 'must not contain credentials'],
      ['http://:pw@127.0.0.1:4010/api/v1', 'must not contain credentials'],
      ['http://127.0.0.1:4010/api/v1?pw=hunter2', 'must not have a query or a fragment'],
      ['http://127.0.0.1:4010/api/v1#pw=hunter2', 'must not have a query or a fragment'],
    ])(
      'refuses the base URL %s with core’s rule, never printing it (issue 9 item 3)',
      (bad, problem) => {
        const error = refusal({
          NEUROLINKER_BASE_URL: bad,
          NEUROLINKER_API_KEY: key,
          EDGE_SECRET: secret,
        });
        expect(error.variable).toBe('NEUROLINKER_BASE_URL');
        expect(error.message).toMatch(
          /^Invalid configuration: NEUROLINKER_BASE_URL must not [^\n]+\.$/,
        );
        expect(error.message).toContain(problem);
        expect(error.message).not.toMatch(/user:|:pw|pw@|hunter2/);
      },
    );

    it('strips trailing slashes from the base URL, as the client does', () => {
      const config = loadEdgeConfig({ NEUROLINKER_BASE_URL: `${baseUrl}/`, EDGE_SECRET: secret });
      expect(config.upstream).toMatchObject({ kind: 'api', baseUrl });
    });

    it('refuses a key longer than core allows', () => {
      const error = refusal({ NEUROLINKER_API_KEY: `nl_${'k'.repeat(300)}`, EDGE_SECRET: secret });
      expect(error.variable).toBe('NEUROLINKER_API_KEY');
    });

    it('exits the Node entry with 78 and one line naming the variable for a base URL with credentials, printing no credentials', () => {
      const result = spawnSync(
        process.execPath,
        ['--import', 'tsx', fileURLToPath(new URL('./runtimes/node.ts', import.meta.url))],
        {
          cwd: fileURLToPath(new URL('..', import.meta.url)),
          env: {
            PATH: process.env.PATH,
            PORT: '0',
            NEUROLINKER_BASE_URL: 'http://user:pw@127.0.0.1:9/api/v1',
            NEUROLINKER_API_KEY: key,
            EDGE_SECRET: secret,
          },
          encoding: 'utf8',
          timeout: 20_000,
        },
      );
      expect(result.status).toBe(78);
      expect(result.stdout).toBe('');
      expect(result.stderr).toBe(
        'Invalid configuration: NEUROLINKER_BASE_URL must not contain credentials (a user name or password).\n',
      );
      expect(result.stdout + result.stderr).not.toContain('user:pw');
    });

    it('refuses an unknown mode, log format or flag', () => {
      expect(refusal({ EDGE_MODE: 'closed' }).variable).toBe('EDGE_MODE');
      expect(refusal({ EDGE_LOG: 'text' }).variable).toBe('EDGE_LOG');
      expect(refusal({ EDGE_ALLOW_OPEN: 'maybe' }).variable).toBe('EDGE_ALLOW_OPEN');
    });

    it('refuses a host with characters no host name or address has', () => {
      for (const bad of ['local host', 'http://127.0.0.1', 'a/b']) {
        expect(refusal({ HOST: bad }).variable).toBe('HOST');
      }
    });

    it.each([
      ['PORT', '-1'],
      ['PORT', '1e3'],
      ['PORT', '12abc'],
      ['PORT', '80.5'],
      ['PORT', '0x50'],
      ['PORT', '65536'],
      ['EDGE_RATE_LIMIT_PER_SECOND', '-5'],
      ['EDGE_RATE_LIMIT_BURST', '0'],
      ['EDGE_TERMINAL_TTL_SECONDS', '2592001'],
      ['EDGE_ACTIVE_TTL_SECONDS', '3601'],
      ['EDGE_NOT_FOUND_TTL_SECONDS', '1e2'],
      ['EDGE_STALE_SECONDS', '604801'],
      ['EDGE_UPSTREAM_TIMEOUT_MS', '99'],
      ['EDGE_UPSTREAM_TIMEOUT_MS', '120001'],
      ['EDGE_STORE_MAX_ENTRIES', '0'],
      ['EDGE_STORE_MAX_BYTES', '1023'],
      ['EDGE_STORE_MAX_BYTES', '9007199254740993'],
      ['EDGE_HEARTBEAT_SECONDS', '0'],
      ['EDGE_HEARTBEAT_SECONDS', '301'],
    ] as const)('refuses %s=%s', (variable, value) => {
      const error = refusal({ [variable]: value });
      expect(error.variable).toBe(variable);
      expect(error.message).toContain(variable);
    });

    test.prop([fc.integer({ min: 0, max: 65_535 })])('accepts every port in range', (port) => {
      expect(loadEdgeConfig({ PORT: String(port) }).port).toBe(port);
    });

    test.prop([
      fc
        .string({ minLength: 1 })
        .filter((value) => !/^\d+$/.test(value.trim()) && value.trim() !== ''),
    ])('refuses every port that is not a whole number', (value) => {
      expect(refusal({ PORT: value }).variable).toBe('PORT');
    });

    it('reports the first bad variable in a fixed order', () => {
      expect(refusal({ EDGE_LOG: 'x', PORT: 'x' }).variable).toBe('PORT');
    });
  });

  describe('reading values', () => {
    it('converts seconds to milliseconds', () => {
      const config = loadEdgeConfig({
        EDGE_TERMINAL_TTL_SECONDS: '60',
        EDGE_ACTIVE_TTL_SECONDS: '0',
        EDGE_NOT_FOUND_TTL_SECONDS: '7',
        EDGE_STALE_SECONDS: '30',
        EDGE_HEARTBEAT_SECONDS: '15',
      });
      expect(config.ttl).toEqual({
        terminalMs: 60_000,
        activeMs: 0,
        notFoundMs: 7_000,
        staleMs: 30_000,
      });
      expect(config.heartbeatMs).toBe(15_000);
    });

    it('reads the port, including 0 for any free port', () => {
      expect(loadEdgeConfig({ PORT: '0' }).port).toBe(0);
      expect(loadEdgeConfig({ PORT: '08080' }).port).toBe(8080);
    });

    it('derives the burst from the rate unless it is given', () => {
      expect(loadEdgeConfig({ EDGE_RATE_LIMIT_PER_SECOND: '5' }).rateLimit).toEqual({
        perSecond: 5,
        burst: 10,
      });
      expect(loadEdgeConfig({ EDGE_RATE_LIMIT_PER_SECOND: '0' }).rateLimit).toEqual({
        perSecond: 0,
        burst: 1,
      });
      expect(
        loadEdgeConfig({ EDGE_RATE_LIMIT_PER_SECOND: '5', EDGE_RATE_LIMIT_BURST: '7' }).rateLimit,
      ).toEqual({ perSecond: 5, burst: 7 });
    });

    it('reads the store bounds, the upstream timeout, the host and the log format', () => {
      const config = loadEdgeConfig({
        EDGE_STORE_MAX_ENTRIES: '5',
        EDGE_STORE_MAX_BYTES: '1024',
        EDGE_UPSTREAM_TIMEOUT_MS: '100',
        HOST: '::1',
        EDGE_LOG: 'off',
      });
      expect(config.store).toEqual({ maxEntries: 5, maxBytes: 1024 });
      expect(config.upstreamTimeoutMs).toBe(100);
      expect(config.host).toBe('::1');
      expect(config.log).toBe('off');
    });

    it.each([
      ['1', true],
      ['true', true],
      ['yes', true],
      ['0', false],
      ['false', false],
      ['no', false],
    ])('reads EDGE_ALLOW_OPEN=%s as %s', (value, allowed) => {
      const env = { NEUROLINKER_API_KEY: key, EDGE_MODE: 'open', EDGE_ALLOW_OPEN: value };
      if (allowed) expect(loadEdgeConfig(env).mode).toBe('open');
      else expect(refusal(env).variable).toBe('EDGE_MODE');
    });

    it('treats whitespace-only values as unset', () => {
      const blank = ' \t ';
      const config = loadEdgeConfig({
        HOST: blank,
        PORT: blank,
        NEUROLINKER_API_KEY: blank,
        NEUROLINKER_BASE_URL: blank,
        EDGE_MODE: blank,
        EDGE_SECRET: blank,
        EDGE_CORS_ORIGINS: blank,
        EDGE_LOG: '',
      });
      expect(config.upstream).toEqual({ kind: 'simulator' });
      expect(config.mode).toBe('open');
      expect(config.host).toBe('127.0.0.1');
      expect(config.port).toBe(8787);
      expect(config.secretGenerated).toBe(true);
      expect(config.corsOrigins).toEqual([]);
      expect(config.log).toBe('json');
    });

    it('trims the whitespace around a value', () => {
      const config = loadEdgeConfig({
        PORT: ' 9000 ',
        NEUROLINKER_API_KEY: ` ${key}\n`,
        EDGE_SECRET: secret,
      });
      expect(config.port).toBe(9000);
      expect(config.upstream).toEqual({ kind: 'api', baseUrl: DEFAULT_BASE_URL, apiKey: key });
    });
  });

  describe('EDGE_CORS_ORIGINS', () => {
    it('reads a comma-separated list of origins, trimmed', () => {
      const config = loadEdgeConfig({
        EDGE_CORS_ORIGINS: ' https://a.example , http://127.0.0.1:3000,,https://b.example:8443 ',
      });
      expect(config.corsOrigins).toEqual([
        'https://a.example',
        'http://127.0.0.1:3000',
        'https://b.example:8443',
      ]);
    });

    it('normalizes an origin written with a trailing slash, capitals or the default port', () => {
      expect(
        loadEdgeConfig({
          EDGE_CORS_ORIGINS: 'https://a.example/, https://B.example, https://c.example:443',
        }).corsOrigins,
      ).toEqual(['https://a.example', 'https://b.example', 'https://c.example']);
    });

    it('reads an empty list as no origins', () => {
      expect(loadEdgeConfig({ EDGE_CORS_ORIGINS: '' }).corsOrigins).toEqual([]);
      expect(loadEdgeConfig({ EDGE_CORS_ORIGINS: ' , ,' }).corsOrigins).toEqual([]);
    });

    it.each([
      'https://a.example/path',
      'https://a.example?x=1',
      'https://user@a.example',
      'a.example',
      'ftp://a.example',
      '*',
    ])('refuses %s, which is not an origin', (bad) => {
      const error = refusal({ EDGE_CORS_ORIGINS: `https://ok.example, ${bad}` });
      expect(error.variable).toBe('EDGE_CORS_ORIGINS');
      expect(error.message).toContain('EDGE_CORS_ORIGINS');
    });
  });
});
