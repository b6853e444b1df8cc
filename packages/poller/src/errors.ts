import type { DocumentStatus } from '@neurostatus/core';

const BRAND = Symbol.for('@neurostatus/poller/PollerError');

/**
 * Every `code` a poller error can have.
 *
 * @example
 * ```ts
 * const code: PollerErrorCode = 'WATCH_TIMEOUT';
 * ```
 */
export type PollerErrorCode = 'WATCH_TIMEOUT' | 'EXTRACTION_FAILED';

abstract class PollerError extends Error {
  abstract override readonly name: string;
  abstract readonly code: PollerErrorCode;

  constructor(message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    Object.defineProperty(this, BRAND, { value: true });
  }
}

/**
 * The watch's `timeoutMs` passed before the document (or request) reached a terminal status.
 * `lastStatus` is the last status seen, if any; `cause` the error of the last poll, if it failed.
 *
 * @example
 * ```ts
 * try {
 *   await waitForDocument(client, id, { timeoutMs: 60_000 });
 * } catch (error) {
 *   if (error instanceof WatchTimeoutError) console.log('still', error.lastStatus?.status);
 * }
 * ```
 */
export class WatchTimeoutError<TStatus = DocumentStatus> extends PollerError {
  override readonly name = 'WatchTimeoutError';
  readonly code = 'WATCH_TIMEOUT';
  readonly lastStatus: TStatus | undefined;
  readonly timeoutMs: number;

  constructor(
    subject: string,
    timeoutMs: number,
    lastStatus: TStatus | undefined,
    cause?: unknown,
  ) {
    super(`Gave up watching ${subject} after ${timeoutMs} ms`, cause);
    this.timeoutMs = timeoutMs;
    this.lastStatus = lastStatus;
  }
}

/**
 * `waitForDocument(..., { failOnFailed: true })` saw the document end in `failed`.
 *
 * @example
 * ```ts
 * try {
 *   await waitForDocument(client, id, { failOnFailed: true });
 * } catch (error) {
 *   if (isExtractionFailedError(error)) console.log(error.status.results);
 * }
 * ```
 */
export class ExtractionFailedError extends PollerError {
  override readonly name = 'ExtractionFailedError';
  readonly code = 'EXTRACTION_FAILED';
  /** The terminal `failed` status. */
  readonly status: DocumentStatus;

  constructor(status: DocumentStatus) {
    super(`Extraction of document ${status.document_id} failed`);
    this.status = status;
  }
}

function hasCode(value: unknown, code: PollerErrorCode): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as { [BRAND]?: unknown; code?: unknown };
  return candidate[BRAND] === true && candidate.code === code;
}

/**
 * True for a {@link WatchTimeoutError}, from any realm or copy of the package.
 *
 * @example
 * ```ts
 * if (isWatchTimeoutError(error)) retryLater();
 * ```
 */
export function isWatchTimeoutError(value: unknown): value is WatchTimeoutError<unknown> {
  return hasCode(value, 'WATCH_TIMEOUT');
}

/**
 * True for an {@link ExtractionFailedError}, from any realm or copy of the package.
 *
 * @example
 * ```ts
 * if (isExtractionFailedError(error)) notify(error.status.document_id);
 * ```
 */
export function isExtractionFailedError(value: unknown): value is ExtractionFailedError {
  return hasCode(value, 'EXTRACTION_FAILED');
}
