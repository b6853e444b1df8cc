/**
 * `Authorization: Bearer <credential>`: the scheme in any case, then one or more spaces (RFC 9110
 * section 11.6.2), then the credential (visible ASCII, at most 64 KiB).
 */
const BEARER = /^Bearer +([\x21-\x7e]{1,65536})$/i;

/**
 * The credential of an `Authorization` header, or `undefined`: the one reading of the header, for
 * the authenticator and for the Worker's choice of status object.
 *
 * @example
 * ```ts
 * bearerKey('Bearer nl_abc'); // 'nl_abc'
 * ```
 */
export function bearerKey(authorization: string | null | undefined): string | undefined {
  return authorization == null ? undefined : BEARER.exec(authorization.trim())?.[1];
}
