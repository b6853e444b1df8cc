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

interface Feed<T> {
  readonly listeners: Set<FeedListener<T>>;
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
export function createFeedHub<T>(): FeedHub<T> {
  const feeds = new Map<string, Feed<T>>();
  let listenerCount = 0;

  const finish = (key: string, feed: Feed<T>, notify: (listener: FeedListener<T>) => void) => {
    if (feeds.get(key) === feed) feeds.delete(key);
    const listeners = [...feed.listeners];
    listenerCount -= feed.listeners.size;
    feed.listeners.clear();
    for (const listener of listeners) notify(listener);
  };

  return {
    get size() {
      return feeds.size;
    },
    get listeners() {
      return listenerCount;
    },
    subscribe(key, start, listener) {
      let feed = feeds.get(key);
      listenerCount += 1;
      if (feed === undefined) {
        const created: Feed<T> = {
          listeners: new Set([listener]),
          latest: undefined,
          stop: undefined,
        };
        feed = created;
        feeds.set(key, created);
        created.stop = start({
          status(value) {
            created.latest = value;
            for (const each of [...created.listeners]) each.status(value);
          },
          end: () => finish(key, created, (each) => each.end()),
          error: (error) => finish(key, created, (each) => each.error(error)),
        });
      } else {
        feed.listeners.add(listener);
        if (feed.latest !== undefined) listener.status(feed.latest);
      }
      const subscribed = feed;
      return () => {
        if (!subscribed.listeners.delete(listener)) return;
        listenerCount -= 1;
        if (subscribed.listeners.size > 0 || feeds.get(key) !== subscribed) return;
        feeds.delete(key);
        subscribed.stop?.();
      };
    },
  };
}
