import {
  assertValidId,
  isTerminalDocumentStatus,
  isTerminalRequestStatus,
  type RequestStatus,
} from '@neurostatus/core';
import type { CompletionEstimator } from './completion-estimator.ts';
import {
  type ResolvedEventStreamOptions,
  resolveTransport,
  type TransportOptions,
} from './event-stream-options.ts';
import type { TimedValue } from './event-stream-watch.ts';
import { pollLoop } from './poll-loop.ts';
import { documentOf, requestSource } from './request-source.ts';
import type { RequestStatusReader } from './request-status-reader.ts';
import {
  type ResolvedWatchOptions,
  resolveWatchOptions,
  type WatchOptions,
} from './watch-options.ts';

/**
 * One step of a request's progress: enough to draw a progress bar.
 *
 * @example
 * ```ts
 * const bar = (p: RequestProgress) => `${'#'.repeat(Math.round(p.fraction * 20)).padEnd(20, '.')} ${p.completed}/${p.total}`;
 * ```
 */
export interface RequestProgress {
  /** The request status as received. */
  readonly request: RequestStatus;
  readonly total: number;
  readonly completed: number;
  readonly failed: number;
  /** Documents not finished yet (pending or processing). */
  readonly processing: number;
  /** `(completed + failed) / total`, from 0 to 1 (1 for an empty request). */
  readonly fraction: number;
  /** Estimated ms until the request is done, when it can be estimated. */
  readonly etaMs: number | undefined;
  /** Documents that completed since the previous yield. */
  readonly newlyCompleted: readonly string[];
  /** Documents that failed since the previous yield. */
  readonly newlyFailed: readonly string[];
  /** True for the last progress of the watch. */
  readonly terminal: boolean;
}

function progressOf(
  request: RequestStatus,
  previous: RequestStatus | undefined,
  now: number,
  estimator: CompletionEstimator,
): RequestProgress {
  const count = (wanted: string) => request.documents.filter((d) => d.status === wanted).length;
  const total = request.total ?? request.documents.length;
  const completed = request.completed ?? count('completed');
  const failed = request.failed ?? count('failed');
  const processing = Math.max(0, total - completed - failed);
  const before = new Map(previous?.documents.map((d) => [d.document_id, d.status]));
  const newly = (state: string) =>
    request.documents
      .filter((d) => d.status === state && before.get(d.document_id) !== state)
      .map((d) => d.document_id);
  const fraction = total === 0 ? 1 : Math.min(1, (completed + failed) / total);
  const terminal = isTerminalRequestStatus(request);
  return {
    request,
    total,
    completed,
    failed,
    processing,
    fraction,
    etaMs: terminal ? 0 : etaOf(request, fraction, now, estimator),
    newlyCompleted: newly('completed'),
    newlyFailed: newly('failed'),
    terminal,
  };
}

/**
 * The latest expected completion among unfinished documents when the estimator can tell for all
 * of them and none is overdue; otherwise the pace so far, extrapolated from `started_at`.
 */
function etaOf(
  request: RequestStatus,
  fraction: number,
  now: number,
  estimator: CompletionEstimator,
) {
  let latest: number | undefined;
  for (const entry of request.documents) {
    if (isTerminalDocumentStatus(entry.status)) continue;
    const document = documentOf(entry);
    const expected = document && estimator.expect(document);
    // No estimate, or one already overdue (it said 0 s left and was wrong): use the pace instead.
    if (expected === undefined || expected.atMs + expected.spreadMs <= now) {
      latest = undefined;
      break;
    }
    latest = Math.max(latest ?? 0, expected.atMs);
  }
  if (latest !== undefined) return Math.max(0, latest - now);
  const started = request.started_at === null ? Number.NaN : Date.parse(request.started_at);
  if (!Number.isFinite(started) || fraction <= 0 || now <= started) return undefined;
  return ((now - started) * (1 - fraction)) / fraction;
}

async function* pollRequest(
  client: RequestStatusReader,
  requestId: string,
  options: ResolvedWatchOptions,
): AsyncGenerator<TimedValue<RequestStatus>, void, undefined> {
  const source = requestSource(client, requestId, options.estimator);
  yield* pollLoop(source, options, (value, state) => ({
    value,
    clockOffsetMs: state.clockOffsetMs,
  }));
}

/** Turns request statuses, however they arrive, into progress. */
async function* progressFrom(
  statuses: AsyncIterable<TimedValue<RequestStatus>>,
  options: ResolvedWatchOptions,
): AsyncGenerator<RequestProgress, void, undefined> {
  let yielded: RequestStatus | undefined;
  for await (const { value, clockOffsetMs } of statuses) {
    const serverNow = options.clock.now() - clockOffsetMs;
    const progress = progressOf(value, yielded, serverNow, options.estimator);
    yielded = value;
    yield progress;
  }
}

/** The estimator learns from what a stream brings, as the polling source's `observe` does. */
async function* observed(
  statuses: AsyncIterable<TimedValue<RequestStatus>>,
  estimator: CompletionEstimator,
): AsyncGenerator<TimedValue<RequestStatus>, void, undefined> {
  for await (const timed of statuses) {
    for (const entry of timed.value.documents) {
      const document = documentOf(entry);
      if (document) estimator.observe(document);
    }
    yield timed;
  }
}

/**
 * Options of {@link watchRequest}: the watch options and the transport.
 *
 * @example
 * ```ts
 * watchRequest(client, id, { transport: 'auto', events: { baseUrl } } satisfies WatchRequestOptions);
 * ```
 */
export interface WatchRequestOptions extends WatchOptions, TransportOptions {}

/**
 * Watches a request (a group of documents) and yields its progress: counts, fraction done, an
 * ETA when one can be estimated, and which documents completed or failed since the last yield.
 * Ends when the request is terminal (`partial` only once nothing is still processing).
 *
 * @throws the same errors as `watchStatus`, for the request.
 * @example
 * ```ts
 * for await (const progress of watchRequest(client, requestId)) {
 *   console.log(`${Math.round(progress.fraction * 100)}%`, progress.newlyFailed);
 * }
 * ```
 */
export function watchRequest(
  client: RequestStatusReader,
  requestId: string,
  options: WatchRequestOptions = {},
): AsyncIterable<RequestProgress> {
  assertValidId(requestId, 'request');
  const { transport: _transport, events: _events, ...watchOptions } = options;
  const resolved = resolveWatchOptions(watchOptions);
  const stream = resolveTransport(options);
  if (stream === undefined) return progressFrom(pollRequest(client, requestId, resolved), resolved);
  // Event streams (issue 14): the proxy pushes each change; polling where it cannot.
  const statuses = requestOverEvents(client, requestId, stream, resolved);
  return progressFrom(observed(statuses, resolved.estimator), resolved);
}

async function* requestOverEvents(
  client: RequestStatusReader,
  requestId: string,
  stream: ResolvedEventStreamOptions,
  options: ResolvedWatchOptions,
): AsyncGenerator<TimedValue<RequestStatus>, void, undefined> {
  // Loaded on first use, so that code-splitting bundlers leave it out of polling-only bundles.
  const { watchRequestOverEvents } = await import('./event-stream-targets.ts');
  yield* watchRequestOverEvents(client, requestId, stream, options, (pollOptions) =>
    pollRequest(client, requestId, pollOptions),
  );
}
