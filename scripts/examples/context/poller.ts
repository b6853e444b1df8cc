// What the reader of a poller @example brings (see context/core.ts). Examples of internal
// modules use the parts the poller is built from.
import type { DocumentStatus, NeurolinkerClient, RequestStatus } from '@neurostatus/core';
import type { PollerClock } from '../../src/clock.ts';
import type { CompletionEstimator } from '../../src/completion-estimator.ts';
import type { Due } from '../../src/due-heap.ts';
import type { ResolvedEventStreamOptions } from '../../src/event-stream-options.ts';
import type { StreamMessage, StreamReaderHooks } from '../../src/event-stream-reader.ts';
import type { StreamTarget, TimedValue } from '../../src/event-stream-watch.ts';
import type { PollScheduler } from '../../src/poll-scheduler.ts';
import type { RateLimiter } from '../../src/rate-limiter.ts';
import type { StatusSource } from '../../src/status-source.ts';
import type { ResolvedWatchOptions, WatchOptions } from '../../src/watch-options.ts';
import type { WatchState } from '../../src/watch-state.ts';

export declare const client: NeurolinkerClient;
export declare const apiKey: string;
export declare const id: string;
export declare const newId: string;
export declare const ids: readonly string[];
export declare const documentId: string;
export declare const documentIds: readonly string[];
export declare const requestId: string;
export declare const status: DocumentStatus;
export declare const previous: DocumentStatus;
export declare const next: DocumentStatus;
export declare const signal: AbortSignal;
export declare const remainingMs: number | undefined;
/** A caught error: examples narrow it with the guards they document. */
export declare const error: unknown;
/** The poller's own parts, as its modules wire them. */
export declare const options: WatchOptions & ResolvedWatchOptions;
export declare const clock: PollerClock;
export declare const simulatorClock: { now(): number; set(ms: number): void };
export declare const estimator: CompletionEstimator;
export declare const scheduler: PollScheduler;
export declare const limiter: RateLimiter;
export declare const source: StatusSource<DocumentStatus>;
export declare const state: WatchState<DocumentStatus>;
export interface Loop extends Due {
  readonly id: string;
}
export declare const loop: Loop;
/** The reader's own code. */
export declare function unsubscribe(): void;
export declare function yieldIt(status: DocumentStatus): void;
export declare function send(status: DocumentStatus): void;
export declare function fail(error: unknown): void;
export declare function close(): void;
export declare function retryLater(): void;
export declare function notify(documentId: string): void;
export declare function fetchSomething(): Promise<void>;
/** The proxy's base URL, for the event-stream transport's examples. */
export declare const baseUrl: string;
/** How an event-stream target polls when the stream cannot be had. */
export declare const poll: StreamTarget<DocumentStatus>['poll'];
export declare function show(value: unknown): void;
/** The event-stream transport's parts, as watchStatus wires them. */
export declare const stream: ResolvedEventStreamOptions;
export declare const documentTarget: StreamTarget<DocumentStatus>;
export declare const timed: TimedValue<DocumentStatus>;
/** An answer of the proxy's `/events` route, and the reader's use of each message. */
export declare const response: Response & { body: ReadableStream<Uint8Array> };
export declare const hooks: StreamReaderHooks;
export declare function handle(message: StreamMessage): void;
/** How `watchRequest` polls a request when its stream cannot be had. */
export declare function pollRequest(
  options: ResolvedWatchOptions,
): AsyncIterable<TimedValue<RequestStatus>>;
