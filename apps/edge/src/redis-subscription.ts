/** The pub/sub connection, as {@link subscribeUntilConfirmed} uses it. */
export interface Subscriber {
  readonly isReady: boolean;
  subscribe(channel: string, listener: (message: string) => void): Promise<unknown>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** How often a subscription waiting for its connection looks again, ms. */
const READY_CHECK_MS = 50;

/**
 * Subscribes until Redis confirms it, or `closed()`. node-redis registers a channel's listener only
 * when Redis confirms the SUBSCRIBE, and renews only registered channels after a reconnection: a
 * SUBSCRIBE whose connection died before its confirmation would be lost for good (an instance that
 * never hears its fleet again). So a failed one is sent again once the connection is back, after a
 * back-off (a refusal, such as an ACL's, is not retried in a tight loop).
 *
 * @throws what the last attempt threw, once `closed()`.
 * @example
 * ```ts
 * await subscribeUntilConfirmed(subscriber, 'neurostatus:feeds', onMessage, () => closed, backoff);
 * ```
 */
export async function subscribeUntilConfirmed(
  subscriber: Subscriber,
  channel: string,
  listener: (message: string) => void,
  closed: () => boolean,
  backoffMs: (attempt: number) => number,
): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await subscriber.subscribe(channel, listener);
      return;
    } catch (error) {
      if (closed()) throw error;
      await sleep(backoffMs(attempt));
      while (!subscriber.isReady && !closed()) await sleep(READY_CHECK_MS);
    }
  }
}
