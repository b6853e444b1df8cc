import { getEventListeners } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { onAbort } from './on-abort.ts';

describe('onAbort', () => {
  it('adds one listener to the signal however many wait, and calls each waiter once', () => {
    const controller = new AbortController();
    const callbacks = Array.from({ length: 20 }, () => vi.fn());
    const cancels = callbacks.map((callback) => onAbort(controller.signal, callback));
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    cancels[0]?.();
    controller.abort();
    expect(callbacks[0]).not.toHaveBeenCalled();
    for (const callback of callbacks.slice(1)) expect(callback).toHaveBeenCalledOnce();
  });

  it('calls at once for a signal already aborted', () => {
    const callback = vi.fn();
    onAbort(AbortSignal.abort(), callback);
    expect(callback).toHaveBeenCalledOnce();
  });
});
