import { describe, expect, it } from 'vitest';
import documentedExample from './fixtures/documented-example.json' with { type: 'json' };
import {
  documentStatusJsonSchema,
  errorBodyJsonSchema,
  requestStatusJsonSchema,
} from './json-schema.ts';

describe('JSON Schema generated from the valibot schemas', () => {
  it('describes the document-status wire format', () => {
    const schema = documentStatusJsonSchema() as {
      type: string;
      required: string[];
      properties: Record<string, { anyOf?: unknown[]; type?: string }>;
      additionalProperties?: unknown;
    };
    expect(schema.type).toBe('object');
    expect(schema.required).toEqual(
      expect.arrayContaining(['document_id', 'request_id', 'status']),
    );
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(Object.keys(documentedExample)),
    );
    // The wire format allows user_uid as a string or an integer, as the docs contradict themselves.
    expect(JSON.stringify(schema.properties.user_uid)).toContain('string');
    expect(JSON.stringify(schema.properties.user_uid)).toContain('integer');
    expect(schema.properties.file_size_bytes).toMatchObject({ type: 'integer', minimum: 0 });
    expect(JSON.stringify(schema.properties.results)).toContain('cropped_images');
  });

  it('describes the request-status wire format, with nested documents', () => {
    const schema = requestStatusJsonSchema('draft-2020-12') as {
      properties: Record<string, unknown>;
      $schema: string;
    };
    expect(schema.$schema).toContain('2020-12');
    expect(JSON.stringify(schema.properties.documents)).toContain('document_id');
  });

  it('describes the FastAPI error body in OpenAPI form', () => {
    const schema = errorBodyJsonSchema('openapi-3.0') as { properties: Record<string, unknown> };
    expect(JSON.stringify(schema.properties.detail)).toContain('msg');
  });
});
