import { type JsonSchema, toJsonSchema } from '@valibot/to-json-schema';
import {
  DocumentResultsSchema,
  DocumentStatusSchema,
  NotArraySchema,
} from './document-status-schema.ts';
import { ErrorBodySchema } from './error-body-schema.ts';
import { RequestStatusSchema } from './request-status-schema.ts';

/**
 * Which JSON Schema dialect to produce.
 *
 * @example
 * ```ts
 * documentStatusJsonSchema('openapi-3.0' satisfies JsonSchemaTarget);
 * ```
 */
export type JsonSchemaTarget = 'draft-07' | 'draft-2020-12' | 'openapi-3.0';

// The wire format is the input side of the schemas: `user_uid` may be a string or a number there,
// while the parsed value is always a string. Generated from the same valibot schemas the client
// validates with, so the two cannot drift apart.
function convert(schema: Parameters<typeof toJsonSchema>[0], target: JsonSchemaTarget): JsonSchema {
  return toJsonSchema(schema, {
    target,
    typeMode: 'input',
    // The array guard in front of `results` is a custom schema, which has no JSON Schema form, and
    // input mode stops at it: describe the object behind it in its place.
    overrideSchema: ({ valibotSchema }) =>
      valibotSchema === NotArraySchema ? toJsonSchema(ResultsObject, { target }) : undefined,
  });
}

const ResultsObject = DocumentResultsSchema.pipe[1];

/**
 * JSON Schema of the `document-status` response body, as it arrives on the wire.
 *
 * @example
 * ```ts
 * import { documentStatusJsonSchema } from '@neurostatus/core/json-schema';
 * writeFileSync('document-status.schema.json', JSON.stringify(documentStatusJsonSchema(), null, 2));
 * ```
 */
export function documentStatusJsonSchema(target: JsonSchemaTarget = 'draft-07'): JsonSchema {
  return convert(DocumentStatusSchema, target);
}

/**
 * JSON Schema of the `request-status` response body, as it arrives on the wire.
 *
 * @example
 * ```ts
 * const schema = requestStatusJsonSchema('openapi-3.0');
 * ```
 */
export function requestStatusJsonSchema(target: JsonSchemaTarget = 'draft-07'): JsonSchema {
  return convert(RequestStatusSchema, target);
}

/**
 * JSON Schema of a FastAPI error body (`{"detail": ...}`).
 *
 * @example
 * ```ts
 * const schema = errorBodyJsonSchema();
 * ```
 */
export function errorBodyJsonSchema(target: JsonSchemaTarget = 'draft-07'): JsonSchema {
  return convert(ErrorBodySchema, target);
}
