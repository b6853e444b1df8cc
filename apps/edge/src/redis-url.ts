/** Why a Redis URL was refused; the message never quotes the URL (it may hold a password). */
export class RedisUrlError extends TypeError {
  override readonly name = 'RedisUrlError' as const;
  readonly code = 'INVALID_REDIS_URL' as const;
}

/**
 * Checks a Redis URL (`redis://` or `rediss://` for TLS, as node-redis and `redis-cli -u` read
 * them) and returns it unchanged. The one owner of this rule: the configuration and the fleet
 * connection both call it.
 *
 * @throws {RedisUrlError} for anything else; its message never contains the URL.
 * @example
 * ```ts
 * assertRedisUrl('rediss://:secret@redis.internal:6380/0');
 * ```
 */
export function assertRedisUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new RedisUrlError('must be a URL such as redis://host:6379 or rediss://host:6380.');
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new RedisUrlError('must start with redis:// or rediss:// (TLS).');
  }
  if (url.hostname === '') throw new RedisUrlError('must name a host.');
  const database = url.pathname.replace(/^\//, '');
  if (database !== '' && !/^\d{1,5}$/.test(database)) {
    throw new RedisUrlError('may only have a database number as its path (redis://host:6379/0).');
  }
  return value;
}

/**
 * The URL with its user name and password masked, for a log line: `redis://***@host:6379/0`.
 * Anything that does not parse becomes `(invalid Redis URL)`, never the raw text.
 *
 * @example
 * ```ts
 * log({ msg: 'fleet: Redis unreachable', redis: redactRedisUrl(url) });
 * ```
 */
export function redactRedisUrl(value: string): string {
  try {
    const url = new URL(value);
    const credentials = url.username !== '' || url.password !== '' ? '***@' : '';
    return `${url.protocol}//${credentials}${url.host}${url.pathname === '/' ? '' : url.pathname}`;
  } catch {
    return '(invalid Redis URL)';
  }
}
