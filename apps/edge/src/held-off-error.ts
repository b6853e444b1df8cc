/**
 * The upstream is being held off for this key after a 429 and there is nothing stale to serve.
 *
 * @example
 * ```ts
 * if (error instanceof HeldOffError) c.header('retry-after', String(Math.ceil(error.retryAfterMs / 1000)));
 * ```
 */
export class HeldOffError extends Error {
  override readonly name = 'HeldOffError';
  readonly code = 'UPSTREAM_RATE_LIMITED';
  readonly retryAfterMs: number;

  constructor(retryAfterMs: number) {
    super('The upstream is rate limiting this proxy; try again later.');
    this.retryAfterMs = retryAfterMs;
  }
}
