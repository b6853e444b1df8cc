import type { AfterResponseHook, BeforeRequestHook } from 'ky';
import { assertApiKey } from './assert-api-key.ts';
import { assertBaseUrl } from './assert-base-url.ts';
import { assertDuration } from './assert-duration.ts';
import type { NeurolinkerError } from './errors.ts';
import { InvalidOptionError } from './invalid-option-error.ts';

/**
 * Where the API lives, per the endpoint tables of the Neurolinker docs.
 *
 * @example
 * ```ts
 * createNeurolinkerClient({ apiKey, baseUrl: DEFAULT_BASE_URL.replace('/api/v1', '/v1') });
 * ```
 */
export const DEFAULT_BASE_URL = 'https://neurolinker.api.ainexxo.com/api/v1';

/**
 * Statuses worth another attempt: the request may succeed unchanged a moment later.
 *
 * @example
 * ```ts
 * RETRY_STATUS_CODES.has(503); // true
 * ```
 */
export const RETRY_STATUS_CODES: ReadonlySet<number> = new Set([408, 425, 429, 500, 502, 503, 504]);

/**
 * How failed attempts are retried.
 *
 * @example
 * ```ts
 * createNeurolinkerClient({ apiKey, retry: { limit: 4, maxRetryAfterMs: 120_000 } });
 * ```
 */
export interface RetryOptions {
  /** Retries after the first attempt. Default 2. */
  limit?: number;
  /** Backoff scale for the first retry, in ms (full jitter). Default 300. */
  baseDelayMs?: number;
  /** Longest backoff, in ms. Default 10 000. */
  maxDelayMs?: number;
  /**
   * Longest `Retry-After` / `retry-after-ms` hint the client will wait out, in ms. A longer hint
   * stops retrying and surfaces the error (a `RateLimitError` carrying `retryAfterMs`). Default 60 000.
   */
  maxRetryAfterMs?: number;
}

/**
 * What the client tells `onRetry` before it waits.
 *
 * @example
 * ```ts
 * const onRetry = ({ attempt, delayMs, error }: RetryEvent) => log.warn({ attempt, delayMs, code: error.code });
 * createNeurolinkerClient({ apiKey, hooks: { onRetry } });
 * ```
 */
export interface RetryEvent {
  /** The attempt that failed, from 1. */
  readonly attempt: number;
  /** How long the client will wait before the next attempt, in ms. */
  readonly delayMs: number;
  /** Why the attempt failed. */
  readonly error: NeurolinkerError;
}

/**
 * Hooks into each HTTP attempt. `beforeRequest`/`afterResponse` are ky's hooks, run per attempt.
 *
 * @example
 * ```ts
 * const hooks: ClientHooks = { beforeRequest: [(request) => request.headers.set('x-trace-id', traceId)] };
 * ```
 */
export interface ClientHooks {
  beforeRequest?: BeforeRequestHook[];
  afterResponse?: AfterResponseHook[];
  /** Called before each retry wait; for logs and metrics. Exceptions thrown here are ignored. */
  onRetry?: (event: RetryEvent) => void;
}

/**
 * Options of {@link createNeurolinkerClient}.
 *
 * @example
 * ```ts
 * const options: NeurolinkerClientOptions = { apiKey, baseUrl: 'http://127.0.0.1:4010/api/v1', timeoutMs: 5_000 };
 * ```
 */
export interface NeurolinkerClientOptions {
  /** Sent as `Authorization: Bearer <apiKey>`. Never appears in an error, a log line or `toJSON()`. */
  apiKey: string;
  /** API root, without a trailing slash. Default `https://neurolinker.api.ainexxo.com/api/v1`. */
  baseUrl?: string;
  /** The `fetch` to use; looked up on each call when omitted, so test doubles installed later apply. */
  fetch?: typeof globalThis.fetch;
  /** Limit for one attempt, headers and body, in ms. Default 15 000. */
  timeoutMs?: number;
  /** Limit for a whole call, retries and waits included, in ms. Default 60 000. */
  deadlineMs?: number;
  /** Retry settings, or `false` for a single attempt. */
  retry?: RetryOptions | false;
  /** Sent as `User-Agent` where the runtime allows it. Default: none (the runtime's own). */
  userAgent?: string;
  /** Extra headers on every request. `Authorization` is always the one built from `apiKey`. */
  headers?: HeadersInit;
  /** Hooks into each attempt. */
  hooks?: ClientHooks;
  /** Largest response body accepted, in bytes. Default 1 MiB. */
  maxResponseBytes?: number;
  /** Clock for deadlines and `Retry-After` dates, in epoch ms. Default `Date.now`. */
  now?: () => number;
  /** Waits between retries; must reject with `signal.reason` on abort. Default: a timer. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Random source in [0, 1) for jitter. Default `Math.random`. */
  random?: () => number;
}

/**
 * Options for one call.
 *
 * @example
 * ```ts
 * await client.getDocumentStatus(id, { signal: AbortSignal.timeout(5_000), retryLimit: 0 });
 * ```
 */
export interface RequestOptions {
  /** Cancels the in-flight attempt and any retry wait at once; the call rejects with `signal.reason`. */
  signal?: AbortSignal;
  /** Overrides the client's `deadlineMs` for this call. */
  deadlineMs?: number;
  /**
   * Overrides `retry.limit` for this call; `0` makes exactly one HTTP request. Pollers that retry on
   * their own schedule pass 0, so every request they make is one they counted and budgeted.
   */
  retryLimit?: number;
}

/**
 * The options after defaults and validation; what the client actually uses.
 *
 * @example
 * ```ts
 * const { timeoutMs, retry } = resolveClientOptions({ apiKey });
 * ```
 */
export interface ResolvedClientOptions {
  readonly apiKey: string;
  readonly baseUrl: string;
  readonly fetch: typeof globalThis.fetch | undefined;
  readonly timeoutMs: number;
  readonly deadlineMs: number;
  readonly retry: Required<RetryOptions>;
  readonly headers: Headers;
  readonly hooks: {
    readonly beforeRequest: BeforeRequestHook[];
    readonly afterResponse: AfterResponseHook[];
    readonly onRetry: ((event: RetryEvent) => void) | undefined;
  };
  readonly maxResponseBytes: number;
  readonly now: () => number;
  readonly sleep: ((ms: number, signal?: AbortSignal) => Promise<void>) | undefined;
  readonly random: () => number;
}

const DEFAULTS = {
  baseUrl: DEFAULT_BASE_URL,
  timeoutMs: 15_000,
  deadlineMs: 60_000,
  retry: { limit: 2, baseDelayMs: 300, maxDelayMs: 10_000, maxRetryAfterMs: 60_000 },
  maxResponseBytes: 1024 * 1024,
} as const;

function checkDuration(
  name: string,
  value: number | undefined,
  fallback: number,
  allowZero = false,
): number {
  return value === undefined ? fallback : assertDuration(value, name, { allowZero });
}

function checkFunction<T>(name: string, value: T | undefined): T | undefined {
  if (value !== undefined && typeof value !== 'function')
    throw new InvalidOptionError(name, 'must be a function');
  return value;
}

function resolveHeaders(headers: HeadersInit | undefined): Headers {
  try {
    return new Headers(headers);
  } catch {
    // Not the runtime's own TypeError: it quotes the header, and a header may hold a credential.
    throw new InvalidOptionError(
      'headers',
      'must be a Headers, an array of [name, value] pairs or a record, of valid names and values without line breaks',
    );
  }
}

/** ky's hooks are run one by one on each attempt: one that is not a function fails every call. */
function checkHookList<T>(name: string, value: readonly T[] | undefined): T[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((hook) => typeof hook === 'function')) {
    throw new InvalidOptionError(name, 'must be an array of functions');
  }
  return [...value];
}

function resolveHooks(hooks: ClientHooks | undefined = {}): ResolvedClientOptions['hooks'] {
  if (typeof hooks !== 'object' || hooks === null)
    throw new InvalidOptionError('hooks', 'must be an object');
  return {
    beforeRequest: checkHookList('hooks.beforeRequest', hooks.beforeRequest),
    afterResponse: checkHookList('hooks.afterResponse', hooks.afterResponse),
    onRetry: checkFunction('hooks.onRetry', hooks.onRetry),
  };
}

function resolveBaseUrl(baseUrl: string | undefined): string {
  return baseUrl === undefined ? DEFAULTS.baseUrl : assertBaseUrl(baseUrl);
}

function resolveRetry(retry: RetryOptions | false | undefined): Required<RetryOptions> {
  if (retry === false) return { ...DEFAULTS.retry, limit: 0 };
  if (retry === undefined) return { ...DEFAULTS.retry };
  if (typeof retry !== 'object' || retry === null)
    throw new InvalidOptionError('retry', 'must be an object or false');
  const limit = retry.limit ?? DEFAULTS.retry.limit;
  if (!Number.isInteger(limit) || limit < 0 || limit > 100) {
    throw new InvalidOptionError('retry.limit', 'must be an integer from 0 to 100');
  }
  return {
    limit,
    baseDelayMs: checkDuration(
      'retry.baseDelayMs',
      retry.baseDelayMs,
      DEFAULTS.retry.baseDelayMs,
      true,
    ),
    maxDelayMs: checkDuration(
      'retry.maxDelayMs',
      retry.maxDelayMs,
      DEFAULTS.retry.maxDelayMs,
      true,
    ),
    maxRetryAfterMs: checkDuration(
      'retry.maxRetryAfterMs',
      retry.maxRetryAfterMs,
      DEFAULTS.retry.maxRetryAfterMs,
      true,
    ),
  };
}

/**
 * Applies defaults and validates every option once, at construction, so calls never re-check.
 *
 * @throws {InvalidOptionError} (a `TypeError`) naming the bad option in `option` and in the
 *   message; the message never contains the key.
 *
 * @example
 * ```ts
 * resolveClientOptions({ apiKey: '' }); // throws TypeError naming `apiKey`
 * ```
 */
export function resolveClientOptions(options: NeurolinkerClientOptions): ResolvedClientOptions {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionError('options', 'must be an object with an `apiKey`');
  }
  const apiKey = assertApiKey(options.apiKey);
  const headers = resolveHeaders(options.headers);
  headers.set('accept', 'application/json');
  if (options.userAgent !== undefined) {
    if (typeof options.userAgent !== 'string' || !/^[\x20-\x7e]+$/.test(options.userAgent)) {
      throw new InvalidOptionError('userAgent', 'must be a non-empty string of printable ASCII');
    }
    headers.set('user-agent', options.userAgent);
  }
  headers.set('authorization', `Bearer ${apiKey}`);
  const maxResponseBytes = options.maxResponseBytes ?? DEFAULTS.maxResponseBytes;
  if (!Number.isInteger(maxResponseBytes) || maxResponseBytes < 1) {
    throw new InvalidOptionError('maxResponseBytes', 'must be a positive integer');
  }
  const hooks = resolveHooks(options.hooks);
  return {
    apiKey,
    baseUrl: resolveBaseUrl(options.baseUrl),
    fetch: checkFunction('fetch', options.fetch),
    timeoutMs: checkDuration('timeoutMs', options.timeoutMs, DEFAULTS.timeoutMs),
    deadlineMs: checkDuration('deadlineMs', options.deadlineMs, DEFAULTS.deadlineMs),
    retry: resolveRetry(options.retry),
    headers,
    hooks,
    maxResponseBytes,
    now: checkFunction('now', options.now) ?? (() => Date.now()),
    sleep: checkFunction('sleep', options.sleep),
    random: checkFunction('random', options.random) ?? (() => Math.random()),
  };
}

/**
 * Validates a per-call retry limit override.
 *
 * @example
 * ```ts
 * resolveRetryLimit(undefined, 2); // 2
 * ```
 */
export function resolveRetryLimit(retryLimit: number | undefined, fallback: number): number {
  if (retryLimit === undefined) return fallback;
  if (!Number.isInteger(retryLimit) || retryLimit < 0 || retryLimit > 100) {
    throw new InvalidOptionError('retryLimit', 'must be an integer from 0 to 100');
  }
  return retryLimit;
}

/**
 * Validates a per-call signal: an `AbortSignal`, recognised by its methods so that one from
 * another realm (an iframe, a test environment) is accepted too.
 *
 * @throws {InvalidOptionError} naming `signal`, for anything else.
 * @example
 * ```ts
 * resolveSignal(AbortSignal.timeout(5_000)); // the signal
 * ```
 */
export function resolveSignal(signal: AbortSignal | undefined): AbortSignal | undefined {
  if (signal === undefined || signal === null) return undefined;
  const candidate = signal as Partial<AbortSignal> | null;
  const isSignal =
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.aborted === 'boolean' &&
    typeof candidate.throwIfAborted === 'function' &&
    typeof candidate.addEventListener === 'function' &&
    typeof candidate.removeEventListener === 'function';
  if (!isSignal) throw new InvalidOptionError('signal', 'must be an AbortSignal');
  return signal;
}

/**
 * Validates a per-call deadline override.
 *
 * @example
 * ```ts
 * resolveDeadline(5_000, 60_000); // 5000
 * ```
 */
export function resolveDeadline(deadlineMs: number | undefined, fallback: number): number {
  return checkDuration('deadlineMs', deadlineMs, fallback);
}
