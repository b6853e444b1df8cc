import type { NeurolinkerClient } from '@neurostatus/core';
import type { VirtualClock } from '../virtual-clock.ts';
import { settling } from './settling.ts';

/** The two client calls the poller makes. */
export type StatusReader = Pick<
  NeurolinkerClient,
  'getDocumentStatusWithMeta' | 'getRequestStatusWithMeta'
>;

/** What a {@link trackRequests} client saw: start times on virtual time, and overlap. */
export interface RequestLog {
  /** `clock.now()` at the start of each call, in call order. */
  readonly startedAt: number[];
  /** The id of each call, in call order. */
  readonly ids: string[];
  /** Calls started and not yet settled. */
  inFlight: number;
  maxInFlight: number;
}

/**
 * Wraps a client so every call is logged with the virtual time it started at and counted while
 * in flight (HTTP and body parsing included), which {@link driveWhenIdle} needs to know.
 *
 * @example
 * ```ts
 * const { client, log } = trackRequests(clock, harness.client());
 * ```
 */
export function trackRequests(
  clock: VirtualClock,
  base: StatusReader,
): { client: StatusReader; log: RequestLog } {
  const log: RequestLog = { startedAt: [], ids: [], inFlight: 0, maxInFlight: 0 };
  const track = async <T>(id: string, call: () => Promise<T>): Promise<T> => {
    log.startedAt.push(clock.now());
    log.ids.push(id);
    log.inFlight++;
    log.maxInFlight = Math.max(log.maxInFlight, log.inFlight);
    try {
      return await call();
    } finally {
      log.inFlight--;
    }
  };
  return {
    log,
    client: {
      getDocumentStatusWithMeta: (id, options) =>
        track(id, () => base.getDocumentStatusWithMeta(id, options)),
      getRequestStatusWithMeta: (id, options) =>
        track(id, () => base.getRequestStatusWithMeta(id, options)),
    },
  };
}

/** One turn of the event loop: promise jobs and ready I/O callbacks run, no virtual time passes. */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Runs `work` to completion on virtual time, firing the next sleep only when everything is
 * quiet: no tracked request in flight and the promise jobs drained. Unlike `drive`, which fires
 * as soon as one sleep is pending, time never jumps while a request is on the wire, so a
 * deadline or a second watch cannot overtake a poll that is still being answered.
 *
 * "Quiet" is only as good as `tracker`: one idle turn proves nothing about work that finishes in a
 * later turn (sockets, the thread pool). Count in `inFlight` every such step between two sleeps:
 * requests until their body is read, streamed bytes sent and not yet read, WebCrypto calls.
 *
 * @example
 * ```ts
 * const statuses = await driveWhenIdle(clock, collect(scheduler.watch(client, id)), log);
 * ```
 */
export async function driveWhenIdle<T>(
  clock: VirtualClock,
  work: Promise<T>,
  tracker: { readonly inFlight: number },
  maxFires = 10_000,
): Promise<T> {
  const watched = settling(work);
  for (let fires = 0; fires < maxFires; ) {
    await Promise.race([watched.done, turn()]);
    if (watched.settled) return work;
    if (tracker.inFlight > 0) continue;
    if (clock.pending.length === 0) {
      await Promise.race([watched.done, clock.whenSleeping()]);
      continue;
    }
    // Quiet for a whole turn: every watch is asleep.
    await turn();
    if (watched.settled || tracker.inFlight > 0) continue;
    clock.fireNext();
    fires++;
  }
  throw new Error(`driveWhenIdle(): not finished after ${maxFires} sleeps`);
}
