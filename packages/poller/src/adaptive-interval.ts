import type { IntervalPolicy } from './interval-policy.ts';

/**
 * Options of {@link adaptiveInterval}.
 *
 * @example
 * ```ts
 * adaptiveInterval({ nearIntervalMs: 1_000, maxIntervalMs: 10_000 } satisfies AdaptiveIntervalOptions);
 * ```
 */
export interface AdaptiveIntervalOptions {
  /** First wait, and the wait right after a change, in ms. Default 1 000. */
  initialIntervalMs?: number;
  /** Growth factor while nothing changes. Default 1.6. */
  growth?: number;
  /** Wait inside the expected completion window, in ms. Default 1 600. */
  nearIntervalMs?: number;
  /** Longest wait, in ms. Default 30 000. */
  maxIntervalMs?: number;
  /** Relative jitter: each wait is scaled by a uniform draw in [1 - jitter, 1 + jitter]. Default 0.1. */
  jitter?: number;
}

const DEFAULTS = {
  initialIntervalMs: 1_000,
  growth: 1.6,
  nearIntervalMs: 1_600,
  maxIntervalMs: 30_000,
  jitter: 0.1,
} as const;

/**
 * The default policy. Without an estimate: start fast, back off with jitter while nothing
 * changes, reset on every change. With one (`context.expected`, from pages and size): sleep
 * towards the start of the expected completion window, poll every `nearIntervalMs` inside it,
 * and back off again if the document is late. Never longer than `maxIntervalMs`.
 *
 * Inside the window, a wait of about 1.6 s puts the detection lag at about 0.8 s on median,
 * under 1.76 s at worst (1.6 s plus 10% jitter), while the sparse approach keeps the request count well below a fixed
 * 1 s loop (BENCHMARKS.md has the figures).
 *
 * @example
 * ```ts
 * watchStatus(client, id, { policy: adaptiveInterval({ maxIntervalMs: 10_000 }) });
 * ```
 */
export function adaptiveInterval(options: AdaptiveIntervalOptions = {}): IntervalPolicy {
  const settings = { ...DEFAULTS, ...options };
  const { initialIntervalMs, growth, nearIntervalMs, maxIntervalMs, jitter } = settings;
  for (const [name, value] of Object.entries({
    initialIntervalMs,
    nearIntervalMs,
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

  return ({ now, unchangedPolls, expected, random }) => {
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
      // Far from the expected completion: one sleep to the window's start (split by maxIntervalMs).
      return Math.min(maxIntervalMs, Math.max(windowStart - now, nearIntervalMs));
    }
    if (now <= windowEnd) return jittered(nearIntervalMs);
    // Late: the estimate was wrong; back off gently, in proportion to how late it is.
    return jittered(nearIntervalMs + (now - windowEnd) / 4);
  };
}
