import type { FeedListener } from './feed-hub.ts';
import { type JsonErrorReply, jsonErrorReply } from './json-error.ts';
import { setNewest } from './set-newest.ts';
import type { UpstreamFailure } from './upstream-failure.ts';

/**
 * How long an event stream's refusal is kept (ms): longer than EventSource's reconnect delay
 * (`retry:` 2 s), so the reconnect meets it, and short enough that a fixed key or a topped-up
 * account is believed again soon.
 */
export const STREAM_REFUSAL_MS = 30_000;

/** At most this many refusals are kept; the oldest go first. */
const MAX_REFUSALS = 10_000;

/**
 * The event streams the upstream refused (its answer would be the same on the next try), per
 * stream key (tenant, kind, id), kept {@link STREAM_REFUSAL_MS} by this instance: a reconnecting
 * EventSource is answered with the refusal's HTTP status, which stops it, instead of by a new
 * poll that the upstream refuses again.
 *
 * @example
 * ```ts
 * const refusals = createStreamRefusals(() => clock.now());
 * hub.subscribe(key, source, refusals.noting(key, (error) => upstreamFailure(error, mode), listener));
 * const reply = refusals.find(key); // on the reconnect: 401, 402, 403 or 502
 * ```
 */
export interface StreamRefusals {
  /** The answer for a stream the upstream refused less than {@link STREAM_REFUSAL_MS} ago. */
  find(key: string): JsonErrorReply | undefined;
  /** `listener`, noting the feed's failure under `key` when it is a refusal. */
  noting<T>(
    key: string,
    failureOf: (error: unknown) => UpstreamFailure | undefined,
    listener: FeedListener<T>,
  ): FeedListener<T>;
}

/**
 * Whether an upstream failure is a refusal that asking again will not change: the key refused
 * (401, or 502 when it is the proxy's), not allowed (403) or out of credit (402). Timeouts, rate
 * limits, 5xx and invalid answers may pass; an unknown id has its own memory, in the cache.
 */
function isRefusal(failure: UpstreamFailure | undefined): failure is UpstreamFailure {
  if (failure === undefined) return false;
  return (
    failure.status === 401 ||
    failure.status === 402 ||
    failure.status === 403 ||
    failure.code === 'UPSTREAM_CREDENTIALS_REJECTED'
  );
}

/** A new, empty memory of refused streams, on `now` (epoch ms). */
export function createStreamRefusals(now: () => number): StreamRefusals {
  const kept = new Map<string, { reply: JsonErrorReply; until: number }>();
  return {
    find(key) {
      const refusal = kept.get(key);
      if (refusal === undefined) return undefined;
      if (refusal.until > now()) return refusal.reply;
      kept.delete(key);
      return undefined;
    },
    noting(key, failureOf, listener) {
      return {
        status: (value) => listener.status(value),
        end: () => listener.end(),
        error(error) {
          const failure = failureOf(error);
          if (isRefusal(failure)) {
            const reply = jsonErrorReply(failure.code, failure.message, failure.status);
            setNewest(kept, key, { reply, until: now() + STREAM_REFUSAL_MS }, MAX_REFUSALS);
          }
          listener.error(error);
        },
      };
    },
  };
}
