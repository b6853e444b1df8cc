/**
 * The upstream is being held off for this key after a 429 and there is nothing stale to serve.
 * `retryAfterMs` is the hold the proxy applies (capped), so clients are told what the proxy acts
 * on; `cause` is the upstream's 429 when this answer is the one that met it.
 *
 * @example
 * ```ts
 * if (error instanceof HeldOffError) c.header('retry-after', retryAfterSeconds(error.retryAfterMs));
 * ```
 */
export class HeldOffError extends Error {
  override readonly name = 'HeldOffError';
  readonly code = 'UPSTREAM_RATE_LIMITED';
  readonly retryAfterMs: number;

  constructor(retryAfterMs: number, options?: { cause?: unknown }) {
    super('The upstream is rate limiting this proxy; try again later.', options);
    this.retryAfterMs = retryAfterMs;
  }
}
