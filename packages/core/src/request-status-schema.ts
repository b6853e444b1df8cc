import * as v from 'valibot';
import { CountSchema } from './count-schema.ts';
import { type DocumentState, DocumentStatusSchema } from './document-status-schema.ts';

/**
 * The states the docs list for a request. `partial` means some documents failed, the rest completed.
 *
 * @example
 * ```ts
 * REQUEST_STATES.includes('partial'); // true
 * ```
 */
export const REQUEST_STATES = ['processing', 'completed', 'failed', 'partial'] as const;

/**
 * A documented request state.
 *
 * @example
 * ```ts
 * const state: KnownRequestState = 'partial';
 * ```
 */
export type KnownRequestState = (typeof REQUEST_STATES)[number];

/**
 * A request's `status`: a documented state or one the API added later (kept, not terminal).
 *
 * @example
 * ```ts
 * const state: RequestState = request.status;
 * ```
 */
export type RequestState = KnownRequestState | (string & {});

/**
 * One entry of a request's `documents` list.
 *
 * @example
 * ```ts
 * v.parse(RequestDocumentSchema, { document_id: 'd', status: 'pending' });
 * ```
 */
export const RequestDocumentSchema = v.looseObject({
  document_id: v.pipe(v.string(), v.minLength(1)),
  filename: v.optional(v.string()),
  status: v.pipe(
    v.string(),
    v.transform((state) => state as DocumentState),
  ),
  // The nested result of a document that is still pending may be partial or empty (undocumented):
  // every field is optional here, and the types are still checked when present.
  result: v.nullish(v.partial(DocumentStatusSchema), null),
});

/**
 * An entry of {@link RequestStatus}`.documents`.
 *
 * @example
 * ```ts
 * for (const document of request.documents satisfies RequestDocument[]) console.log(document.status);
 * ```
 */
export type RequestDocument = v.InferOutput<typeof RequestDocumentSchema>;

/**
 * The body of `GET /request-status/{request_id}`: one request and the documents it groups.
 * Tolerant in the same ways as {@link DocumentStatusSchema}; counts are optional because
 * they can be derived from `documents`.
 *
 * @example
 * ```ts
 * const request = v.parse(RequestStatusSchema, await response.json());
 * ```
 */
export const RequestStatusSchema = v.looseObject({
  success: v.optional(v.boolean()),
  request_id: v.pipe(v.string(), v.minLength(1)),
  status: v.pipe(
    v.string(),
    v.description("'processing', 'completed', 'failed' or 'partial'; unknown values are kept"),
    v.transform((state) => state as RequestState),
  ),
  documents: v.nullish(v.array(RequestDocumentSchema), () => []),
  total: v.optional(CountSchema),
  completed: v.optional(CountSchema),
  failed: v.optional(CountSchema),
  processing: v.optional(CountSchema),
  job_page_url: v.optional(v.string()),
  total_size_bytes: v.optional(CountSchema),
  started_at: v.nullish(v.string(), null),
  completed_at: v.nullish(v.string(), null),
});

/**
 * A request's status, as parsed by {@link RequestStatusSchema}.
 *
 * @example
 * ```ts
 * const request: RequestStatus = await client.getRequestStatus(requestId);
 * ```
 */
export type RequestStatus = v.InferOutput<typeof RequestStatusSchema>;

/**
 * A request status as it arrives on the wire, before normalisation.
 *
 * @example
 * ```ts
 * const wire: RequestStatusInput = { request_id: 'r', status: 'processing', documents: [] };
 * ```
 */
export type RequestStatusInput = v.InferInput<typeof RequestStatusSchema>;
