import * as v from 'valibot';
import { type DocumentStatus, DocumentStatusSchema } from './document-status-schema.ts';
import { InvalidResponseError, type PayloadIssue } from './errors.ts';
import { exceedsJsonDepth, MAX_JSON_DEPTH } from './exceeds-json-depth.ts';
import { type RequestStatus, RequestStatusSchema } from './request-status-schema.ts';

/**
 * Turns valibot issues into dotted paths and messages, keeping at most 20.
 *
 * @example
 * ```ts
 * toPayloadIssues(v.safeParse(DocumentStatusSchema, json).issues ?? []);
 * ```
 */
export function toPayloadIssues(issues: readonly v.BaseIssue<unknown>[]): PayloadIssue[] {
  return issues.slice(0, 20).map((issue) => ({
    path: v.getDotPath(issue) ?? '',
    message: issue.message,
  }));
}

function parseWith<TSchema extends v.GenericSchema>(
  schema: TSchema,
  json: unknown,
  what: string,
): v.InferOutput<TSchema> {
  // Before validation: what passes it is handed to code that may recurse (deep compares, logs).
  if (exceedsJsonDepth(json)) {
    const problem = `is nested deeper than ${MAX_JSON_DEPTH} levels`;
    throw new InvalidResponseError(`Invalid ${what} payload (${problem}).`, {
      issues: [{ path: '', message: problem }],
    });
  }
  const result = v.safeParse(schema, json);
  if (result.success) return result.output;
  const issues = toPayloadIssues(result.issues);
  const first = issues[0];
  const where = first ? `${first.path || '(root)'}: ${first.message}` : 'unknown problem';
  throw new InvalidResponseError(`Invalid ${what} payload (${where}).`, { issues });
}

/**
 * Validates a document status that arrived by another route (a queue, the proxy, a file).
 *
 * @throws {InvalidResponseError} carrying every issue with its path; also for a value nested
 *   deeper than `MAX_JSON_DEPTH`.
 * @example
 * ```ts
 * const status = parseDocumentStatus(JSON.parse(message.body));
 * ```
 */
export function parseDocumentStatus(json: unknown): DocumentStatus {
  return parseWith(DocumentStatusSchema, json, 'document status');
}

/**
 * Validates a request status that arrived by another route.
 *
 * @throws {InvalidResponseError} carrying every issue with its path; also for a value nested
 *   deeper than `MAX_JSON_DEPTH`.
 * @example
 * ```ts
 * const request = parseRequestStatus(await file.json());
 * ```
 */
export function parseRequestStatus(json: unknown): RequestStatus {
  return parseWith(RequestStatusSchema, json, 'request status');
}
