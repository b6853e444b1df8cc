import { assertValidId } from '@neurostatus/core';
import { fromBase64Url, toBase64Url } from './base64url.ts';
import { importHmacKey } from './hmac-key.ts';

/** Options of {@link mintStatusToken}. */
export interface MintStatusTokenOptions {
  /** The proxy's secret (at least 32 characters), shared with the backend that mints tokens. */
  secret: string;
  /** Documents the token may read. Default: none. */
  documentIds?: readonly string[];
  /** Requests the token may read. Default: none. */
  requestIds?: readonly string[];
  /** Lifetime in seconds, 1 to 604 800 (a week). Default 900 (15 minutes). */
  ttlSeconds?: number;
  /** Clock, epoch ms. Default `Date.now`. */
  now?: () => number;
}

/** What a valid token grants. */
export interface StatusTokenClaims {
  readonly documentIds: readonly string[];
  readonly requestIds: readonly string[];
  /** Epoch ms after which the token is refused. */
  readonly expiresAt: number;
}

/** Why a token was refused. */
export type StatusTokenProblem = 'malformed' | 'bad-signature' | 'expired';

/**
 * A token the proxy refused; the proxy answers 401 and makes no upstream call. The token itself is
 * never part of the message.
 *
 * @example
 * ```ts
 * if (error instanceof StatusTokenError && error.problem === 'expired') askTheBackendForANewOne();
 * ```
 */
export class StatusTokenError extends Error {
  override readonly name = 'StatusTokenError';
  readonly code = 'INVALID_TOKEN';
  readonly problem: StatusTokenProblem;

  constructor(problem: StatusTokenProblem) {
    super(`Status token refused: ${problem}.`);
    this.problem = problem;
  }
}

const VERSION = 'v1';
const MAX_IDS = 1_000;
const MAX_TOKEN_LENGTH = 64 * 1024;
const DEFAULT_TTL_SECONDS = 900;
const MAX_TTL_SECONDS = 7 * 24 * 60 * 60;

const encoder = new TextEncoder();

function ids(kind: 'document' | 'request', values: readonly string[] | undefined): string[] {
  const list = [...(values ?? [])];
  if (list.length > MAX_IDS)
    throw new TypeError(`A status token names at most ${MAX_IDS} ${kind} ids.`);
  for (const id of list) assertValidId(id, kind);
  return list;
}

/**
 * Mints a short-lived token naming the documents and requests a client (a browser, say) may read
 * through the proxy in `scoped-token` mode. The backend that submitted the documents mints it with
 * the proxy's secret; the client sends it as `Authorization: Bearer <token>`. Format:
 * `v1.<base64url JSON {d, r, exp}>.<base64url HMAC-SHA-256>`.
 *
 * @throws {TypeError} for a short secret, a bad ttl, more than 1,000 ids; `InvalidIdError` for a malformed id.
 * @example
 * ```ts
 * const token = await mintStatusToken({ secret: env.PROXY_SECRET, documentIds: [id], ttlSeconds: 600 });
 * ```
 */
export async function mintStatusToken(options: MintStatusTokenOptions): Promise<string> {
  const ttlSeconds = options.ttlSeconds ?? DEFAULT_TTL_SECONDS;
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > MAX_TTL_SECONDS) {
    throw new TypeError(`\`ttlSeconds\` must be an integer from 1 to ${MAX_TTL_SECONDS}.`);
  }
  const key = await importHmacKey(options.secret, 'status-token');
  const now = (options.now ?? Date.now)();
  const payload = {
    d: ids('document', options.documentIds),
    r: ids('request', options.requestIds),
    exp: Math.floor(now / 1000) + ttlSeconds,
  };
  const body = `${VERSION}.${toBase64Url(encoder.encode(JSON.stringify(payload)))}`;
  const signature = new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(body)));
  return `${body}.${toBase64Url(signature)}`;
}

function isStringArray(value: unknown): value is string[] {
  return (
    Array.isArray(value) &&
    value.length <= MAX_IDS &&
    value.every((item) => typeof item === 'string')
  );
}

/**
 * Checks a token's signature (in constant time, by `crypto.subtle.verify`) and expiry, and returns
 * what it grants.
 *
 * @throws {StatusTokenError} `malformed`, `bad-signature` or `expired`; never anything else for any input.
 * @example
 * ```ts
 * const claims = await verifyStatusToken(key, bearer, Date.now());
 * if (!claims.documentIds.includes(id)) return forbidden();
 * ```
 */
export async function verifyStatusToken(
  key: CryptoKey,
  token: string,
  now: number,
): Promise<StatusTokenClaims> {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH)
    throw new StatusTokenError('malformed');
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== VERSION) throw new StatusTokenError('malformed');
  const [version, encodedPayload, encodedSignature] = parts as [string, string, string];
  const signature = fromBase64Url(encodedSignature);
  const payloadBytes = fromBase64Url(encodedPayload);
  // An HMAC-SHA-256 is 32 bytes: anything else was never a signature of ours.
  if (signature?.length !== 32 || payloadBytes === undefined)
    throw new StatusTokenError('malformed');
  const signed = encoder.encode(`${version}.${encodedPayload}`);
  if (!(await crypto.subtle.verify('HMAC', key, signature, signed)))
    throw new StatusTokenError('bad-signature');
  let payload: unknown;
  try {
    payload = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payloadBytes));
  } catch {
    throw new StatusTokenError('malformed');
  }
  const { d, r, exp } = (payload ?? {}) as { d?: unknown; r?: unknown; exp?: unknown };
  if (!isStringArray(d) || !isStringArray(r) || typeof exp !== 'number' || !Number.isFinite(exp)) {
    throw new StatusTokenError('malformed');
  }
  if (exp * 1000 <= now) throw new StatusTokenError('expired');
  return { documentIds: d, requestIds: r, expiresAt: exp * 1000 };
}
