import ky from 'ky';
import type * as v from 'valibot';
import { assertValidId, type IdKind } from './assert-valid-id.ts';
import {
  type NeurolinkerClientOptions,
  RETRY_STATUS_CODES,
  type RequestOptions,
  resolveClientOptions,
  resolveDeadline,
  resolveRetryLimit,
} from './client-options.ts';
import { delay } from './delay.ts';
import { type DocumentStatus, DocumentStatusSchema } from './document-status-schema.ts';
import { errorFromResponse } from './error-from-response.ts';
import {
  ConnectionError,
  InvalidResponseError,
  isNeurolinkerError,
  type NeurolinkerError,
  TimeoutError,
} from './errors.ts';
import { freshnessMs } from './freshness.ts';
import { parseHttpDate } from './http-date.ts';
import { parseAnswer } from './parse-answer.ts';
import { BodyTooLarge, readBody } from './read-body.ts';
import { type RequestStatus, RequestStatusSchema } from './request-status-schema.ts';
import { retryAfterMs } from './retry-after.ts';
import { retryDelay } from './retry-delay.ts';

/**
 * What a call learned besides the payload: for pollers, loggers and support requests.
 *
 * @example
 * ```ts
 * const { meta } = await client.getDocumentStatusWithMeta(id);
 * if (meta.attempts > 1) console.warn('needed retries');
 * ```
 */
export interface ResponseMeta {
  /** How long the answer stays fresh (`Cache-Control: max-age` minus `Age`), when the server says. */
  readonly freshForMs: number | undefined;
  /** The `x-request-id` response header. */
  readonly requestId: string | undefined;
  /** How many HTTP attempts the call made. */
  readonly attempts: number;
  /**
   * The server's clock when it answered (its `Date` header, 1 s resolution), when it sent one: lets a
   * poller relate timestamps such as `started_at` to its own clock.
   */
  readonly serverDateMs?: number | undefined;
}

/**
 * A validated payload with its {@link ResponseMeta}.
 *
 * @example
 * ```ts
 * const { data, meta }: WithMeta<DocumentStatus> = await client.getDocumentStatusWithMeta(id);
 * ```
 */
export interface WithMeta<T> {
  readonly data: T;
  readonly meta: ResponseMeta;
}

/**
 * The status client returned by {@link createNeurolinkerClient}.
 *
 * @example
 * ```ts
 * const client: NeurolinkerClient = createNeurolinkerClient({ apiKey });
 * ```
 */
export interface NeurolinkerClient {
  /**
   * `GET {baseUrl}/document-status/{documentId}`, validated.
   * @throws {InvalidIdError} before any request for a malformed id.
   * @throws {NeurolinkerError} subclasses for every failure; the signal's reason on abort.
   */
  getDocumentStatus(documentId: string, options?: RequestOptions): Promise<DocumentStatus>;
  /**
   * `GET {baseUrl}/request-status/{requestId}`, validated.
   * @throws {InvalidIdError} before any request for a malformed id.
   * @throws {NeurolinkerError} subclasses for every failure; the signal's reason on abort.
   */
  getRequestStatus(requestId: string, options?: RequestOptions): Promise<RequestStatus>;
  /** Like `getDocumentStatus`, with what the response said about freshness and attempts. */
  getDocumentStatusWithMeta(
    documentId: string,
    options?: RequestOptions,
  ): Promise<WithMeta<DocumentStatus>>;
  /** Like `getRequestStatus`, with what the response said about freshness and attempts. */
  getRequestStatusWithMeta(
    requestId: string,
    options?: RequestOptions,
  ): Promise<WithMeta<RequestStatus>>;
}

/** Thrown inside an attempt when its own timer fired (as opposed to the caller's signal). */
class AttemptTimeout {
  readonly timeoutMs: number;
  constructor(timeoutMs: number) {
    this.timeoutMs = timeoutMs;
  }
}

/** The cause of a network failure in words, e.g. `fetch failed (ECONNREFUSED)`. */
function describeCause(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause as { code?: unknown; message?: unknown } | undefined;
  const why = typeof cause?.code === 'string' ? cause.code : cause?.message;
  return typeof why === 'string' && why !== '' ? `${error.message} (${why})` : error.message;
}

/**
 * Creates a status client for the Neurolinker API.
 *
 * Each call validates the id, then makes up to `retry.limit + 1` attempts of at most `timeoutMs`
 * each, within `deadlineMs` overall. Network errors, timeouts and 408, 425, 429, 500, 502, 503,
 * 504 are retried with full-jitter backoff, or after the server's `Retry-After` /
 * `retry-after-ms` when it sends one.
 *
 * @throws {TypeError} for invalid options, naming the option.
 * @example
 * ```ts
 * import { createNeurolinkerClient } from '@neurostatus/core';
 *
 * const client = createNeurolinkerClient({ apiKey: process.env.NEUROLINKER_API_KEY! });
 * const status = await client.getDocumentStatus('1d6986aa-80ac-4a4d-9009-5a323c9046b1');
 * console.log(status.status); // 'pending' | 'processing' | 'completed' | 'failed'
 * ```
 */
export function createNeurolinkerClient(options: NeurolinkerClientOptions): NeurolinkerClient {
  const resolved = resolveClientOptions(options);
  const { apiKey, retry, now, random, maxResponseBytes } = resolved;
  const api = ky.create({
    prefixUrl: resolved.baseUrl,
    headers: resolved.headers,
    retry: 0,
    timeout: false,
    throwHttpErrors: false,
    // Looked up per call, so a fetch replaced after construction (tests, polyfills) is used.
    fetch: (input, init) => (resolved.fetch ?? globalThis.fetch)(input, init),
    hooks: {
      beforeRequest: resolved.hooks.beforeRequest ?? [],
      afterResponse: resolved.hooks.afterResponse ?? [],
    },
  });
  const sleep = resolved.sleep ?? delay;

  // A hostile or buggy upstream could echo the Authorization header back: never let it through.
  const scrub = (text: string) => text.split(apiKey).join('[REDACTED]');

  /**
   * One HTTP attempt, bounded by its own timer for headers and body alike.
   *
   * The caller's signal is followed with a listener removed when the attempt ends, not with
   * `AbortSignal.any`: on Node 20 a signal made by `AbortSignal.any` that has listeners (fetch adds
   * one) stays reachable from its sources, so a long-lived caller signal (an app-wide shutdown
   * signal, a watch of many polls) would keep every attempt's signal alive until it aborts.
   */
  async function attempt(path: string, timeoutMs: number, signal: AbortSignal | undefined) {
    const attemptController = new AbortController();
    const onAbort = () => attemptController.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    const timeout = setTimeout(
      () => attemptController.abort(new AttemptTimeout(timeoutMs)),
      timeoutMs,
    );
    try {
      const response = await api.get(path, { signal: attemptController.signal });
      const text = await readBody(response, maxResponseBytes, attemptController.signal);
      return { response, text: scrub(text) };
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (attemptController.signal.reason instanceof AttemptTimeout)
        throw attemptController.signal.reason;
      throw error;
    } finally {
      clearTimeout(timeout);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  async function call<TSchema extends v.GenericSchema>(
    kind: IdKind,
    id: string,
    schema: TSchema,
    callOptions: RequestOptions = {},
  ): Promise<WithMeta<v.InferOutput<TSchema>>> {
    assertValidId(id, kind);
    const { signal } = callOptions;
    signal?.throwIfAborted();
    const deadlineMs = resolveDeadline(callOptions.deadlineMs, resolved.deadlineMs);
    const retryLimit = resolveRetryLimit(callOptions.retryLimit, retry.limit);
    const deadline = now() + deadlineMs;
    const path = `${kind}-status/${encodeURIComponent(id)}`;
    const subject = `${kind} ${id}`;

    for (let attempts = 1; ; attempts++) {
      const remaining = deadline - now();
      const limitedByDeadline = remaining < resolved.timeoutMs;
      let error: NeurolinkerError;
      let hintMs: number | undefined;
      try {
        if (remaining <= 0) throw new AttemptTimeout(0);
        const { response, text } = await attempt(
          path,
          Math.min(resolved.timeoutMs, remaining),
          signal,
        );
        const header = response.headers.get('x-request-id');
        const requestId = header === null ? undefined : scrub(header);
        if (response.ok) {
          const data = parseAnswer(schema, text, {
            kind,
            id,
            status: response.status,
            requestId,
            attempts,
          });
          const meta = {
            freshForMs: freshnessMs(response.headers),
            requestId,
            attempts,
            serverDateMs: parseHttpDate(response.headers.get('date')),
          };
          return { data, meta };
        }
        hintMs = retryAfterMs(response.headers, now());
        error = errorFromResponse({
          status: response.status,
          statusText: scrub(response.statusText),
          text,
          requestId,
          retryAfterMs: hintMs,
          attempts,
          subject,
        });
        if (!RETRY_STATUS_CODES.has(response.status)) throw error;
      } catch (caught) {
        if (signal?.aborted) throw signal.reason;
        if (isNeurolinkerError(caught)) throw caught;
        if (caught instanceof BodyTooLarge) {
          throw new InvalidResponseError(
            `The answer for ${subject} is larger than ${maxResponseBytes} bytes`,
            {
              status: caught.status,
              attempts,
            },
          );
        }
        if (caught instanceof AttemptTimeout) {
          error = new TimeoutError(
            limitedByDeadline
              ? `No answer for ${subject} within the ${deadlineMs} ms deadline`
              : `No answer for ${subject} within ${caught.timeoutMs} ms`,
            { timeoutMs: limitedByDeadline ? deadlineMs : caught.timeoutMs, attempts },
          );
          if (limitedByDeadline) throw error;
        } else {
          error = new ConnectionError(
            `Could not reach Neurolinker for ${subject}: ${describeCause(caught)}`,
            {
              cause: caught,
              attempts,
            },
          );
        }
      }
      if (attempts > retryLimit) throw error;
      // RFC 9110 10.2.3: the server told us when to come back; a wait beyond our bound is the
      // caller's decision, so surface it (with `retryAfterMs`) instead of sleeping through it.
      if (hintMs !== undefined && hintMs > retry.maxRetryAfterMs) throw error;
      const waitMs = hintMs ?? retryDelay(attempts - 1, retry, random);
      if (now() + waitMs >= deadline) throw error;
      try {
        resolved.hooks.onRetry?.({ attempt: attempts, delayMs: waitMs, error });
      } catch {
        // A logging hook must not change the outcome of the call.
      }
      await sleep(waitMs, signal);
    }
  }

  const getDocumentStatusWithMeta = (documentId: string, requestOptions?: RequestOptions) =>
    call('document', documentId, DocumentStatusSchema, requestOptions);
  const getRequestStatusWithMeta = (requestId: string, requestOptions?: RequestOptions) =>
    call('request', requestId, RequestStatusSchema, requestOptions);
  return {
    getDocumentStatus: async (documentId, requestOptions) =>
      (await getDocumentStatusWithMeta(documentId, requestOptions)).data,
    getRequestStatus: async (requestId, requestOptions) =>
      (await getRequestStatusWithMeta(requestId, requestOptions)).data,
    getDocumentStatusWithMeta,
    getRequestStatusWithMeta,
  };
}
