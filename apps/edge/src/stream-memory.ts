import type { StatusCache, UpstreamAnswer } from './status-cache.ts';

/**
 * How long a stream's "not found" is kept for reconnects (ms), whatever
 * `EDGE_NOT_FOUND_TTL_SECONDS` says: longer than EventSource's reconnect delay (`retry:` 2 s), so
 * the reconnect meets it and gets 404.
 */
export const STREAM_NOT_FOUND_MS = 30_000;

/**
 * Where a stream's final "not found" is kept for reconnects, apart from the status's own key, so
 * that status reads keep their brief 404 (`EDGE_NOT_FOUND_TTL_SECONDS`). `#` never occurs in a
 * cache key (ids are percent-encoded), so no id can reach this key.
 *
 * @example
 * ```ts
 * const ended = await cache.fresh(streamEndKey(key)); // a 404 entry, or undefined
 * ```
 */
export function streamEndKey(key: string): string {
  return `${key}#stream-end`;
}

/**
 * Stores what an event stream's feed learned under `key`: each status, as a read would; a final
 * "not found" (the id never appeared within the poller's grace period) both as a read's brief
 * 404 and, for {@link STREAM_NOT_FOUND_MS}, under {@link streamEndKey}, where only a reconnecting
 * stream looks. Never rejects.
 *
 * @example
 * ```ts
 * const remember = (answer: UpstreamAnswer) => waitUntil(rememberFeedAnswer(cache, key, answer));
 * ```
 */
export async function rememberFeedAnswer(
  cache: Pick<StatusCache, 'remember'>,
  key: string,
  answer: UpstreamAnswer,
): Promise<void> {
  const writes = [cache.remember(key, answer)];
  if (answer.status === 404) {
    writes.push(cache.remember(streamEndKey(key), { ...answer, minFreshMs: STREAM_NOT_FOUND_MS }));
  }
  await Promise.all(writes.map((write) => write.catch(() => undefined)));
}
