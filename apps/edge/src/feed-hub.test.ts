import { fc, test } from '@fast-check/vitest';
import { describe, expect, it, vi } from 'vitest';
import { createFeedHub, type FeedListener } from './feed-hub.ts';

/** A listener that records what it was told. */
function recorder<T>() {
  const seen: Array<{ status: T } | 'end' | { error: unknown }> = [];
  const listener: FeedListener<T> = {
    status: (value) => seen.push({ status: value }),
    end: () => seen.push('end'),
    error: (error) => seen.push({ error }),
  };
  return { listener, seen };
}

/** A source the test drives by hand through the sink it was started with. */
function fakeSource<T>() {
  let sink: FeedListener<T> | undefined;
  const stop = vi.fn();
  const start = vi.fn((given: FeedListener<T>) => {
    sink = given;
    return stop;
  });
  return {
    start,
    stop,
    get sink(): FeedListener<T> {
      if (sink === undefined) throw new Error('the source was not started');
      return sink;
    },
  };
}

describe('createFeedHub', () => {
  it('starts one source per key however many listen', () => {
    const hub = createFeedHub<string>();
    const source = fakeSource<string>();
    for (let index = 0; index < 5; index += 1)
      hub.subscribe('k', source.start, recorder<string>().listener);
    expect(source.start).toHaveBeenCalledTimes(1);
    expect(hub.size).toBe(1);
    expect(hub.listeners).toBe(5);
  });

  it('starts a source for each key', () => {
    const hub = createFeedHub<string>();
    const one = fakeSource<string>();
    const two = fakeSource<string>();
    hub.subscribe('a', one.start, recorder<string>().listener);
    hub.subscribe('b', two.start, recorder<string>().listener);
    expect(one.start).toHaveBeenCalledTimes(1);
    expect(two.start).toHaveBeenCalledTimes(1);
    expect(hub.size).toBe(2);
  });

  it('tells every listener each value', () => {
    const hub = createFeedHub<string>();
    const source = fakeSource<string>();
    const first = recorder<string>();
    const second = recorder<string>();
    hub.subscribe('k', source.start, first.listener);
    hub.subscribe('k', source.start, second.listener);
    source.sink.status('pending');
    source.sink.status('processing');
    expect(first.seen).toEqual([{ status: 'pending' }, { status: 'processing' }]);
    expect(second.seen).toEqual([{ status: 'pending' }, { status: 'processing' }]);
  });

  it('gives a late listener the latest value at once', () => {
    const hub = createFeedHub<string>();
    const source = fakeSource<string>();
    hub.subscribe('k', source.start, recorder<string>().listener);
    source.sink.status('pending');
    source.sink.status('processing');
    const late = recorder<string>();
    hub.subscribe('k', source.start, late.listener);
    expect(late.seen).toEqual([{ status: 'processing' }]);
    source.sink.status('completed');
    expect(late.seen).toEqual([{ status: 'processing' }, { status: 'completed' }]);
  });

  it('tells a late listener nothing before the source has said anything', () => {
    const hub = createFeedHub<string>();
    const source = fakeSource<string>();
    hub.subscribe('k', source.start, recorder<string>().listener);
    const late = recorder<string>();
    hub.subscribe('k', source.start, late.listener);
    expect(late.seen).toEqual([]);
  });

  it('delivers a value the source gives while starting', () => {
    const hub = createFeedHub<string>();
    const first = recorder<string>();
    hub.subscribe(
      'k',
      (sink) => {
        sink.status('pending');
        return () => undefined;
      },
      first.listener,
    );
    expect(first.seen).toEqual([{ status: 'pending' }]);
  });

  it('tells every listener of the end and forgets the feed', () => {
    const hub = createFeedHub<string>();
    const source = fakeSource<string>();
    const first = recorder<string>();
    const second = recorder<string>();
    hub.subscribe('k', source.start, first.listener);
    hub.subscribe('k', source.start, second.listener);
    source.sink.status('completed');
    source.sink.end();
    expect(first.seen).toEqual([{ status: 'completed' }, 'end']);
    expect(second.seen).toEqual([{ status: 'completed' }, 'end']);
    expect(hub.size).toBe(0);
    expect(hub.listeners).toBe(0);

    const next = fakeSource<string>();
    const third = recorder<string>();
    hub.subscribe('k', next.start, third.listener);
    expect(next.start).toHaveBeenCalledTimes(1);
    expect(third.seen).toEqual([]);
  });

  it('tells every listener of an error and forgets the feed', () => {
    const hub = createFeedHub<string>();
    const source = fakeSource<string>();
    const first = recorder<string>();
    const second = recorder<string>();
    hub.subscribe('k', source.start, first.listener);
    hub.subscribe('k', source.start, second.listener);
    const failure = new Error('upstream down');
    source.sink.error(failure);
    expect(first.seen).toEqual([{ error: failure }]);
    expect(second.seen).toEqual([{ error: failure }]);
    expect(hub.size).toBe(0);
    expect(hub.listeners).toBe(0);

    const next = fakeSource<string>();
    hub.subscribe('k', next.start, recorder<string>().listener);
    expect(next.start).toHaveBeenCalledTimes(1);
  });

  it('does not stop a source that ended by itself', () => {
    const hub = createFeedHub<string>();
    const source = fakeSource<string>();
    const unsubscribe = hub.subscribe('k', source.start, recorder<string>().listener);
    source.sink.end();
    unsubscribe();
    expect(source.stop).not.toHaveBeenCalled();
  });

  it('handles a source that ends while starting', () => {
    const hub = createFeedHub<string>();
    const first = recorder<string>();
    const stop = vi.fn();
    const unsubscribe = hub.subscribe(
      'k',
      (sink) => {
        sink.status('completed');
        sink.end();
        return stop;
      },
      first.listener,
    );
    expect(first.seen).toEqual([{ status: 'completed' }, 'end']);
    expect(hub.size).toBe(0);
    expect(hub.listeners).toBe(0);
    unsubscribe();
    expect(stop).not.toHaveBeenCalled();
    expect(hub.listeners).toBe(0);
  });

  it('stops the source exactly once, when its last listener leaves', () => {
    const hub = createFeedHub<string>();
    const source = fakeSource<string>();
    const leaveFirst = hub.subscribe('k', source.start, recorder<string>().listener);
    const leaveSecond = hub.subscribe('k', source.start, recorder<string>().listener);
    leaveFirst();
    expect(source.stop).not.toHaveBeenCalled();
    expect(hub.size).toBe(1);
    leaveSecond();
    expect(source.stop).toHaveBeenCalledTimes(1);
    expect(hub.size).toBe(0);
    leaveSecond();
    leaveFirst();
    expect(source.stop).toHaveBeenCalledTimes(1);
  });

  it('keeps counts right when a listener leaves twice', () => {
    const hub = createFeedHub<string>();
    const source = fakeSource<string>();
    const leave = hub.subscribe('k', source.start, recorder<string>().listener);
    hub.subscribe('k', source.start, recorder<string>().listener);
    leave();
    leave();
    expect(hub.listeners).toBe(1);
    expect(hub.size).toBe(1);
    expect(source.stop).not.toHaveBeenCalled();
  });

  it('stops telling a listener once it has left', () => {
    const hub = createFeedHub<string>();
    const source = fakeSource<string>();
    const gone = recorder<string>();
    const leave = hub.subscribe('k', source.start, gone.listener);
    hub.subscribe('k', source.start, recorder<string>().listener);
    leave();
    source.sink.status('processing');
    source.sink.end();
    expect(gone.seen).toEqual([]);
  });

  it('lets a listener of an old feed leave without touching the new feed of the same key', () => {
    const hub = createFeedHub<string>();
    const old = fakeSource<string>();
    const leaveOld = hub.subscribe('k', old.start, recorder<string>().listener);
    old.sink.end();
    const fresh = fakeSource<string>();
    hub.subscribe('k', fresh.start, recorder<string>().listener);
    leaveOld();
    expect(hub.size).toBe(1);
    expect(hub.listeners).toBe(1);
    expect(fresh.stop).not.toHaveBeenCalled();
  });

  it('ignores an old source that ends after a new feed took its key', () => {
    const hub = createFeedHub<string>();
    const old = fakeSource<string>();
    const leaveOld = hub.subscribe('k', old.start, recorder<string>().listener);
    leaveOld();
    expect(old.stop).toHaveBeenCalledTimes(1);
    const fresh = fakeSource<string>();
    const listener = recorder<string>();
    hub.subscribe('k', fresh.start, listener.listener);
    old.sink.end();
    expect(hub.size).toBe(1);
    expect(hub.listeners).toBe(1);
    expect(listener.seen).toEqual([]);
  });

  test.prop([
    fc.array(
      fc.oneof(
        fc.record({ kind: fc.constant('subscribe' as const), key: fc.constantFrom('a', 'b', 'c') }),
        fc.record({ kind: fc.constant('unsubscribe' as const), index: fc.nat() }),
      ),
      { maxLength: 60 },
    ),
  ])('counts live listeners and stops each source iff all its listeners left', (steps) => {
    const hub = createFeedHub<number>();
    const subscriptions: Array<{ key: string; leave: () => void; live: boolean }> = [];
    const stops = new Map<string, Array<ReturnType<typeof vi.fn>>>();

    for (const step of steps) {
      if (step.kind === 'subscribe') {
        const leave = hub.subscribe(
          step.key,
          () => {
            const stop = vi.fn();
            stops.set(step.key, [...(stops.get(step.key) ?? []), stop]);
            return stop;
          },
          recorder<number>().listener,
        );
        subscriptions.push({ key: step.key, leave, live: true });
      } else if (subscriptions.length > 0) {
        const subscription = subscriptions[step.index % subscriptions.length];
        if (subscription === undefined) throw new Error('unreachable');
        subscription.leave();
        subscription.live = false;
      }

      const live = subscriptions.filter((each) => each.live);
      expect(hub.listeners).toBe(live.length);
      expect(hub.size).toBe(new Set(live.map((each) => each.key)).size);
      for (const [key, keyStops] of stops) {
        const running = live.some((each) => each.key === key);
        // Every source of the key but the running one (if any) was stopped exactly once.
        keyStops.forEach((stop, index) => {
          const isCurrent = index === keyStops.length - 1;
          expect(stop).toHaveBeenCalledTimes(isCurrent && running ? 0 : 1);
        });
      }
    }
  });
});

describe('feed hub edge cases', () => {
  it('counts the same listener subscribed twice as two subscriptions', () => {
    const hub = createFeedHub<number>();
    const stop = vi.fn();
    const listener = recorder<number>().listener;
    const leaveFirst = hub.subscribe('k', () => stop, listener);
    const leaveSecond = hub.subscribe('k', () => stop, listener);
    expect(hub.listeners).toBe(2);
    leaveFirst();
    expect(stop).not.toHaveBeenCalled();
    expect(hub.listeners).toBe(1);
    leaveSecond();
    expect(stop).toHaveBeenCalledTimes(1);
    expect(hub.listeners).toBe(0);
  });

  it('leaves nothing behind when a source fails to start, so the next subscriber starts one', () => {
    const hub = createFeedHub<number>();
    const listener = recorder<number>().listener;
    expect(() =>
      hub.subscribe(
        'k',
        () => {
          throw new Error('boom');
        },
        listener,
      ),
    ).toThrow('boom');
    expect(hub.size).toBe(0);
    expect(hub.listeners).toBe(0);
    const start = vi.fn(() => () => {});
    hub.subscribe('k', start, listener);
    expect(start).toHaveBeenCalledTimes(1);
  });
});
