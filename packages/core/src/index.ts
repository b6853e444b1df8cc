export { assertApiKey, MAX_API_KEY_LENGTH } from './assert-api-key.ts';
export { assertBaseUrl } from './assert-base-url.ts';
export { assertDuration, type DurationRule, MAX_DURATION_MS } from './assert-duration.ts';
export { assertValidId, type IdKind, MAX_ID_LENGTH } from './assert-valid-id.ts';
export {
  createNeurolinkerClient,
  type NeurolinkerClient,
  type ResponseMeta,
  type WithMeta,
} from './client.ts';
export {
  type ClientHooks,
  DEFAULT_BASE_URL,
  type NeurolinkerClientOptions,
  RETRY_STATUS_CODES,
  type RequestOptions,
  type ResolvedClientOptions,
  type RetryEvent,
  type RetryOptions,
} from './client-options.ts';
export { delay } from './delay.ts';
export {
  DOCUMENT_STATES,
  type DocumentResults,
  DocumentResultsSchema,
  type DocumentState,
  type DocumentStatus,
  type DocumentStatusInput,
  DocumentStatusSchema,
  type KnownDocumentState,
} from './document-status-schema.ts';
export { type ErrorBody, ErrorBodySchema } from './error-body-schema.ts';
export { type ErrorForCodeContext, errorForCode } from './error-for-code.ts';
export { errorForStatus } from './error-for-status.ts';
export {
  AuthenticationError,
  ConnectionError,
  type ErrorDetail,
  InsufficientCreditsError,
  InvalidIdError,
  InvalidResponseError,
  isNeurolinkerError,
  isNeurolinkerErrorCode,
  NeurolinkerError,
  type NeurolinkerErrorCode,
  type NeurolinkerErrorContext,
  NotFoundError,
  type PayloadIssue,
  PermissionDeniedError,
  RateLimitError,
  ServerError,
  TimeoutError,
  UnexpectedStatusError,
  type ValidationDetail,
} from './errors.ts';
export { exceedsJsonDepth, MAX_JSON_DEPTH } from './exceeds-json-depth.ts';
export { freshnessMs } from './freshness.ts';
export { parseHttpDate } from './http-date.ts';
export { InvalidOptionError } from './invalid-option-error.ts';
export { isTerminalDocumentStatus, isTerminalRequestStatus } from './is-terminal-status.ts';
export { parseDocumentStatus, parseRequestStatus } from './parse-status.ts';
export { redactedCause } from './redacted-cause.ts';
export {
  type KnownRequestState,
  REQUEST_STATES,
  type RequestDocument,
  RequestDocumentSchema,
  type RequestState,
  type RequestStatus,
  type RequestStatusInput,
  RequestStatusSchema,
} from './request-status-schema.ts';
export { retryAfterMs } from './retry-after.ts';
export { type BackoffOptions, retryDelay } from './retry-delay.ts';
export { secretRedactor } from './secret-redactor.ts';
