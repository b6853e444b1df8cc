import type { SeededRandom } from './seeded-random.ts';

/**
 * The constants of the timing model. They are fitted to the one published data point: the
 * documented 8-page, 421 050-byte invoice went from `started_at` to `completed_at` in 145 s,
 * which is 2 s of queue, 5 s of set-up and about 17 s per page.
 *
 * @example
 * ```ts
 * const perPage = TIMING_MODEL.processingPerPageMs; // 17_000
 * ```
 */
export const TIMING_MODEL = Object.freeze({
  /** Mean time a document waits in `pending` before processing starts. */
  pendingMs: 2_000,
  /** Pending time is drawn uniformly within ±50% of the mean: a 1–3 s queue. */
  pendingJitter: 0.5,
  /** Fixed cost of processing a document (download, rasterize, set-up). */
  processingBaseMs: 5_000,
  /** Cost per page: extraction is page by page, so this term dominates. */
  processingPerPageMs: 17_000,
  /** Cost per MiB of file, for scans and image-heavy PDFs. */
  processingPerMebibyteMs: 1_000,
  /** Processing time is drawn uniformly within ±20% of the expected value. */
  processingJitter: 0.2,
  /** A failing document fails this fraction of the way through its processing time. */
  failureFraction: 0.5,
});

/**
 * What the timing model needs to know about a document.
 *
 * @example
 * ```ts
 * const input: TimingInput = { totalPages: 8, fileSizeBytes: 421_050 };
 * ```
 */
export interface TimingInput {
  readonly totalPages: number;
  readonly fileSizeBytes: number;
}

/**
 * Expected time a document spends in `processing` (without jitter), in milliseconds:
 * `5 000 + 17 000 × pages + 1 000 × MiB`. The documented 8-page example gives about 141 s, plus
 * about 2 s pending: the published 145 s. Pure, so benchmarks can compare a poller's behaviour
 * against it on virtual time.
 *
 * @example
 * ```ts
 * expectedProcessingMs({ totalPages: 8, fileSizeBytes: 421_050 }); // ≈ 141 402
 * ```
 */
export function expectedProcessingMs({ totalPages, fileSizeBytes }: TimingInput): number {
  return (
    TIMING_MODEL.processingBaseMs +
    TIMING_MODEL.processingPerPageMs * totalPages +
    (TIMING_MODEL.processingPerMebibyteMs * fileSizeBytes) / (1024 * 1024)
  );
}

/**
 * Expected time a document waits in `pending` (without jitter), in milliseconds. The queue does
 * not depend on the document, so this takes no input.
 *
 * @example
 * ```ts
 * expectedPendingMs(); // 2 000
 * ```
 */
export function expectedPendingMs(): number {
  return TIMING_MODEL.pendingMs;
}

/**
 * How long one document stays in each phase, in whole milliseconds.
 *
 * @example
 * ```ts
 * const timeline: DocumentTimeline = { pendingMs: 2_000, processingMs: 141_000 };
 * ```
 */
export interface DocumentTimeline {
  readonly pendingMs: number;
  readonly processingMs: number;
}

/**
 * Draws a document's timeline from the model with seeded jitter. A failing document spends
 * {@link TIMING_MODEL}.failureFraction of its processing time before it fails.
 *
 * @example
 * ```ts
 * sampleTimeline({ totalPages: 8, fileSizeBytes: 421_050 }, 'completed', createSeededRandom(1));
 * ```
 */
export function sampleTimeline(
  input: TimingInput,
  outcome: 'completed' | 'failed',
  random: SeededRandom,
): DocumentTimeline {
  const pending = jitter(expectedPendingMs(), TIMING_MODEL.pendingJitter, random);
  const processing = jitter(expectedProcessingMs(input), TIMING_MODEL.processingJitter, random);
  return {
    pendingMs: Math.round(pending),
    processingMs: Math.round(
      outcome === 'failed' ? processing * TIMING_MODEL.failureFraction : processing,
    ),
  };
}

function jitter(mean: number, spread: number, random: SeededRandom): number {
  return mean * (1 - spread + 2 * spread * random.next());
}
