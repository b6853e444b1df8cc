import { type DocumentStatus, parseDocumentStatus } from '@neurostatus/core';
import { DOCUMENTED_EXAMPLE } from '@neurostatus/simulator';
import { describe, expect, it } from 'vitest';
import { createCompletionEstimator, DEFAULT_COMPLETION_MODEL } from './completion-estimator.ts';

const START = '2025-10-15T09:49:50.574754Z';
const START_MS = Date.parse(START);
/** What the default model predicts for `pages` pages of 52 631 bytes each (the simulator's size). */
const modelMs = (pages: number) =>
  2_000 + 5_000 + 17_000 * pages + (1_000 * 52_631 * pages) / (1024 * 1024);

let nextId = 0;
/** A document of `pages` pages that started at START, `status` and ending `durationMs` later. */
function documentStatus(overrides: Partial<DocumentStatus> & { durationMs?: number } = {}) {
  const { durationMs, ...rest } = overrides;
  const pages = rest.total_pages ?? 3;
  return parseDocumentStatus({
    document_id: `doc-${nextId++}`,
    request_id: 'req-1',
    status: durationMs === undefined ? 'processing' : 'completed',
    file_size_bytes: 52_631 * pages,
    total_pages: pages,
    started_at: START,
    completed_at: durationMs === undefined ? null : new Date(START_MS + durationMs).toISOString(),
    results: {},
    ...rest,
  });
}

/** Timestamps are epoch ms near 1.76e12 and ISO strings keep whole ms: compare to within 2 ms. */
function expectNear(actual: number | undefined, expected: number, toleranceMs = 2) {
  expect(Math.abs((actual ?? Number.NaN) - expected)).toBeLessThanOrEqual(toleranceMs);
}

/** The predicted duration of a fresh 3-page document, in ms from its start. */
const predictedDuration = (estimator: ReturnType<typeof createCompletionEstimator>) =>
  (estimator.expect(documentStatus({ total_pages: 3 }))?.atMs ?? Number.NaN) - START_MS;

describe('createCompletionEstimator', () => {
  it('predicts the documented example within a few seconds of its real 145 s', () => {
    const example = parseDocumentStatus(DOCUMENTED_EXAMPLE);
    const expected = createCompletionEstimator().expect(example);
    expect(expected).toBeDefined();
    const predicted = (expected?.atMs ?? 0) - Date.parse(example.started_at ?? '');
    expect(Date.parse(example.started_at ?? '')).toBe(START_MS);
    // 2 + 5 + 8 x 17 + 421 050 / 2^20 = 143.4 s
    expectNear(predicted, 143_401.5);
    expect(Math.abs(predicted - 145_000)).toBeLessThan(3_000);
    // Before anything was learned, the window is the prior +-25 %.
    expectNear(expected?.spreadMs, predicted * 0.25);
    // The real completion falls inside the window.
    const real = Date.parse(example.completed_at ?? '');
    expect(Math.abs(real - (expected?.atMs ?? 0))).toBeLessThan(expected?.spreadMs ?? 0);
  });

  it('uses a custom prior model', () => {
    const estimator = createCompletionEstimator({
      queueMs: 0,
      baseMs: 0,
      perMebibyteMs: 0,
      perPageMs: 1_000,
    });
    expect(predictedDuration(estimator)).toBe(3_000);
    expect(estimator.expect(documentStatus({ total_pages: 3 }))?.spreadMs).toBe(1_500);
    expect(DEFAULT_COMPLETION_MODEL.perPageMs).toBe(17_000);
    expect(Object.isFrozen(DEFAULT_COMPLETION_MODEL)).toBe(true);
  });

  it('learns that documents take 1.5x the model and predicts that', () => {
    const estimator = createCompletionEstimator();
    expectNear(predictedDuration(estimator), modelMs(3));
    let previousGap = Math.abs(predictedDuration(estimator) - 1.5 * modelMs(3));
    for (let i = 0; i < 20; i++) {
      const pages = 1 + (i % 8);
      estimator.observe(documentStatus({ total_pages: pages, durationMs: 1.5 * modelMs(pages) }));
      const gap = Math.abs(predictedDuration(estimator) - 1.5 * modelMs(3));
      expect(gap).toBeLessThanOrEqual(previousGap + 2);
      previousGap = gap;
    }
    expect(estimator.samples).toBe(20);
    expect(predictedDuration(estimator) / modelMs(3)).toBeCloseTo(1.5, 4);
  });

  it('converges near the mean ratio when durations scatter around 1.5x', () => {
    const estimator = createCompletionEstimator();
    for (let i = 0; i < 40; i++) {
      const factor = i % 2 === 0 ? 1.4 : 1.6;
      estimator.observe(documentStatus({ total_pages: 2, durationMs: factor * modelMs(2) }));
    }
    expect(predictedDuration(estimator) / modelMs(3)).toBeGreaterThan(1.45);
    expect(predictedDuration(estimator) / modelMs(3)).toBeLessThan(1.55);
  });

  it('keeps the prior spread until 5 documents were seen, then narrows it', () => {
    const estimator = createCompletionEstimator();
    const spreadOf = () => estimator.expect(documentStatus({ total_pages: 3 }))?.spreadMs ?? 0;
    const spreads: number[] = [];
    for (let i = 0; i < 20; i++) {
      estimator.observe(documentStatus({ total_pages: 3, durationMs: 1.5 * modelMs(3) }));
      spreads.push(spreadOf());
    }
    const duration = 1.5 * modelMs(3);
    for (const spread of spreads.slice(0, 4)) expectNear(spread, duration * 0.25);
    expect(spreads[4]).toBeLessThan(duration * 0.25);
    // Consistent samples: the window keeps narrowing, down to the 1.5 s floor at most.
    for (let i = 5; i < spreads.length; i++) {
      expect(spreads[i]).toBeLessThanOrEqual(spreads[i - 1] ?? 0);
      expect(spreads[i]).toBeGreaterThanOrEqual(1_500);
    }
    expect(spreads.at(-1)).toBeLessThan(duration * 0.05);
  });

  it('narrows to the 1.5 s floor when documents finish exactly as modelled', () => {
    const estimator = createCompletionEstimator();
    for (let i = 0; i < 5; i++) {
      estimator.observe(documentStatus({ total_pages: 3, durationMs: modelMs(3) }));
    }
    const expected = estimator.expect(documentStatus({ total_pages: 3 }));
    expectNear((expected?.atMs ?? 0) - START_MS, modelMs(3));
    expect(expected?.spreadMs).toBe(1_500);
  });

  it('ignores documents that are not finished', () => {
    const estimator = createCompletionEstimator();
    for (const status of ['pending', 'processing', 'queued-somewhere']) {
      estimator.observe(
        documentStatus({
          status,
          completed_at: new Date(START_MS + 10 * modelMs(3)).toISOString(),
        }),
      );
    }
    expect(estimator.samples).toBe(0);
    expectNear(predictedDuration(estimator), modelMs(3));
  });

  it('ignores failed documents: a failure says nothing about how long success takes', () => {
    const estimator = createCompletionEstimator();
    estimator.observe(documentStatus({ status: 'failed', durationMs: 0.5 * modelMs(3) }));
    expect(estimator.samples).toBe(0);
    expectNear(predictedDuration(estimator), modelMs(3));
  });

  it('learns from each document once, however often it is observed', () => {
    const estimator = createCompletionEstimator();
    const done = documentStatus({ durationMs: 2 * modelMs(3) });
    estimator.observe(done);
    estimator.observe(done);
    estimator.observe({ ...done, completed_at: new Date(START_MS + modelMs(3)).toISOString() });
    expect(estimator.samples).toBe(1);
    expect(predictedDuration(estimator) / modelMs(3)).toBeCloseTo(2, 4);
  });

  it('ignores samples it cannot measure: no end, an end before the start, no pages, no start', () => {
    const estimator = createCompletionEstimator();
    const base = { status: 'completed' } as const;
    estimator.observe(documentStatus({ ...base, completed_at: null }));
    estimator.observe(documentStatus({ ...base, completed_at: 'not a date' }));
    estimator.observe(documentStatus({ durationMs: -60_000 }));
    estimator.observe(documentStatus({ durationMs: modelMs(3), total_pages: undefined }));
    estimator.observe(documentStatus({ durationMs: modelMs(3), started_at: null }));
    expect(estimator.samples).toBe(0);
    expectNear(predictedDuration(estimator), modelMs(3));
  });

  it('limits how far one absurd duration drags a model learned from many documents', () => {
    const estimator = createCompletionEstimator();
    for (let i = 0; i < 30; i++) estimator.observe(documentStatus({ durationMs: modelMs(3) }));
    // A document stuck for a day counts as at most 4x the current ratio, at 10 % weight.
    estimator.observe(documentStatus({ durationMs: 86_400_000 }));
    const ratio = predictedDuration(estimator) / modelMs(3);
    expect(ratio).toBeGreaterThan(1);
    expect(ratio).toBeLessThanOrEqual(1.301);
    // And a zero-length one at most 1/4.
    const other = createCompletionEstimator();
    for (let i = 0; i < 30; i++) other.observe(documentStatus({ durationMs: modelMs(3) }));
    other.observe(documentStatus({ durationMs: 0 }));
    expect(predictedDuration(other) / modelMs(3)).toBeGreaterThanOrEqual(0.92);
    expect(predictedDuration(other) / modelMs(3)).toBeLessThan(1);
  });

  it('returns undefined without total_pages or a parseable started_at', () => {
    const estimator = createCompletionEstimator();
    expect(estimator.expect(documentStatus({ total_pages: undefined }))).toBeUndefined();
    expect(estimator.expect(documentStatus({ started_at: null }))).toBeUndefined();
    expect(estimator.expect(documentStatus({ started_at: 'yesterday-ish' }))).toBeUndefined();
    expect(estimator.expect(documentStatus())).toEqual({
      atMs: expect.any(Number),
      spreadMs: expect.any(Number),
    });
  });
});
