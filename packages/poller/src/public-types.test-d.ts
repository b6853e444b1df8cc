import {
  createNeurolinkerClient,
  type DocumentStatus,
  type NeurolinkerClient,
  type RequestStatus,
} from '@neurostatus/core';
import { describe, expectTypeOf, it } from 'vitest';
import {
  adaptiveInterval,
  createCompletionEstimator,
  createPollScheduler,
  type ExpectedCompletion,
  type ExtractionFailedError,
  exponentialInterval,
  fixedInterval,
  type IntervalPolicy,
  isExtractionFailedError,
  isWatchTimeoutError,
  type PollContext,
  type PollSchedulerStats,
  type RequestProgress,
  type RequestWatchOptions,
  type StatusListener,
  type WatchManyStream,
  type WatchManyUpdate,
  type WatchTimeoutError,
  waitForDocument,
  watchMany,
  watchRequest,
  watchStatus,
} from './index.ts';

const client = createNeurolinkerClient({ apiKey: 'nl_x' });

describe('public types', () => {
  it('yields DocumentStatus from watchStatus, with or without a scheduler', async () => {
    for await (const status of watchStatus(client, 'id')) {
      expectTypeOf(status).toEqualTypeOf<DocumentStatus>();
    }
    const scheduler = createPollScheduler();
    for await (const status of watchStatus(client, 'id', { scheduler })) {
      expectTypeOf(status).toEqualTypeOf<DocumentStatus>();
    }
    expectTypeOf(scheduler.watch(client, 'id')).toEqualTypeOf<AsyncIterable<DocumentStatus>>();
    expectTypeOf(scheduler.stats()).toEqualTypeOf<PollSchedulerStats>();
  });

  it('yields RequestProgress from watchRequest', async () => {
    for await (const progress of watchRequest(client, 'id')) {
      expectTypeOf(progress).toEqualTypeOf<RequestProgress>();
      expectTypeOf(progress.request).toEqualTypeOf<RequestStatus>();
      expectTypeOf(progress.etaMs).toEqualTypeOf<number | undefined>();
      expectTypeOf(progress.newlyCompleted).toEqualTypeOf<readonly string[]>();
    }
  });

  it('yields RequestStatus from scheduler.watchRequest, and types its listener', () => {
    const scheduler = createPollScheduler();
    expectTypeOf(scheduler.watchRequest(client, 'id')).toEqualTypeOf<
      AsyncIterable<RequestStatus>
    >();
    const listener: StatusListener<RequestStatus> = {
      status: (request) => expectTypeOf(request).toEqualTypeOf<RequestStatus>(),
      end: () => {},
      error: () => {},
    };
    expectTypeOf(scheduler.subscribeRequest(client, 'id', listener)).toEqualTypeOf<() => void>();
    expectTypeOf<RequestWatchOptions['emit']>().toEqualTypeOf<'changes' | 'every' | undefined>();
  });

  it('yields WatchManyUpdate from watchMany, narrowed by its status', async () => {
    const stream = watchMany(client, ['a', 'b']);
    expectTypeOf(stream).toEqualTypeOf<WatchManyStream>();
    expectTypeOf(stream.add).parameters.toEqualTypeOf<string[]>();
    for await (const update of stream) {
      expectTypeOf(update).toEqualTypeOf<WatchManyUpdate>();
      expectTypeOf(update.documentId).toEqualTypeOf<string>();
      if (update.status !== undefined) {
        expectTypeOf(update.status).toEqualTypeOf<DocumentStatus>();
        expectTypeOf(update.error).toEqualTypeOf<undefined>();
      } else {
        expectTypeOf(update.error).toEqualTypeOf<unknown>();
      }
    }
  });

  it('resolves waitForDocument with a DocumentStatus', () => {
    expectTypeOf(waitForDocument(client, 'id')).toEqualTypeOf<Promise<DocumentStatus>>();
    expectTypeOf(
      waitForDocument(client, 'id', { failOnFailed: true }),
    ).resolves.toEqualTypeOf<DocumentStatus>();
  });

  it('accepts any object with the methods a watch needs, not only the full client', () => {
    const reader: Pick<NeurolinkerClient, 'getDocumentStatusWithMeta'> = client;
    expectTypeOf(watchStatus(reader, 'id')).toEqualTypeOf<AsyncIterable<DocumentStatus>>();
    // @ts-expect-error a request reader cannot watch documents
    watchStatus({ getRequestStatusWithMeta: client.getRequestStatusWithMeta }, 'id');
  });

  it('types an IntervalPolicy as (context: PollContext) => number', () => {
    expectTypeOf<IntervalPolicy>().toEqualTypeOf<(context: PollContext) => number>();
    expectTypeOf(adaptiveInterval()).toEqualTypeOf<IntervalPolicy>();
    expectTypeOf(exponentialInterval()).toEqualTypeOf<IntervalPolicy>();
    expectTypeOf(fixedInterval(1_000)).toEqualTypeOf<IntervalPolicy>();
    expectTypeOf<PollContext['expected']>().toEqualTypeOf<ExpectedCompletion | undefined>();
    expectTypeOf<PollContext['status']>().toEqualTypeOf<DocumentStatus | undefined>();
    expectTypeOf(createCompletionEstimator().expect).returns.toEqualTypeOf<
      ExpectedCompletion | undefined
    >();
  });

  it('narrows errors with the guards', () => {
    const error: unknown = new Error('x');
    if (isExtractionFailedError(error)) {
      expectTypeOf(error).toEqualTypeOf<ExtractionFailedError>();
      expectTypeOf(error.status).toEqualTypeOf<DocumentStatus>();
    }
    if (isWatchTimeoutError(error)) {
      expectTypeOf(error).toEqualTypeOf<WatchTimeoutError<unknown>>();
      expectTypeOf(error.timeoutMs).toEqualTypeOf<number>();
    }
  });

  it('rejects options of the wrong type', () => {
    // @ts-expect-error emit is 'changes' or 'every'
    watchStatus(client, 'id', { emit: 'sometimes' });
    // @ts-expect-error a policy returns a number
    watchStatus(client, 'id', { policy: () => 'soon' });
    // @ts-expect-error the scheduler's consumers have no policy of their own
    createPollScheduler().watch(client, 'id', { policy: fixedInterval(1) });
  });
});
