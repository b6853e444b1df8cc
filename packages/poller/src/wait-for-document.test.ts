import { DEMO_API_KEY } from '@neurostatus/simulator';
import { describe, expect, it } from 'vitest';
import {
  ExtractionFailedError,
  isExtractionFailedError,
  isWatchTimeoutError,
  WatchTimeoutError,
} from './errors.ts';
import { fixedInterval } from './fixed-interval.ts';
import { createPollScheduler } from './poll-scheduler.ts';
import { useHarness } from './test-support/harness.ts';
import { driveWhenIdle, trackRequests } from './test-support/idle-drive.ts';
import { waitForDocument } from './wait-for-document.ts';

const harness = useHarness();

const COMPLETES = { totalPages: 2, pendingMs: 1_000, processingMs: 12_000 };
const FAILS = { ...COMPLETES, outcome: 'failed', errorMessage: 'Unreadable scan' };

function submit(document: Record<string, unknown>) {
  const { documentIds } = harness.server.simulator.createRequest({
    apiKey: DEMO_API_KEY,
    documents: [document],
  });
  return documentIds[0]!;
}

function setup() {
  const clock = harness.clock();
  const { client, log } = trackRequests(clock, harness.client());
  const run = <T>(work: Promise<T>) => driveWhenIdle(clock, work, log);
  return { clock, client, log, run };
}

describe('waitForDocument over real HTTP', () => {
  it('resolves with the completed status, results included', async () => {
    const id = submit(COMPLETES);
    const { clock, client, run } = setup();
    const start = clock.now();
    const done = await run(waitForDocument(client, id, { clock, policy: fixedInterval(1_000) }));
    expect(done).toMatchObject({
      document_id: id,
      status: 'completed',
      completed_at: expect.any(String),
      results: { storage_path: expect.stringContaining(id) },
    });
    expect(clock.now() - start).toBe(13_000);
    expect(clock.pending).toEqual([]);
  });

  it('resolves with the failed status when failOnFailed is not set', async () => {
    const id = submit(FAILS);
    const { clock, client, run } = setup();
    const done = await run(waitForDocument(client, id, { clock }));
    expect(done).toMatchObject({
      document_id: id,
      status: 'failed',
      results: { error: 'Unreadable scan' },
    });
  });

  it('rejects with ExtractionFailedError carrying the failed status with failOnFailed: true', async () => {
    const id = submit(FAILS);
    const { clock, client, run } = setup();
    const error = await run(waitForDocument(client, id, { clock, failOnFailed: true })).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ExtractionFailedError);
    expect(isExtractionFailedError(error)).toBe(true);
    expect(isWatchTimeoutError(error)).toBe(false);
    expect(error).toMatchObject({
      name: 'ExtractionFailedError',
      code: 'EXTRACTION_FAILED',
      status: { document_id: id, status: 'failed', results: { error: 'Unreadable scan' } },
    });
    expect((error as ExtractionFailedError).message).toContain(id);
  });

  it('resolves a completed document with failOnFailed: true', async () => {
    const id = submit(COMPLETES);
    const { clock, client, run } = setup();
    const done = await run(waitForDocument(client, id, { clock, failOnFailed: true }));
    expect(done.status).toBe('completed');
  });

  it('rejects with WatchTimeoutError when timeoutMs passes first', async () => {
    const id = submit({ totalPages: 40 });
    const { clock, client, run } = setup();
    const error = await run(waitForDocument(client, id, { clock, timeoutMs: 20_000 })).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(WatchTimeoutError);
    expect((error as WatchTimeoutError).lastStatus?.document_id).toBe(id);
    expect(clock.pending).toEqual([]);
  });

  it('rejects with the signal reason when aborted', async () => {
    const id = submit(COMPLETES);
    const { clock, client } = setup();
    const controller = new AbortController();
    const waiting = waitForDocument(client, id, { clock, signal: controller.signal });
    await clock.whenSleeping();
    controller.abort(new Error('cancelled'));
    await expect(waiting).rejects.toThrow('cancelled');
    expect(clock.pending).toEqual([]);
  });

  it('waits through a shared scheduler', async () => {
    const id = submit(COMPLETES);
    const { clock, client, run } = setup();
    const scheduler = createPollScheduler({ clock });
    const done = await run(waitForDocument(client, id, { scheduler, failOnFailed: true }));
    expect(done.status).toBe('completed');
    expect(scheduler.stats()).toMatchObject({ loops: 0, consumers: 0 });
  });

  it('rejects with an AbortError, not a non-terminal status, when its scheduler closes', async () => {
    const id = submit(COMPLETES);
    const { clock, client } = setup();
    const scheduler = createPollScheduler({ clock });
    const waiting = waitForDocument(client, id, { scheduler });
    await clock.whenSleeping(); // it has seen `pending`
    scheduler.close();
    await expect(waiting).rejects.toMatchObject({
      name: 'AbortError',
      message: expect.stringContaining(id),
    });
  });

  it('rejects with an AbortError when its scheduler closes before the first status', async () => {
    const id = submit(COMPLETES);
    const { clock, client } = setup();
    const scheduler = createPollScheduler({ clock });
    const waiting = waitForDocument(client, id, { scheduler });
    scheduler.close();
    await expect(waiting).rejects.toMatchObject({ name: 'AbortError' });
    expect(clock.pending).toEqual([]);
  });

  it('rejects a malformed id before any request', async () => {
    const { client, log } = setup();
    await expect(waitForDocument(client, 'a b')).rejects.toThrow(/Invalid document id/);
    expect(log.startedAt).toEqual([]);
  });
});
