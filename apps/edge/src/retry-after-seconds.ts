/**
 * The `Retry-After` value (RFC 9110 section 10.2.3: whole seconds) for a wait in ms: rounded up,
 * so a client never comes back early, and at least 1, since `0` invites an immediate retry. The
 * one formatter of every `Retry-After` the proxy sends.
 *
 * @example
 * ```ts
 * retryAfterSeconds(1_200); // '2'
 * retryAfterSeconds(0); // '1'
 * ```
 */
export function retryAfterSeconds(ms: number): string {
  return String(Math.max(1, Math.ceil(ms / 1000)));
}
