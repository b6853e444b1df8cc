/**
 * What one client call has learned so far, shared by its attempts and ky's retry hooks: ky counts
 * retries, but the deadline, the attempt count across hooks and the planned wait are ours.
 */
export interface CallState {
  /** Epoch ms (on the client's clock) after which no attempt starts and none continues. */
  readonly deadline: number;
  /** HTTP attempts started, from 1. */
  attempts: number;
  /** Whether the current attempt's timer is the deadline's rather than `timeoutMs`. */
  limitedByDeadline: boolean;
  /** The wait decided by `shouldRetry`, taken by `beforeRetry`. */
  waitMs: number;
}
