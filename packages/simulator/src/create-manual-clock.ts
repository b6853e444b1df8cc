/**
 * Where the simulator reads the time: epoch milliseconds, like `Date.now()`.
 *
 * @example
 * ```ts
 * const clock: SimulatorClock = { now: () => performance.timeOrigin + performance.now() };
 * ```
 */
export interface SimulatorClock {
  now(): number;
}

/**
 * A clock that only moves when told to, so tests drive document progress without real sleeps.
 *
 * @example
 * ```ts
 * const clock = createManualClock();
 * clock.advance(30_000);
 * ```
 */
export interface ManualClock extends SimulatorClock {
  /** Moves the clock forward by `ms` (a finite number, at least 0). */
  advance(ms: number): void;
  /** Puts the clock at the epoch milliseconds `ms`. */
  set(ms: number): void;
}

/**
 * Where a manual clock starts when no start is given: a fixed instant a few minutes after the
 * documented example, so timestamps in payloads are the same on every run.
 *
 * @example
 * ```ts
 * expect(createManualClock().now()).toBe(MANUAL_CLOCK_START);
 * ```
 */
export const MANUAL_CLOCK_START = Date.UTC(2025, 9, 15, 10, 0, 0);

/**
 * Creates a {@link ManualClock} starting at `start` epoch milliseconds.
 *
 * @example
 * ```ts
 * const clock = createManualClock();
 * const simulator = createSimulator({ clock });
 * const { documentIds } = simulator.createRequest({ apiKey: DEMO_API_KEY, documents: [{}] });
 * simulator.advance(60_000); // same as clock.advance(60_000)
 * ```
 */
export function createManualClock(start: number = MANUAL_CLOCK_START): ManualClock {
  let current = checkTime(start, 'start');
  return {
    now: () => current,
    advance(ms) {
      if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
        throw new TypeError(`advance(ms) needs a finite number of milliseconds >= 0, got ${ms}`);
      }
      current += ms;
    },
    set(ms) {
      current = checkTime(ms, 'set(ms)');
    },
  };
}

function checkTime(ms: number, what: string): number {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) {
    throw new TypeError(`${what} must be finite epoch milliseconds, got ${ms}`);
  }
  return ms;
}
