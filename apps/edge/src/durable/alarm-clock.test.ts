import { describe, expect, it } from 'vitest';
import { createAlarmClock } from './alarm-clock.ts';

/** The alarm part of a Durable Object's storage, recording what the clock asks of it. */
function alarmStorage() {
  const calls: Array<number | 'deleted'> = [];
  return {
    calls,
    storage: {
      setAlarm: async (at: number) => {
        calls.push(at);
      },
      deleteAlarm: async () => {
        calls.push('deleted');
      },
    },
  };
}

describe('the alarm clock', () => {
  it('sets an alarm for each sleep and wakes it when the alarm fires', async () => {
    const { calls, storage } = alarmStorage();
    const clock = createAlarmClock(storage, () => 1_000);
    let woke = false;
    const sleeping = clock.sleep(250).then(() => {
      woke = true;
    });
    await Promise.resolve();

    expect(calls).toEqual([1_250]);
    expect(clock.sleeping).toBe(true);
    clock.fire();
    await sleeping;
    expect(woke).toBe(true);
    expect(clock.sleeping).toBe(false);
  });

  it('deletes the alarm when the sleep is aborted, and rejects with the reason', async () => {
    const { calls, storage } = alarmStorage();
    const clock = createAlarmClock(storage, () => 0);
    const stop = new AbortController();
    const sleeping = clock.sleep(1_000, stop.signal);
    const reason = new Error('stopped');
    stop.abort(reason);

    await expect(sleeping).rejects.toBe(reason);
    expect(calls).toEqual([1_000, 'deleted']);
  });

  it('hands the alarm back to the object when the loop stops', async () => {
    const { calls, storage } = alarmStorage();
    const idle: string[] = [];
    const clock = createAlarmClock(
      storage,
      () => 0,
      async () => {
        idle.push('idle');
      },
    );
    const stop = new AbortController();
    const sleeping = clock.sleep(1_000, stop.signal);
    stop.abort();

    await expect(sleeping).rejects.toBeDefined();
    expect(idle).toEqual(['idle']);
    expect(calls).toEqual([1_000]);
  });

  it('does nothing when an alarm finds no sleep (a restarted object)', () => {
    const { calls, storage } = alarmStorage();
    const clock = createAlarmClock(storage, () => 0);

    expect(() => clock.fire()).not.toThrow();
    expect(calls).toEqual([]);
  });
});
