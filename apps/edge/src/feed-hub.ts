/** What a feed tells its listeners; listeners should not throw. */
export interface FeedListener<T> {
  /** The latest value at once (when there is one), then each change. */
  status(value: T): void;
  /** The feed is over: a terminal status was delivered, or the source closed. */
  end(): void;
  /** The source failed; no more values follow. */
  error(error: unknown): void;
}

/** Starts the one upstream loop of a feed and returns the function that stops it. */
export type FeedSource<T> = (sink: FeedListener<T>) => () => void;

/** See {@link createFeedHub}. */
export interface FeedHub<T> {
  /**
   * Listens to the feed for `key`, starting it with `start` if no one else listens yet. Returns
   * the function that stops listening; the loop stops with its last listener.
   */
  subscribe(key: string, start: FeedSource<T>, listener: FeedListener<T>): () => void;
  /** Feeds running. */
  readonly size: number;
  /** Listeners across all feeds. */
  readonly listeners: number;
}

/** Options of {@link createFeedHub}. */
export interface FeedHubOptions<T> {
  /**
   * Wraps each feed's source when the feed starts, e.g. `createFleetFeeds(...).share`, so that one
   * instance of a fleet runs the loop for all. Default: the source as it is.
   */
  readonly share?: (key: string, source: FeedSource<T>) => FeedSource<T>;
}

/** One call of `subscribe`: the same listener subscribed twice is two subscriptions. */
interface Subscription<T> {
  readonly listener: FeedListener<T>;
}

interface Feed<T> {
  readonly listeners: Set<Subscription<T>>;
  latest: T | undefined;
  stop: (() => void) | undefined;
}

/**
 * One upstream loop per key, shared by every listener: a thousand browsers following one
 * document's events cost one poll loop, and a late listener gets the latest status at once.
 *
 * @example
 * ```ts
 * const hub = createFeedHub<DocumentStatus>();
 * const stop = hub.subscribe(key, (sink) => scheduler.subscribe(client, id, sink), listener);
 * ```
 */
export function createFeedHub<T>(options: FeedHubOptions<T> = {}): FeedHub<T> {
  const { share } = options;
  const feeds = new Map<string, Feed<T>>();
  let listenerCount = 0;

  const finish = (key: string, feed: Feed<T>, notify: (listener: FeedListener<T>) => void) => {
    if (feeds.get(key) === feed) feeds.delete(key);
    const listeners = [...feed.listeners];
    listenerCount -= feed.listeners.size;
    feed.listeners.clear();
    for (const { listener } of listeners) notify(listener);
  };

  return {
    get size() {
      return feeds.size;
    },
    get listeners() {
      return listenerCount;
    },
    subscribe(key, start, listener) {
      const subscription: Subscription<T> = { listener };
      let feed = feeds.get(key);
      if (feed === undefined) {
        const created: Feed<T> = {
          listeners: new Set([subscription]),
          latest: undefined,
          stop: undefined,
        };
        feed = created;
        feeds.set(key, created);
        listenerCount += 1;
        try {
          created.stop = (share === undefined ? start : share(key, start))({
            status(value) {
              created.latest = value;
              for (const each of [...created.listeners]) each.listener.status(value);
            },
            end: () => finish(key, created, (each) => each.end()),
            error: (error) => finish(key, created, (each) => each.error(error)),
          });
        } catch (error) {
          // A source that cannot start leaves nothing behind: the next subscriber tries again.
          if (feeds.get(key) === created) feeds.delete(key);
          listenerCount -= created.listeners.size;
          created.listeners.clear();
          throw error;
        }
      } else {
        feed.listeners.add(subscription);
        listenerCount += 1;
        if (feed.latest !== undefined) listener.status(feed.latest);
      }
      const subscribed = feed;
      return () => {
        if (!subscribed.listeners.delete(subscription)) return;
        listenerCount -= 1;
        if (subscribed.listeners.size > 0 || feeds.get(key) !== subscribed) return;
        feeds.delete(key);
        subscribed.stop?.();
      };
    },
  };
}
