import { type DocumentStatus, isTerminalDocumentStatus } from '@neurostatus/core';
import type { ExpectedCompletion } from './interval-policy.ts';

/**
 * The prior model of how long a document takes, before any document has been seen to finish.
 *
 * @example
 * ```ts
 * createCompletionEstimator({ perPageMs: 25_000 } satisfies Partial<CompletionModel>);
 * ```
 */
export interface CompletionModel {
  /** Time from submission (`started_at`) to the start of processing, in ms. Default 2 000. */
  queueMs: number;
  /** Fixed processing cost, in ms. Default 5 000. */
  baseMs: number;
  /** Processing cost per page, in ms. Default 17 000. */
  perPageMs: number;
  /** Processing cost per MiB of file, in ms. Default 1 000. */
  perMebibyteMs: number;
  /** Relative half-width of the completion window before anything was learned. Default 0.25. */
  spread: number;
}

/**
 * Calibrated on the one documented example (8 pages, 421 050 bytes, 145 s from `started_at` to
 * `completed_at`): 2 + 5 + 8 x 17 + 0.4 = 143.4 s. Refined by what the estimator observes.
 *
 * @example
 * ```ts
 * const slower = createCompletionEstimator({ perPageMs: DEFAULT_COMPLETION_MODEL.perPageMs * 2 });
 * ```
 */
export const DEFAULT_COMPLETION_MODEL: Readonly<CompletionModel> = Object.freeze({
  queueMs: 2_000,
  baseMs: 5_000,
  perPageMs: 17_000,
  perMebibyteMs: 1_000,
  spread: 0.25,
});

/**
 * Predicts completion times and learns from documents seen to finish.
 *
 * @example
 * ```ts
 * const estimator: CompletionEstimator = createCompletionEstimator();
 * watchStatus(client, id, { estimator });
 * ```
 */
export interface CompletionEstimator {
  /** The expected completion of `status`, or `undefined` when it says too little (no pages, no start). */
  expect(status: DocumentStatus): ExpectedCompletion | undefined;
  /** Feeds a terminal status: its real duration refines later predictions. Others are ignored. */
  observe(status: DocumentStatus): void;
  /** How many finished documents were learned from. */
  readonly samples: number;
}

/** Weight of a new observation in the moving averages. */
const LEARNING_RATE = 0.1;
/** Observations needed before the learned spread replaces the prior one. */
const MIN_SAMPLES_FOR_SPREAD = 5;
/** How many learned-from document ids are remembered, to skip repeats. */
const MAX_REMEMBERED_IDS = 10_000;
/** Never narrower than this, in ms: timestamps and queues wobble by about a second. */
const MIN_SPREAD_MS = 1_500;

/**
 * Creates an estimator. Its prediction is `started_at + model(pages, size) x k`, where `k` is a
 * moving average of observed/predicted durations, and its window half-width is about twice the
 * observed mean relative error (the prior `spread` until 5 documents were seen).
 * Share one estimator between watches (a scheduler does) so each finished document teaches the rest.
 *
 * @example
 * ```ts
 * const estimator = createCompletionEstimator();
 * estimator.expect(status); // { atMs, spreadMs } or undefined
 * ```
 */
export function createCompletionEstimator(
  model: Partial<CompletionModel> = {},
): CompletionEstimator {
  const prior = { ...DEFAULT_COMPLETION_MODEL, ...model };
  let ratio = 1;
  let meanAbsoluteError = prior.spread / 2;
  let samples = 0;
  // Ids already learned from (a request watch sees a finished document on every poll), bounded so
  // that a process-wide estimator does not grow forever: the oldest are forgotten first.
  const learned = new Set<string>();

  const predictMs = (status: DocumentStatus): number | undefined => {
    if (status.total_pages === undefined) return undefined;
    const mebibytes = (status.file_size_bytes ?? 0) / (1024 * 1024);
    return (
      prior.queueMs +
      prior.baseMs +
      prior.perPageMs * status.total_pages +
      prior.perMebibyteMs * mebibytes
    );
  };
  const startOf = (status: DocumentStatus): number | undefined => {
    const start = status.started_at === null ? Number.NaN : Date.parse(status.started_at);
    return Number.isFinite(start) ? start : undefined;
  };

  return {
    get samples() {
      return samples;
    },
    expect(status) {
      const predicted = predictMs(status);
      const start = startOf(status);
      if (predicted === undefined || start === undefined) return undefined;
      const durationMs = predicted * ratio;
      const spread = samples >= MIN_SAMPLES_FOR_SPREAD ? 2 * meanAbsoluteError : prior.spread;
      return { atMs: start + durationMs, spreadMs: Math.max(MIN_SPREAD_MS, durationMs * spread) };
    },
    observe(status) {
      if (status.status !== 'completed' || !isTerminalDocumentStatus(status)) return;
      if (learned.has(status.document_id)) return;
      const predicted = predictMs(status);
      const start = startOf(status);
      const end = status.completed_at === null ? Number.NaN : Date.parse(status.completed_at);
      if (predicted === undefined || start === undefined || !Number.isFinite(end) || end < start)
        return;
      learned.add(status.document_id);
      if (learned.size > MAX_REMEMBERED_IDS)
        learned.delete(learned.values().next().value as string);
      const observed = (end - start) / predicted;
      // Guard against one absurd sample (a clock jump, a stuck document) dragging the model.
      const clipped = Math.min(Math.max(observed, ratio / 4), ratio * 4);
      samples++;
      const weight = Math.max(LEARNING_RATE, 1 / samples);
      meanAbsoluteError += weight * (Math.abs(clipped / ratio - 1) - meanAbsoluteError);
      ratio += weight * (clipped - ratio);
    },
  };
}
