import {
  assertApiKey,
  assertBaseUrl,
  DEFAULT_BASE_URL,
  InvalidOptionError,
} from '@neurostatus/core';
import * as v from 'valibot';
import { MIN_SECRET_LENGTH } from './hmac-key.ts';
import { assertRedisUrl } from './redis-url.ts';

/** How clients prove what they may read; see the README's "Tenancy". */
export type TenancyMode = 'passthrough' | 'scoped-token' | 'open';

/** Where statuses come from: the embedded simulator (demo data), or a Neurolinker API. */
export type UpstreamConfig =
  | { readonly kind: 'simulator' }
  | { readonly kind: 'api'; readonly baseUrl: string; readonly apiKey: string | undefined };

/**
 * The proxy's configuration after defaults and validation: what the code reads.
 *
 * @example
 * ```ts
 * const config: EdgeConfig = loadEdgeConfig(process.env);
 * ```
 */
export interface EdgeConfig {
  readonly host: string;
  readonly port: number;
  readonly upstream: UpstreamConfig;
  readonly mode: TenancyMode;
  /** HMAC secret for tenant cache keys and status tokens; generated per process on the simulator. */
  readonly secret: string;
  /** True when `secret` was generated because none was configured (tokens die with the process). */
  readonly secretGenerated: boolean;
  /** Per-client requests per second (0: no limit) and the burst allowed above it. */
  readonly rateLimit: { readonly perSecond: number; readonly burst: number };
  readonly ttl: {
    /** Freshness of `completed` / `failed` statuses, ms. */
    readonly terminalMs: number;
    /** Freshness of `pending` / `processing` statuses, ms. */
    readonly activeMs: number;
    /** Freshness of a 404, ms. */
    readonly notFoundMs: number;
    /** How long past its freshness a status may still be served stale, ms. */
    readonly staleMs: number;
  };
  readonly upstreamTimeoutMs: number;
  /** Largest upstream response body accepted, bytes (larger: an invalid upstream response). */
  readonly upstreamMaxBytes: number;
  /** Origins allowed by CORS; empty: no CORS headers at all. */
  readonly corsOrigins: readonly string[];
  readonly store: { readonly maxEntries: number; readonly maxBytes: number };
  readonly heartbeatMs: number;
  /** Event streams open at once, at most (each holds a connection and a listener). */
  readonly maxEventStreams: number;
  readonly log: 'json' | 'off';
  /** Fleet mode (Node, Bun, Deno): instances sharing one Redis answer as one. */
  readonly fleet: {
    /** `EDGE_REDIS_URL`; undefined: no fleet, each instance on its own. May hold a password. */
    readonly redisUrl: string | undefined;
    /** Upstream requests per second per upstream key, shared by the fleet (0: no budget). */
    readonly upstreamRatePerSecond: number;
  };
}

/**
 * The configuration was refused. The message names the variable and what is wrong with it; it never
 * contains the value of a secret.
 *
 * @example
 * ```ts
 * try { loadEdgeConfig(env); } catch (error) {
 *   if (error instanceof ConfigError) { console.error(error.message); process.exit(78); }
 * }
 * ```
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'INVALID_CONFIG';
  /** The variable at fault. */
  readonly variable: string;

  constructor(variable: string, problem: string) {
    super(`Invalid configuration: ${variable} ${problem}.`);
    this.variable = variable;
  }
}

/** The defaults, in one visible place (also in the README's configuration table). */
export const EDGE_DEFAULTS = {
  host: '127.0.0.1',
  port: 8787,
  rateLimitPerSecond: 20,
  terminalTtlSeconds: 24 * 60 * 60,
  activeTtlSeconds: 2,
  notFoundTtlSeconds: 2,
  staleSeconds: 300,
  upstreamTimeoutMs: 10_000,
  upstreamMaxBytes: 16 * 1024 * 1024,
  storeMaxEntries: 10_000,
  storeMaxBytes: 32 * 1024 * 1024,
  heartbeatSeconds: 5,
  maxEventStreams: 10_000,
} as const;

/** The variables the proxy reads, and nothing else. */
export type EdgeEnv = Partial<Record<(typeof VARIABLES)[number], string | undefined>>;

const VARIABLES = [
  'HOST',
  'PORT',
  'NEUROLINKER_API_KEY',
  'NEUROLINKER_BASE_URL',
  'EDGE_MODE',
  'EDGE_SECRET',
  'EDGE_ALLOW_OPEN',
  'EDGE_RATE_LIMIT_PER_SECOND',
  'EDGE_RATE_LIMIT_BURST',
  'EDGE_TERMINAL_TTL_SECONDS',
  'EDGE_ACTIVE_TTL_SECONDS',
  'EDGE_NOT_FOUND_TTL_SECONDS',
  'EDGE_STALE_SECONDS',
  'EDGE_UPSTREAM_TIMEOUT_MS',
  'EDGE_UPSTREAM_MAX_BYTES',
  'EDGE_CORS_ORIGINS',
  'EDGE_STORE_MAX_ENTRIES',
  'EDGE_STORE_MAX_BYTES',
  'EDGE_HEARTBEAT_SECONDS',
  'EDGE_MAX_EVENT_STREAMS',
  'EDGE_LOG',
  'EDGE_REDIS_URL',
  'EDGE_UPSTREAM_RATE_PER_SECOND',
] as const;

/** A decimal integer within bounds; an empty value means "use the default". */
function integer(min: number, max: number) {
  return v.pipe(
    v.string(),
    v.regex(/^\d+$/, `must be a whole number from ${min} to ${max}`),
    v.transform(Number),
    v.minValue(min, `must be at least ${min}`),
    v.maxValue(max, `must be at most ${max}`),
  );
}

const FlagSchema = v.pipe(
  v.picklist(['1', '0', 'true', 'false', 'yes', 'no'], 'must be true or false'),
  v.transform((value) => value === '1' || value === 'true' || value === 'yes'),
);

const OriginSchema = v.pipe(
  v.string(),
  v.rawTransform(({ dataset, addIssue, NEVER }) => {
    const message =
      'must list origins such as https://app.example.com (scheme, host and port only), separated by commas';
    try {
      const url = new URL(dataset.value);
      const bare = url.pathname === '/' && url.search === '' && url.hash === '';
      if (bare && url.username === '' && /^https?:$/.test(url.protocol)) return url.origin;
    } catch {
      // Not a URL: the issue below says what is expected.
    }
    addIssue({ message });
    return NEVER;
  }),
);

/**
 * A rule owned by core (`assertApiKey`, `assertBaseUrl`: one set of rules for every package) as a
 * schema for one variable. The issue is core's `problem`, which never contains the value: a key, or
 * a URL with a password in it, must not reach a log line.
 */
function coreRule<T>(assert: (value: string, option: string) => T, variable: string) {
  return v.pipe(
    v.string(),
    v.rawTransform<string, T>(({ dataset, addIssue, NEVER }) => {
      try {
        return assert(dataset.value, variable);
      } catch (error) {
        if (!(error instanceof InvalidOptionError)) throw error;
        addIssue({ message: error.problem });
        return NEVER;
      }
    }),
  );
}

const SCHEMAS = {
  HOST: v.pipe(v.string(), v.regex(/^[\w.:-]+$/, 'must be a host name or an IP address')),
  PORT: integer(0, 65_535),
  NEUROLINKER_API_KEY: coreRule(assertApiKey, 'NEUROLINKER_API_KEY'),
  NEUROLINKER_BASE_URL: coreRule(assertBaseUrl, 'NEUROLINKER_BASE_URL'),
  EDGE_MODE: v.picklist(
    ['passthrough', 'scoped-token', 'open'],
    'must be passthrough, scoped-token or open',
  ),
  EDGE_SECRET: v.pipe(
    v.string(),
    v.minLength(MIN_SECRET_LENGTH, `must be at least ${MIN_SECRET_LENGTH} characters`),
  ),
  EDGE_ALLOW_OPEN: FlagSchema,
  EDGE_RATE_LIMIT_PER_SECOND: integer(0, 1_000_000),
  EDGE_RATE_LIMIT_BURST: integer(1, 1_000_000),
  EDGE_TERMINAL_TTL_SECONDS: integer(0, 30 * 24 * 60 * 60),
  EDGE_ACTIVE_TTL_SECONDS: integer(0, 3_600),
  EDGE_NOT_FOUND_TTL_SECONDS: integer(0, 3_600),
  EDGE_STALE_SECONDS: integer(0, 7 * 24 * 60 * 60),
  EDGE_UPSTREAM_TIMEOUT_MS: integer(100, 120_000),
  EDGE_UPSTREAM_MAX_BYTES: integer(1_024, 1024 * 1024 * 1024),
  EDGE_CORS_ORIGINS: v.pipe(
    v.string(),
    v.transform((value) =>
      value
        .split(',')
        .map((origin) => origin.trim())
        .filter((origin) => origin !== ''),
    ),
    v.array(OriginSchema),
  ),
  EDGE_STORE_MAX_ENTRIES: integer(1, 100_000_000),
  EDGE_STORE_MAX_BYTES: integer(1_024, Number.MAX_SAFE_INTEGER),
  EDGE_HEARTBEAT_SECONDS: integer(1, 300),
  EDGE_MAX_EVENT_STREAMS: integer(1, 10_000_000),
  EDGE_LOG: v.picklist(['json', 'off'], 'must be json or off'),
  EDGE_REDIS_URL: v.pipe(
    v.string(),
    v.rawTransform(({ dataset, addIssue, NEVER }) => {
      try {
        return assertRedisUrl(dataset.value);
      } catch (error) {
        // The rule's message never quotes the URL, which may hold a password.
        addIssue({ message: (error as Error).message.replace(/\.$/, '') });
        return NEVER;
      }
    }),
  ),
  EDGE_UPSTREAM_RATE_PER_SECOND: integer(0, 1_000_000),
} satisfies Record<(typeof VARIABLES)[number], v.GenericSchema<string, unknown>>;

type Parsed = { [K in keyof typeof SCHEMAS]?: v.InferOutput<(typeof SCHEMAS)[K]> };

/** Parses each variable that is set; the first bad one throws, named, without its value. */
function parseVariables(env: EdgeEnv): Parsed {
  const parsed: Record<string, unknown> = {};
  for (const name of VARIABLES) {
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') continue;
    const result = v.safeParse(SCHEMAS[name], raw.trim());
    if (!result.success) throw new ConfigError(name, result.issues[0].message);
    parsed[name] = result.output;
  }
  return parsed as Parsed;
}

function randomSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/**
 * Reads and validates the proxy's configuration from environment variables or Worker bindings.
 *
 * The upstream is the embedded simulator when neither `NEUROLINKER_API_KEY` nor
 * `NEUROLINKER_BASE_URL` is set. The mode defaults to `open` on the simulator, `scoped-token` with a
 * key, and `passthrough` without one. `open` against a real upstream needs `EDGE_ALLOW_OPEN=true`,
 * since it would let anyone read the account's statuses.
 *
 * @throws {ConfigError} naming the first variable at fault (never echoing a secret).
 * @example
 * ```ts
 * const config = loadEdgeConfig({ NEUROLINKER_API_KEY: key, EDGE_SECRET: secret });
 * config.mode; // 'scoped-token'
 * ```
 */
export function loadEdgeConfig(env: EdgeEnv): EdgeConfig {
  const p = parseVariables(env);
  const apiKey = p.NEUROLINKER_API_KEY;
  const upstream: UpstreamConfig =
    apiKey === undefined && p.NEUROLINKER_BASE_URL === undefined
      ? { kind: 'simulator' }
      : { kind: 'api', baseUrl: p.NEUROLINKER_BASE_URL ?? DEFAULT_BASE_URL, apiKey };
  const onSimulator = upstream.kind === 'simulator';
  const mode: TenancyMode =
    p.EDGE_MODE ?? (onSimulator ? 'open' : apiKey === undefined ? 'passthrough' : 'scoped-token');

  if (mode === 'open' && !onSimulator && p.EDGE_ALLOW_OPEN !== true) {
    throw new ConfigError(
      'EDGE_MODE',
      'is open, which lets anyone read every status of the account: set EDGE_ALLOW_OPEN=true to mean it, or use scoped-token',
    );
  }
  if (mode !== 'passthrough' && upstream.kind === 'api' && apiKey === undefined) {
    throw new ConfigError('NEUROLINKER_API_KEY', `is required in ${mode} mode`);
  }
  if (mode === 'passthrough' && apiKey !== undefined) {
    throw new ConfigError(
      'NEUROLINKER_API_KEY',
      'must not be set in passthrough mode, where each client sends its own key',
    );
  }
  if (mode !== 'open' && !onSimulator && p.EDGE_SECRET === undefined) {
    throw new ConfigError('EDGE_SECRET', `is required in ${mode} mode`);
  }

  const perSecond = p.EDGE_RATE_LIMIT_PER_SECOND ?? EDGE_DEFAULTS.rateLimitPerSecond;
  const seconds = (value: number | undefined, fallback: number) => (value ?? fallback) * 1000;
  return {
    host: p.HOST ?? EDGE_DEFAULTS.host,
    port: p.PORT ?? EDGE_DEFAULTS.port,
    upstream,
    mode,
    secret: p.EDGE_SECRET ?? randomSecret(),
    secretGenerated: p.EDGE_SECRET === undefined,
    rateLimit: {
      perSecond,
      burst: p.EDGE_RATE_LIMIT_BURST ?? Math.min(1_000_000, Math.max(1, perSecond * 2)),
    },
    ttl: {
      terminalMs: seconds(p.EDGE_TERMINAL_TTL_SECONDS, EDGE_DEFAULTS.terminalTtlSeconds),
      activeMs: seconds(p.EDGE_ACTIVE_TTL_SECONDS, EDGE_DEFAULTS.activeTtlSeconds),
      notFoundMs: seconds(p.EDGE_NOT_FOUND_TTL_SECONDS, EDGE_DEFAULTS.notFoundTtlSeconds),
      staleMs: seconds(p.EDGE_STALE_SECONDS, EDGE_DEFAULTS.staleSeconds),
    },
    upstreamTimeoutMs: p.EDGE_UPSTREAM_TIMEOUT_MS ?? EDGE_DEFAULTS.upstreamTimeoutMs,
    upstreamMaxBytes: p.EDGE_UPSTREAM_MAX_BYTES ?? EDGE_DEFAULTS.upstreamMaxBytes,
    corsOrigins: p.EDGE_CORS_ORIGINS ?? [],
    store: {
      maxEntries: p.EDGE_STORE_MAX_ENTRIES ?? EDGE_DEFAULTS.storeMaxEntries,
      maxBytes: p.EDGE_STORE_MAX_BYTES ?? EDGE_DEFAULTS.storeMaxBytes,
    },
    heartbeatMs: seconds(p.EDGE_HEARTBEAT_SECONDS, EDGE_DEFAULTS.heartbeatSeconds),
    maxEventStreams: p.EDGE_MAX_EVENT_STREAMS ?? EDGE_DEFAULTS.maxEventStreams,
    log: p.EDGE_LOG ?? 'json',
    fleet: {
      redisUrl: p.EDGE_REDIS_URL,
      upstreamRatePerSecond: p.EDGE_UPSTREAM_RATE_PER_SECOND ?? 0,
    },
  };
}
