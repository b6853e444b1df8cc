import {
  type BeforeRetryState,
  HTTPError,
  isTimeoutError,
  type Options,
  type ShouldRetryState,
} from 'ky';
import type { CallState } from './call-state.ts';
import type { RetryEvent, RetryOptions } from './client-options.ts';
import { RETRY_STATUS_CODES } from './client-options.ts';
import { isNeurolinkerError } from './errors.ts';
import { retryAfterMs } from './retry-after.ts';
import { retryDelay } from './retry-delay.ts';
import { type ErrorContext, toNeurolinkerError } from './to-neurolinker-error.ts';

/** What {@link retryPolicy} needs from the client and the call. */
export interface RetryPolicyContext extends ErrorContext {
  readonly state: CallState;
  readonly retry: Required<RetryOptions>;
  /** Retries allowed for this call. */
  readonly limit: number;
  readonly random: () => number;
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly onRetry: ((event: RetryEvent) => void) | undefined;
  readonly signal: AbortSignal | undefined;
}

/**
 * ky's `retry` and `beforeRetry` hook for one call. ky runs the loop and decides what is worth
 * another attempt (its `statusCodes`, `retryOnTimeout`, network errors, `limit`); `shouldRetry`
 * adds what ky cannot know (the deadline, a hint past `maxRetryAfterMs`, our own errors) and plans
 * the wait, which `beforeRetry` then takes.
 */
export function retryPolicy(context: RetryPolicyContext): Pick<Options, 'retry' | 'hooks'> {
  const { state, retry, now, signal } = context;

  const shouldRetry = ({ error, retryCount }: ShouldRetryState): false | undefined => {
    if (signal?.aborted || isNeurolinkerError(error)) return false;
    if (isTimeoutError(error) && state.limitedByDeadline) return false;
    const hintMs =
      error instanceof HTTPError ? retryAfterMs(error.response.headers, now()) : undefined;
    // RFC 9110 10.2.3: the server told us when to come back; a wait beyond our bound is the
    // caller's decision, so surface it (with `retryAfterMs`) instead of sleeping through it.
    if (hintMs !== undefined && hintMs > retry.maxRetryAfterMs) return false;
    state.waitMs = hintMs ?? retryDelay(retryCount - 1, retry, context.random);
    if (now() + state.waitMs >= state.deadline) return false;
    return undefined; // ky decides
  };

  const beforeRetry = async ({ error, retryCount }: BeforeRetryState): Promise<void> => {
    const reason = await toNeurolinkerError(error, context);
    try {
      context.onRetry?.({ attempt: retryCount, delayMs: state.waitMs, error: reason });
    } catch {
      // A logging hook must not change the outcome of the call.
    }
    await context.sleep(state.waitMs, signal);
  };

  return {
    retry: {
      limit: context.limit,
      methods: ['get'],
      statusCodes: [...RETRY_STATUS_CODES],
      // Not ky's Retry-After handling: it reads no `retry-after-ms`, reads the header only on 413,
      // 429 and 503, measures HTTP dates on `Date.now()` rather than the injected clock, and clamps
      // a long hint where we surface it (`maxRetryAfterMs`). `shouldRetry` plans that wait instead.
      afterStatusCodes: [],
      retryOnTimeout: true,
      shouldRetry,
      // Not ky's wait (nor its `backoffLimit`, which only bounds that wait): it is a bare timer that
      // neither the `sleep` option (tests, virtual clocks) nor the caller's signal controls. ky
      // waits 0 and `beforeRetry` sleeps for the full-jitter backoff of `retryDelay()`, whose
      // `maxDelayMs` is the backoff limit.
      delay: () => 0,
    },
    hooks: { beforeRetry: [beforeRetry] },
  };
}
