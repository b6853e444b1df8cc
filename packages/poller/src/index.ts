export {
  ADAPTIVE_INTERVAL_DEFAULTS,
  type AdaptiveIntervalOptions,
  adaptiveInterval,
} from './adaptive-interval.ts';
export { type PollerClock, systemClock } from './clock.ts';
export {
  type CompletionEstimator,
  type CompletionModel,
  createCompletionEstimator,
  DEFAULT_COMPLETION_MODEL,
} from './completion-estimator.ts';
export type { DocumentStatusReader } from './document-source.ts';
export {
  ExtractionFailedError,
  isExtractionFailedError,
  isWatchTimeoutError,
  type PollerErrorCode,
  WatchTimeoutError,
} from './errors.ts';
export {
  EVENT_STREAM_DEFAULTS,
  type EventStreamOptions,
  type TransportOptions,
  type WatchTransport,
} from './event-stream-options.ts';
export { type ExponentialIntervalOptions, exponentialInterval } from './exponential-interval.ts';
export { fixedInterval } from './fixed-interval.ts';
export {
  clampDelay,
  type ExpectedCompletion,
  type IntervalPolicy,
  MAX_TIMER_MS,
  type PollContext,
} from './interval-policy.ts';
export { classifyPollError, type PollErrorKind } from './poll-error-kind.ts';
export {
  createPollScheduler,
  type PollScheduler,
  type PollSchedulerStats,
  type RequestWatchOptions,
  type ScheduledWatchOptions,
  type SubscribeOptions,
} from './poll-scheduler.ts';
export { requestEntryStatus } from './request-entry-status.ts';
export type { RequestStatusReader } from './request-status-reader.ts';
export type { PollSchedulerOptions } from './scheduler-options.ts';
export type { StatusListener } from './status-listener.ts';
export { createVirtualClock, type VirtualClock } from './virtual-clock.ts';
export { type WaitForDocumentOptions, waitForDocument } from './wait-for-document.ts';
export {
  type WatchManyOptions,
  type WatchManyStream,
  type WatchManyUpdate,
  watchMany,
} from './watch-many.ts';
export { WATCH_DEFAULTS, type WatchOptions } from './watch-options.ts';
export { type RequestProgress, type WatchRequestOptions, watchRequest } from './watch-request.ts';
export { type WatchStatusOptions, watchStatus } from './watch-status.ts';
