import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { delay } from './delay.ts';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('delay', () => {
  it('resolves after the given time and not before', async () => {
    let done = false;
    const waiting = delay(300).then(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(299);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await waiting;
    expect(done).toBe(true);
  });

  it('rejects at once with the signal reason and clears its timer', async () => {
    const controller = new AbortController();
    const waiting = delay(10_000, controller.signal);
    expect(vi.getTimerCount()).toBe(1);
    controller.abort('stop');
    await expect(waiting).rejects.toBe('stop');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects without a timer when the signal is already aborted', async () => {
    await expect(delay(10, AbortSignal.abort('early'))).rejects.toBe('early');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('removes its abort listener once it resolves', async () => {
    const controller = new AbortController();
    const remove = vi.spyOn(controller.signal, 'removeEventListener');
    const waiting = delay(5, controller.signal);
    await vi.advanceTimersByTimeAsync(5);
    await waiting;
    expect(remove).toHaveBeenCalledWith('abort', expect.any(Function));
  });
});

describe('delay beyond what timers accept', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('waits the whole time instead of firing at once', async () => {
    let done = false;
    const thirtyDays = 30 * 24 * 60 * 60 * 1000;
    const waiting = delay(thirtyDays).then(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(2 ** 31);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(thirtyDays - 2 ** 31);
    await waiting;
    expect(done).toBe(true);
  });
});
