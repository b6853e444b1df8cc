import * as v from 'valibot';
import { CountSchema } from './count-schema.ts';

/**
 * The states the docs list for a document. `completed` and `failed` are terminal.
 *
 * @example
 * ```ts
 * DOCUMENT_STATES.includes(status.status as KnownDocumentState);
 * ```
 */
export const DOCUMENT_STATES = ['pending', 'processing', 'completed', 'failed'] as const;

/**
 * A documented document state.
 *
 * @example
 * ```ts
 * const done: KnownDocumentState = 'completed';
 * ```
 */
export type KnownDocumentState = (typeof DOCUMENT_STATES)[number];

/**
 * A document's `status`: one of the documented states, or a state the API added later. Unknown
 * states are kept as sent rather than failing the whole response, and count as not terminal.
 *
 * @example
 * ```ts
 * const state: DocumentState = status.status; // autocompletes the documented values
 * ```
 */
export type DocumentState = KnownDocumentState | (string & {});

const StateSchema = v.pipe(
  v.string(),
  v.description("'pending', 'processing', 'completed' or 'failed'; unknown values are kept"),
  v.transform((state) => state as DocumentState),
);

/**
 * The docs' table says `user_uid` is an int, both examples send a string: accept either and
 * expose a string, so callers compare one type.
 */
const UserUidSchema = v.pipe(
  v.union([v.string(), v.pipe(v.number(), v.integer())]),
  v.transform((uid) => String(uid)),
);

/** An ISO 8601 timestamp, or `null` while the API has none (it may omit the field or send null). */
const TimestampSchema = v.nullish(v.string(), null);

/**
 * Any value but an array; placed before an object schema that would otherwise accept one.
 *
 * @example
 * ```ts
 * v.parse(v.pipe(NotArraySchema, v.looseObject({})), []); // throws
 * ```
 */
export const NotArraySchema = v.custom<unknown>(
  (value) => !Array.isArray(value),
  'Invalid type: Expected Object but received Array',
);

/**
 * `results` is documented as an open object; on completion it holds `storage_path` and
 * `cropped_images`. Those two are typed when present, anything else is kept as sent.
 *
 * @example
 * ```ts
 * v.parse(DocumentResultsSchema, { storage_path: 'uploads/a/b/c/' });
 * ```
 */
export const DocumentResultsSchema = v.pipe(
  // valibot's object schemas accept arrays (keeping indices as keys); `results` is documented as
  // an object, so an array is a wrong type, reported as such.
  NotArraySchema,
  v.looseObject({
    storage_path: v.optional(v.string()),
    cropped_images: v.optional(v.array(v.string())),
  }),
);

/**
 * The `results` object of a document status.
 *
 * @example
 * ```ts
 * const images = (status.results satisfies DocumentResults).cropped_images ?? [];
 * ```
 */
export type DocumentResults = v.InferOutput<typeof DocumentResultsSchema>;

/**
 * The body of `GET /document-status/{document_id}`.
 *
 * Tolerant where the API is inconsistent or silent: `user_uid` as string or number (exposed as a
 * string), `completed_at`/`started_at` absent or null (exposed as `null`), `results` absent or
 * null (exposed as `{}`), unknown `status` values, and unknown extra fields (kept). Strict where
 * it protects the caller: `document_id`, `request_id` and `status` must be strings, and a known
 * field of the wrong type fails with the path to it.
 *
 * @example
 * ```ts
 * const status = v.parse(DocumentStatusSchema, await response.json());
 * ```
 */
export const DocumentStatusSchema = v.looseObject({
  success: v.optional(v.boolean()),
  document_id: v.pipe(v.string(), v.minLength(1)),
  request_id: v.string(),
  status: StateSchema,
  file_name: v.optional(v.string()),
  file_type: v.optional(v.string()),
  file_size_bytes: v.optional(CountSchema),
  total_pages: v.optional(CountSchema),
  user_uid: v.optional(UserUidSchema),
  started_at: TimestampSchema,
  completed_at: TimestampSchema,
  results: v.nullish(DocumentResultsSchema, () => ({})),
  document_page_url: v.optional(v.string()),
});

/**
 * A document's status, as parsed by {@link DocumentStatusSchema}.
 *
 * @example
 * ```ts
 * const status: DocumentStatus = await client.getDocumentStatus(id);
 * ```
 */
export type DocumentStatus = v.InferOutput<typeof DocumentStatusSchema>;

/**
 * A document status as it arrives on the wire, before normalisation.
 *
 * @example
 * ```ts
 * const wire: DocumentStatusInput = { document_id: 'd', request_id: 'r', status: 'pending', user_uid: 7 };
 * ```
 */
export type DocumentStatusInput = v.InferInput<typeof DocumentStatusSchema>;
