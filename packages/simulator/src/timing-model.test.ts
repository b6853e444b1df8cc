import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { createSeededRandom } from './seeded-random.ts';
import {
  expectedPendingMs,
  expectedProcessingMs,
  sampleTimeline,
  TIMING_MODEL,
} from './timing-model.ts';

describe('the timing model', () => {
  it('puts the documented 8-page example at about the published 145 seconds', () => {
    const total =
      expectedPendingMs() + expectedProcessingMs({ totalPages: 8, fileSizeBytes: 421_050 });
    expect(total).toBeGreaterThan(140_000);
    expect(total).toBeLessThan(150_000);
  });

  it('charges a fixed cost, about 17 seconds per page and a little per mebibyte', () => {
    expect(expectedProcessingMs({ totalPages: 0, fileSizeBytes: 0 })).toBe(5_000);
    expect(expectedProcessingMs({ totalPages: 1, fileSizeBytes: 0 })).toBe(22_000);
    expect(expectedProcessingMs({ totalPages: 1, fileSizeBytes: 1024 * 1024 })).toBe(23_000);
  });

  test.prop([fc.integer({ min: 1, max: 2000 }), fc.integer({ min: 0, max: 1e9 })])(
    'grows with the page count',
    (pages, bytes) => {
      const fewer = expectedProcessingMs({ totalPages: pages, fileSizeBytes: bytes });
      const more = expectedProcessingMs({ totalPages: pages + 1, fileSizeBytes: bytes });
      expect(more).toBeGreaterThan(fewer);
    },
  );

  test.prop([fc.integer(), fc.integer({ min: 1, max: 2000 }), fc.integer({ min: 0, max: 1e9 })])(
    'draws durations within the documented jitter',
    (seed, totalPages, fileSizeBytes) => {
      const input = { totalPages, fileSizeBytes };
      const timeline = sampleTimeline(input, 'completed', createSeededRandom(seed));
      expect(timeline.pendingMs).toBeGreaterThanOrEqual(1_000);
      expect(timeline.pendingMs).toBeLessThanOrEqual(3_000);
      const expected = expectedProcessingMs(input);
      expect(timeline.processingMs).toBeGreaterThanOrEqual(Math.floor(expected * 0.8));
      expect(timeline.processingMs).toBeLessThanOrEqual(Math.ceil(expected * 1.2));
    },
  );

  it('makes a failing document fail part of the way through processing', () => {
    const input = { totalPages: 4, fileSizeBytes: 0 };
    const completed = sampleTimeline(input, 'completed', createSeededRandom(3));
    const failed = sampleTimeline(input, 'failed', createSeededRandom(3));
    expect(failed.processingMs).toBeCloseTo(
      completed.processingMs * TIMING_MODEL.failureFraction,
      -1,
    );
  });

  it('draws the same timeline from the same seed', () => {
    const input = { totalPages: 8, fileSizeBytes: 421_050 };
    expect(sampleTimeline(input, 'completed', createSeededRandom(9))).toEqual(
      sampleTimeline(input, 'completed', createSeededRandom(9)),
    );
  });
});
