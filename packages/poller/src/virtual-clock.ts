import type { PollerClock } from './clock.ts';

/**
 * A {@link PollerClock} on virtual time, driven by the test or benchmark that owns it.
 *
 * @example
 * ```ts
 * const clock: VirtualClock = createVirtualClock(Date.parse('2025-10-15T10:00:00Z'));
 * ```
 */
export interface VirtualClock extends PollerClock {
  /** Sleeps registered and not yet fired, earliest first (their due times, epoch ms). */
  readonly pending: readonly number[];
  /** Resolves once at least `count` sleeps are pending: the watches have gone to sleep. */
  whenSleeping(count?: number): Promise<void>;
  /** Moves time to the earliest pending sleep and fires it (and any due at the same time). Returns the new time, or undefined if nothing was pending. */
  fireNext(): number | undefined;
  /** Moves time forward by `ms`, firing every sleep due on the way, in order. */
  advance(ms: number): void;
}

interface Sleeper {
  readonly due: number;
  readonly seq: number;
  readonly resolve: () => void;
}

/**
 * Creates a virtual clock starting at `start` (epoch ms). `onAdvance(now)` runs whenever time
 * moves, e.g. to move the simulator's manual clock along.
 *
 * @example
 * ```ts
 * const clock = createVirtualClock(simulatorClock.now(), (now) => simulatorClock.set(now));
 * const watching = waitForDocument(client, id, { clock });
 * await clock.whenSleeping();
 * clock.fireNext();
 * ```
 */
export function createVirtualClock(
  start = 0,
  onAdvance: (now: number) => void = () => {},
): VirtualClock {
  let now = start;
  let seq = 0;
  const sleepers: Sleeper[] = [];
  const watchers: Array<{ count: number; resolve: () => void }> = [];

  const notify = () => {
    for (const watcher of [...watchers]) {
      if (sleepers.length >= watcher.count) {
        watchers.splice(watchers.indexOf(watcher), 1);
        watcher.resolve();
      }
    }
  };
  const moveTo = (time: number) => {
    if (time > now) {
      now = time;
      onAdvance(now);
    }
  };
  const fireDue = () => {
    sleepers.sort((a, b) => a.due - b.due || a.seq - b.seq);
    while (sleepers.length > 0 && (sleepers[0]?.due ?? Number.POSITIVE_INFINITY) <= now)
      sleepers.shift()?.resolve();
  };

  return {
    now: () => now,
    get pending() {
      return sleepers.map((sleeper) => sleeper.due).sort((a, b) => a - b);
    },
    sleep(ms, signal) {
      return new Promise<void>((resolve, reject) => {
        if (signal?.aborted) {
          reject(signal.reason);
          return;
        }
        const onAbort = () => {
          const index = sleepers.indexOf(sleeper);
          if (index >= 0) sleepers.splice(index, 1);
          reject(signal?.reason);
        };
        const sleeper: Sleeper = {
          due: now + Math.max(0, ms),
          seq: seq++,
          resolve: () => {
            signal?.removeEventListener('abort', onAbort);
            resolve();
          },
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        sleepers.push(sleeper);
        notify();
      });
    },
    whenSleeping(count = 1) {
      if (sleepers.length >= count) return Promise.resolve();
      return new Promise((resolve) => watchers.push({ count, resolve }));
    },
    fireNext() {
      if (sleepers.length === 0) return undefined;
      const due = Math.min(...sleepers.map((sleeper) => sleeper.due));
      moveTo(due);
      fireDue();
      return now;
    },
    advance(ms) {
      const target = now + ms;
      for (;;) {
        const due = Math.min(...sleepers.map((sleeper) => sleeper.due));
        if (!(due <= target)) break;
        moveTo(due);
        fireDue();
      }
      moveTo(target);
    },
  };
}
