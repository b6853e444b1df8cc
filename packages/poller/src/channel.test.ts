import { describe, expect, it, vi } from 'vitest';
import { createChannel } from './channel.ts';

describe('createChannel', () => {
  it('delivers buffered values in order, then ends after close', async () => {
    const channel = createChannel<number>();
    channel.push(1);
    channel.push(2);
    channel.close();
    channel.push(3);
    const seen: number[] = [];
    for await (const value of channel) seen.push(value);
    expect(seen).toEqual([1, 2]);
    expect(channel.ended).toBe(true);
  });

  it('hands a pushed value straight to a consumer that is already waiting', async () => {
    const channel = createChannel<string>();
    const next = channel.next();
    channel.push('a');
    await expect(next).resolves.toEqual({ value: 'a', done: false });
    const end = channel.next();
    channel.close();
    await expect(end).resolves.toEqual({ value: undefined, done: true });
  });

  it('resolves several waiting next() calls in the order they were made', async () => {
    const channel = createChannel<number>();
    const first = channel.next();
    const second = channel.next();
    const third = channel.next();
    channel.push(1);
    channel.push(2);
    channel.close();
    await expect(first).resolves.toEqual({ value: 1, done: false });
    await expect(second).resolves.toEqual({ value: 2, done: false });
    await expect(third).resolves.toEqual({ value: undefined, done: true });
  });

  it('delivers the values buffered before a failure, then throws the failure', async () => {
    const channel = createChannel<number>();
    const failure = new Error('loop failed');
    channel.push(1);
    channel.push(2);
    channel.fail(failure);
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const value of channel) seen.push(value);
      })(),
    ).rejects.toBe(failure);
    expect(seen).toEqual([1, 2]);
  });

  it('throws a failure to the consumer waiting at the time', async () => {
    const channel = createChannel<number>();
    const waiting = channel.next();
    channel.fail('boom');
    await expect(waiting).rejects.toBe('boom');
    await expect(channel.next()).resolves.toEqual({ value: undefined, done: true });
  });

  it('delivers a failure once: later next() calls report the end', async () => {
    const channel = createChannel<number>();
    channel.fail('boom');
    await expect(channel.next()).rejects.toBe('boom');
    await expect(channel.next()).resolves.toEqual({ value: undefined, done: true });
    await expect(channel.next()).resolves.toEqual({ value: undefined, done: true });
  });

  it('ignores close, fail and push once it has ended', async () => {
    const channel = createChannel<number>();
    channel.close();
    channel.fail('late failure');
    channel.push(1);
    await expect(channel.next()).resolves.toEqual({ value: undefined, done: true });

    const failed = createChannel<number>();
    failed.fail('first');
    failed.fail('second');
    failed.close();
    failed.push(2);
    await expect(failed.next()).rejects.toBe('first');
    await expect(failed.next()).resolves.toEqual({ value: undefined, done: true });
  });

  it('calls onEnd exactly once when the consumer breaks', async () => {
    const onEnd = vi.fn();
    const channel = createChannel<number>(onEnd);
    channel.push(1);
    channel.push(2);
    for await (const value of channel) {
      expect(value).toBe(1);
      break;
    }
    expect(onEnd).toHaveBeenCalledTimes(1);
    expect(channel.ended).toBe(true);
    // The values left behind are dropped, and so is anything pushed afterwards.
    channel.push(3);
    channel.close();
    channel.fail('ignored');
    await channel.return?.();
    await expect(channel.next()).resolves.toEqual({ value: undefined, done: true });
    expect(onEnd).toHaveBeenCalledTimes(1);
  });

  it('calls onEnd exactly once when the producer closes or fails', () => {
    const closedEnd = vi.fn();
    const closed = createChannel<number>(closedEnd);
    closed.close();
    closed.close();
    closed.fail('x');
    expect(closedEnd).toHaveBeenCalledTimes(1);

    const failedEnd = vi.fn();
    const failed = createChannel<number>(failedEnd);
    failed.fail('x');
    failed.close();
    void failed.return?.();
    expect(failedEnd).toHaveBeenCalledTimes(1);
  });

  it('runs onEnd when it ends, before the waiting consumer resumes', async () => {
    const events: string[] = [];
    const channel = createChannel<number>(() => events.push('onEnd'));
    const waiting = channel.next().then(() => events.push('consumer resumed'));
    channel.close();
    await waiting;
    expect(events).toEqual(['onEnd', 'consumer resumed']);
  });

  it('resolves a waiting next() with done when return() is called', async () => {
    const channel = createChannel<number>();
    const waiting = channel.next();
    await expect(channel.return?.()).resolves.toEqual({ value: undefined, done: true });
    await expect(waiting).resolves.toEqual({ value: undefined, done: true });
  });

  it('swallows a pending failure on return(): the consumer that left is not thrown at', async () => {
    const channel = createChannel<number>();
    channel.fail('unseen');
    await expect(channel.return?.()).resolves.toEqual({ value: undefined, done: true });
    await expect(channel.next()).resolves.toEqual({ value: undefined, done: true });
  });

  it('is its own async iterator', () => {
    const channel = createChannel<number>();
    expect(channel[Symbol.asyncIterator]()).toBe(channel);
  });
});
