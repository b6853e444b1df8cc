import { describe, expect, it } from 'vitest';
import { createCoalescer } from './coalescer.ts';

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((ok, fail) => {
    resolve = ok;
    reject = fail;
  });
  return { promise, resolve, reject };
}

describe('createCoalescer', () => {
  it('makes one call for a thousand concurrent requests of one key, and shares its value', async () => {
    const coalescer = createCoalescer<string>();
    const upstream = deferred<string>();
    let calls = 0;
    const load = () => {
      calls++;
      return upstream.promise;
    };
    const waiting = Array.from({ length: 1_000 }, () => coalescer.run('doc-1', load));
    expect(coalescer.inFlight).toBe(1);
    upstream.resolve('completed');
    const results = await Promise.all(waiting);
    expect(calls).toBe(1);
    expect(results.filter((result) => !result.coalesced)).toHaveLength(1);
    expect(new Set(results.map((result) => result.value))).toEqual(new Set(['completed']));
    expect(coalescer.inFlight).toBe(0);
  });

  it('shares a failure too, then lets the next request try again', async () => {
    const coalescer = createCoalescer<string>();
    const upstream = deferred<string>();
    const first = coalescer.run('k', () => upstream.promise);
    const second = coalescer.run('k', () => Promise.resolve('never called'));
    upstream.reject(new Error('502'));
    await expect(first).rejects.toThrow('502');
    await expect(second).rejects.toThrow('502');
    await expect(coalescer.run('k', async () => 'fresh')).resolves.toEqual({
      value: 'fresh',
      coalesced: false,
    });
  });

  it('keeps keys apart', async () => {
    const coalescer = createCoalescer<string>();
    const [a, b] = await Promise.all([
      coalescer.run('tenant-a:document:1', async () => 'a'),
      coalescer.run('tenant-b:document:1', async () => 'b'),
    ]);
    expect([a.value, b.value]).toEqual(['a', 'b']);
  });

  it('turns a load that throws synchronously into a rejection for everyone waiting', async () => {
    const coalescer = createCoalescer<string>();
    await expect(
      coalescer.run('k', () => {
        throw new Error('bug');
      }),
    ).rejects.toThrow('bug');
    expect(coalescer.inFlight).toBe(0);
  });
});

describe('createCoalescer with a deadline', () => {
  /** A coalescer with a 1 s deadline on a sleep the test fires by hand (`fire()`). */
  function withDeadline() {
    const pending: (() => void)[] = [];
    const abandoned: string[] = [];
    const coalescer = createCoalescer<string>({
      deadlineMs: 1_000,
      sleep: (_ms, signal) =>
        new Promise<void>((resolve, reject) => {
          pending.push(resolve);
          signal.addEventListener('abort', () => reject(signal.reason), { once: true });
        }),
      onAbandon: (key) => abandoned.push(key),
    });
    const fire = () => {
      for (const resolve of pending.splice(0)) resolve();
    };
    return { coalescer, fire, abandoned };
  }

  it('abandons a call that never settles: its waiters get a TimeoutError, its signal aborts, the key is free', async () => {
    const { coalescer, fire, abandoned } = withDeadline();
    let seen: AbortSignal | undefined;
    const stuck = (signal: AbortSignal) => {
      seen = signal;
      return new Promise<string>(() => {});
    };
    const first = coalescer.run('doc-1', stuck);
    const joined = coalescer.run('doc-1', stuck);
    fire();
    await expect(first).rejects.toMatchObject({ code: 'TIMEOUT', timeoutMs: 1_000 });
    await expect(joined).rejects.toMatchObject({ code: 'TIMEOUT' });
    expect(seen?.aborted).toBe(true);
    expect(abandoned).toEqual(['doc-1']);
    expect(coalescer.inFlight).toBe(0);
    await expect(coalescer.run('doc-1', async () => 'fresh')).resolves.toEqual({
      value: 'fresh',
      coalesced: false,
    });
  });

  it('cancels the deadline of a call that settles in time', async () => {
    const { coalescer, fire, abandoned } = withDeadline();
    await coalescer.run('doc-1', async () => 'done');
    fire();
    await Promise.resolve();
    expect(abandoned).toEqual([]);
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])('refuses a deadline of %s', (bad) => {
    expect(() => createCoalescer({ deadlineMs: bad })).toThrow(TypeError);
  });
});
