import type { IntervalPolicy } from './interval-policy.ts';

/**
 * Options of {@link adaptiveInterval}.
 *
 * @example
 * ```ts
 * adaptiveInterval({ nearIntervalMs: 2_000, maxIntervalMs: 10_000 } satisfies AdaptiveIntervalOptions);
 * ```
 */
export interface AdaptiveIntervalOptions {
  /** First wait, and the wait right after a change, when there is no estimate, in ms. Default 1 000. */
  initialIntervalMs?: number;
  /** Growth factor while nothing changes and there is no estimate. Default 1.6. */
  growth?: number;
  /**
   * Wait at the start of the expected completion window, in ms. Inside the window the wait
   * shrinks with the square root of the share of the window still ahead, down to
   * `nearMinIntervalMs`. Default 2 600.
   */
  nearIntervalMs?: number;
  /** Shortest wait inside the window (at its end), in ms; never above `nearIntervalMs`. Default 1 000. */
  nearMinIntervalMs?: number;
  /**
   * `nearIntervalMs` for a poll that answers for several unfinished documents
   * (`context.sharedBy > 1`: a request batch), in ms; never above `nearIntervalMs`. One request
   * poll serves them all, so each document's window can be watched more closely for less. Default 2 200.
   */
  sharedNearIntervalMs?: number;
  /**
   * Longest wait while the document is unfinished, in every phase (before, inside and after the
   * expected window, and without an estimate), in ms. A document that fails partway through is
   * seen within this, about half of it on median. Default 3 750.
   */
  maxIntervalMs?: number;
  /**
   * Relative jitter: each wait inside and after the window, and without an estimate, is scaled by
   * a uniform draw in [1 - jitter, 1 + jitter] (never past `maxIntervalMs`). Default 0.1.
   */
  jitter?: number;
}

/**
 * The defaults of {@link adaptiveInterval}, in one place.
 *
 * @example
 * ```ts
 * console.log(`a failure shows within ${ADAPTIVE_INTERVAL_DEFAULTS.maxIntervalMs} ms`);
 * ```
 */
export const ADAPTIVE_INTERVAL_DEFAULTS = Object.freeze({
  initialIntervalMs: 1_000,
  growth: 1.6,
  nearIntervalMs: 2_600,
  nearMinIntervalMs: 1_000,
  sharedNearIntervalMs: 2_200,
  maxIntervalMs: 3_750,
  jitter: 0.1,
});

/**
 * The default policy. Without an estimate: start fast, back off with jitter while nothing
 * changes, reset on every change. With one (`context.expected`, from pages and size): walk
 * towards the expected completion window in steps of `maxIntervalMs`, poll more and more often
 * inside it, and back off again if the document is late. Never longer than `maxIntervalMs`.
 *
 * Why these shapes (BENCHMARKS.md, "Polling policies", has the figures):
 * - A document can fail at any moment of its processing, so no wait is longer than
 *   `maxIntervalMs`: with failures at random moments the lag is uniform on [0, max], so the
 *   3.75 s default puts the median at about 1.9 s. Polling at least that often is also the
 *   floor: any schedule that sees half of such failures within 2 s needs one poll per 4 s.
 * - Inside the window the chance of finishing in the next second grows as the window runs out
 *   (the hazard of a completion spread over the window is 1 / time left), and the wait that
 *   trades lag against requests best goes as 1 / sqrt(hazard): so the wait shrinks with the
 *   square root of the window still ahead, from `nearIntervalMs` to `nearMinIntervalMs`. A poll
 *   late in the window is cheap, since only the documents still unfinished make it.
 * - A request poll that answers for several documents (`sharedBy > 1`) costs each of them a
 *   share of one call, so their windows start at the shorter `sharedNearIntervalMs`.
 *
 * @example
 * ```ts
 * watchStatus(client, id, { policy: adaptiveInterval({ maxIntervalMs: 10_000 }) });
 * ```
 */
export function adaptiveInterval(options: AdaptiveIntervalOptions = {}): IntervalPolicy {
  const settings = { ...ADAPTIVE_INTERVAL_DEFAULTS, ...options };
  const { initialIntervalMs, growth, nearIntervalMs, maxIntervalMs, jitter } = settings;
  for (const [name, value] of Object.entries({
    initialIntervalMs,
    nearIntervalMs,
    nearMinIntervalMs: settings.nearMinIntervalMs,
    sharedNearIntervalMs: settings.sharedNearIntervalMs,
    maxIntervalMs,
  })) {
    if (!Number.isFinite(value) || value <= 0) {
      throw new TypeError(
        `adaptiveInterval(): \`${name}\` must be a positive number of milliseconds.`,
      );
    }
  }
  if (!Number.isFinite(growth) || growth < 1)
    throw new TypeError('adaptiveInterval(): `growth` must be >= 1.');
  if (!(jitter >= 0 && jitter < 1))
    throw new TypeError('adaptiveInterval(): `jitter` must be in [0, 1).');
  const nearMinIntervalMs = Math.min(settings.nearMinIntervalMs, nearIntervalMs);
  const sharedNearIntervalMs = Math.min(settings.sharedNearIntervalMs, nearIntervalMs);

  return ({ now, unchangedPolls, sharedBy, expected, random }) => {
    const jittered = (ms: number) =>
      Math.min(maxIntervalMs, ms * (1 - jitter + 2 * jitter * random()));
    // A NaN or infinite estimate (a custom estimator's bug) says nothing: without this guard it
    // turns every comparison below false and the late branch returns NaN.
    if (
      expected === undefined ||
      !Number.isFinite(expected.atMs) ||
      !Number.isFinite(expected.spreadMs)
    ) {
      return jittered(initialIntervalMs * growth ** Math.min(unchangedPolls, 64));
    }
    const windowStart = expected.atMs - expected.spreadMs;
    const windowEnd = expected.atMs + expected.spreadMs;
    if (now < windowStart) {
      // Before the window: towards its start, in steps of at most maxIntervalMs.
      return Math.min(maxIntervalMs, Math.max(windowStart - now, nearIntervalMs));
    }
    if (now <= windowEnd) {
      // A window too wide for a double (a custom estimator's absurd spread) counts as ending now.
      const span = windowEnd - windowStart;
      const ahead = span > 0 && Number.isFinite(span) ? (windowEnd - now) / span : 0;
      const near = sharedBy > 1 ? sharedNearIntervalMs : nearIntervalMs;
      return jittered(Math.max(Math.min(nearMinIntervalMs, near), near * Math.sqrt(ahead)));
    }
    // Late: the estimate was wrong; back off gently, in proportion to how late it is.
    return jittered(nearMinIntervalMs + (now - windowEnd) / 4);
  };
}
