import type { PollerClock } from '@neurostatus/poller';
import type { DurableObjectStorageLike } from './workers-platform.ts';

/** A {@link PollerClock} whose sleeps are Durable Object alarms; see {@link createAlarmClock}. */
export interface AlarmClock extends PollerClock {
  /** Called from the object's `alarm()`: ends the sleep the alarm was set for, if any. */
  fire(): void;
  /** Whether a sleep is waiting for its alarm. */
  readonly sleeping: boolean;
}

/**
 * Turns the poller's sleeps into alarms, so the poller's own loop (`watchStatus`, `watchRequest`:
 * its interval policy, server hints, error backoff and 404 grace) runs alarm-driven inside a
 * Durable Object. One sleep at a time (an object runs one loop): each sets the object's alarm, and
 * `fire()` (from `alarm()`) wakes it; an aborted sleep deletes the alarm. An alarm that finds no
 * sleep (the object was restarted and its loop is gone) does nothing, so the loop stays stopped
 * until someone attaches again.
 *
 * @example
 * ```ts
 * const clock = createAlarmClock(ctx.storage);
 * for await (const status of watchStatus(client, id, { clock, signal })) send(status);
 * // and in the object: async alarm() { clock.fire(); }
 * ```
 */
export function createAlarmClock(
  storage: Pick<DurableObjectStorageLike, 'setAlarm' | 'deleteAlarm'>,
  now: () => number = () => Date.now(),
  onIdle: () => Promise<void> = () => storage.deleteAlarm(),
): AlarmClock {
  let wake: (() => void) | undefined;
  return {
    now,
    get sleeping() {
      return wake !== undefined;
    },
    sleep(ms, signal) {
      return new Promise<void>((resolve, reject) => {
        if (signal?.aborted) {
          reject(signal.reason);
          return;
        }
        const onAbort = () => {
          wake = undefined;
          // No loop is left to wake: the alarm is the object's again (by default, none).
          onIdle().catch(() => undefined);
          reject(signal?.reason);
        };
        wake = () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        storage.setAlarm(now() + ms).catch((error: unknown) => {
          signal?.removeEventListener('abort', onAbort);
          wake = undefined;
          reject(error);
        });
      });
    },
    fire() {
      const woken = wake;
      wake = undefined;
      woken?.();
    },
  };
}
