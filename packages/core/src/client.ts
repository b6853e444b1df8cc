import ky from 'ky';
import type * as v from 'valibot';
import { assertValidId, type IdKind } from './assert-valid-id.ts';
import { attemptFetch } from './attempt-fetch.ts';
import type { CallState } from './call-state.ts';
import {
  type NeurolinkerClientOptions,
  type RequestOptions,
  resolveClientOptions,
  resolveDeadline,
  resolveRetryLimit,
  resolveSignal,
} from './client-options.ts';
import { delay } from './delay.ts';
import { type DocumentStatus, DocumentStatusSchema } from './document-status-schema.ts';
import { freshnessMs } from './freshness.ts';
import { parseHttpDate } from './http-date.ts';
import { parseAnswer } from './parse-answer.ts';
import { type RequestStatus, RequestStatusSchema } from './request-status-schema.ts';
import { retryPolicy } from './retry-policy.ts';
import { secretRedactor } from './secret-redactor.ts';
import { toNeurolinkerError } from './to-neurolinker-error.ts';

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

/**
 * Creates a status client for the Neurolinker API.
 *
 * Each call validates the id, then makes up to `retry.limit + 1` attempts of at most `timeoutMs`
 * each (headers and body), within `deadlineMs` overall. Network errors, timeouts and 408, 425, 429,
 * 500, 502, 503, 504 are retried with full-jitter backoff, or after the server's `Retry-After` /
 * `retry-after-ms` when it sends one.
 *
 * @throws {InvalidOptionError} (a `TypeError`) for invalid options, naming the option.
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
  const { apiKey, retry, now, random } = resolved;
  const api = ky.create({
    prefixUrl: resolved.baseUrl,
    headers: resolved.headers,
    // Ours, see attemptFetch(): it bounds the body too, and the last attempt by the deadline.
    timeout: false,
    hooks: {
      beforeRequest: resolved.hooks.beforeRequest,
      afterResponse: resolved.hooks.afterResponse,
    },
  });
  const sleep = resolved.sleep ?? delay;
  // A hostile or buggy upstream could echo the Authorization header back, plain or JSON-escaped:
  // never let it through. The body is redacted as read, so the returned data is clean too.
  const redact = secretRedactor(apiKey);

  async function call<TSchema extends v.GenericSchema>(
    kind: IdKind,
    id: string,
    schema: TSchema,
    callOptions: RequestOptions = {},
  ): Promise<WithMeta<v.InferOutput<TSchema>>> {
    assertValidId(id, kind);
    const signal = resolveSignal(callOptions.signal);
    signal?.throwIfAborted();
    const deadlineMs = resolveDeadline(callOptions.deadlineMs, resolved.deadlineMs);
    const retryLimit = resolveRetryLimit(callOptions.retryLimit, retry.limit);
    const state: CallState = {
      deadline: now() + deadlineMs,
      attempts: 0,
      limitedByDeadline: false,
      waitMs: 0,
    };
    const subject = `${kind} ${id}`;
    const errorContext = { state, subject, timeoutMs: resolved.timeoutMs, deadlineMs, now, redact };
    const policy = retryPolicy({
      ...errorContext,
      retry,
      limit: retryLimit,
      random,
      sleep,
      onRetry: resolved.hooks.onRetry,
      signal,
    });

    let response: Response;
    try {
      response = await api.get(`${kind}-status/${encodeURIComponent(id)}`, {
        fetch: attemptFetch(state, {
          fetch: () => resolved.fetch ?? globalThis.fetch,
          timeoutMs: resolved.timeoutMs,
          maxResponseBytes: resolved.maxResponseBytes,
          now,
          redact,
          signal,
          subject,
        }),
        ...policy,
      });
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      throw await toNeurolinkerError(error, errorContext);
    }
    const header = response.headers.get('x-request-id');
    const requestId = header === null ? undefined : redact(header);
    const data = parseAnswer(schema, await response.text(), {
      kind,
      id,
      redact,
      status: response.status,
      requestId,
      attempts: state.attempts,
    });
    const meta = {
      freshForMs: freshnessMs(response.headers),
      requestId,
      attempts: state.attempts,
      serverDateMs: parseHttpDate(response.headers.get('date')),
    };
    return { data, meta };
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
