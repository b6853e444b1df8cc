import type { PollerClock } from './clock.ts';
import { MAX_TIMER_MS } from './interval-policy.ts';

/**
 * The scheduler's one timer: sleeps until a given time, then calls `onWake`. Setting it again
 * for the same time does nothing; for another time it replaces the pending sleep.
 *
 * @example
 * ```ts
 * const timer = new WakeTimer(clock, () => console.log('a poll is due'));
 * timer.set(clock.now() + 1_000);
 * ```
 */
export class WakeTimer {
  readonly #clock: PollerClock;
  readonly #onWake: () => void;
  #pending: { at: number; controller: AbortController } | undefined;

  constructor(clock: PollerClock, onWake: () => void) {
    this.#clock = clock;
    this.#onWake = onWake;
  }

  /** Wakes at `at` (epoch ms); `Infinity` just cancels. */
  set(at: number): void {
    if (this.#pending !== undefined && this.#pending.at === at) return;
    this.cancel();
    if (!Number.isFinite(at)) return;
    const controller = new AbortController();
    this.#pending = { at, controller };
    const now = this.#clock.now();
    // Never longer than timers accept: a wake-up that comes early just sets the timer again.
    this.#clock.sleep(Math.min(Math.max(0, at - now), MAX_TIMER_MS), controller.signal).then(
      () => {
        if (this.#pending?.controller !== controller) return;
        this.#pending = undefined;
        this.#onWake();
      },
      () => {},
    );
  }

  cancel(): void {
    this.#pending?.controller.abort();
    this.#pending = undefined;
  }
}
