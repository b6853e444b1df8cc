import { TimeoutError as KyTimeoutError } from 'ky';
import type { CallState } from './call-state.ts';
import { InvalidResponseError } from './errors.ts';
import { BodyTooLarge, readBody } from './read-body.ts';

/** What {@link attemptFetch} needs from the client. */
export interface AttemptFetchOptions {
  /** The fetch to use, looked up per attempt so that one installed later applies. */
  readonly fetch: () => typeof globalThis.fetch;
  readonly timeoutMs: number;
  readonly maxResponseBytes: number;
  readonly now: () => number;
  /** Removes the key from text the upstream sent. */
  readonly redact: (text: string) => string;
  /** The caller's signal. */
  readonly signal: AbortSignal | undefined;
  /** E.g. `document 1d6986aa-...`, for messages. */
  readonly subject: string;
}

// RFC 9110 15.3.5, 15.3.6, 15.4.5: these statuses have no content, and `new Response()` refuses one.
const NULL_BODY_STATUSES = new Set([204, 205, 304]);

/**
 * The `fetch` ky calls for each attempt of one call: the request and then its whole body, within
 * one timer of `timeoutMs` (or what is left of the deadline); the body is read here, counted
 * against `maxResponseBytes` and redacted of the key, and handed to ky as a buffered `Response`.
 *
 * Why by hand, not ky's `timeout`: ky's timer stops when the headers arrive, so a body that stalls
 * would never time out; it cannot shrink for the last attempt before the overall deadline; and on
 * Node 20 the abort it sends through the `Request` can be lost after a garbage collection (issue 9).
 * The timer still ends as ky's `TimeoutError`, so ky's `retryOnTimeout` decides about a retry.
 *
 * Why the caller's signal is followed here, not handed to ky: ky joins it to its own with
 * `AbortSignal.any`, which on Node 20 keeps every attempt's signal reachable from a long-lived
 * caller signal (an app-wide shutdown signal) until that aborts. Here the listener is removed when
 * the attempt ends.
 */
export function attemptFetch(state: CallState, options: AttemptFetchOptions): typeof fetch {
  const { signal } = options;
  return async (input, init) => {
    state.attempts++;
    const timeoutMs = Math.min(options.timeoutMs, state.deadline - options.now());
    state.limitedByDeadline = timeoutMs < options.timeoutMs;
    const request = input instanceof Request ? input : new Request(input);
    if (timeoutMs <= 0) throw new KyTimeoutError(request);
    const controller = new AbortController();
    const onAbort = () => controller.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => controller.abort(new KyTimeoutError(request)), timeoutMs);
    try {
      const response = await options.fetch()(input, { ...init, signal: controller.signal });
      const text = await readBody(response, options.maxResponseBytes, controller.signal);
      const { status } = response;
      return new Response(NULL_BODY_STATUSES.has(status) ? null : options.redact(text), {
        status,
        statusText: options.redact(response.statusText),
        headers: response.headers,
      });
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (controller.signal.aborted) throw controller.signal.reason;
      if (error instanceof BodyTooLarge) {
        throw new InvalidResponseError(
          `The answer for ${options.subject} is larger than ${options.maxResponseBytes} bytes`,
          { status: error.status, attempts: state.attempts },
        );
      }
      throw error;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  };
}
