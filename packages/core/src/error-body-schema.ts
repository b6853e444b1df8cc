import * as v from 'valibot';

/**
 * A FastAPI error body: `{"detail": "message"}`, or for request validation (422)
 * `{"detail": [{"loc": [...], "msg": "...", "type": "..."}]}`.
 *
 * @example
 * ```ts
 * const body = v.safeParse(ErrorBodySchema, json);
 * if (body.success) console.log(body.output.detail);
 * ```
 */
export const ErrorBodySchema = v.looseObject({
  detail: v.union([
    v.string(),
    v.array(
      v.looseObject({
        loc: v.optional(v.array(v.union([v.string(), v.number()]))),
        msg: v.optional(v.string()),
        type: v.optional(v.string()),
      }),
    ),
  ]),
});

/**
 * A parsed FastAPI error body.
 *
 * @example
 * ```ts
 * const body: ErrorBody = { detail: 'Document not found' };
 * ```
 */
export type ErrorBody = v.InferOutput<typeof ErrorBodySchema>;
