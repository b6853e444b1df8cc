import { fc, test } from '@fast-check/vitest';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { DocumentStatusSchema } from './document-status-schema.ts';
import { InvalidResponseError } from './errors.ts';
import documentedExample from './fixtures/documented-example.json' with { type: 'json' };
import { parseDocumentStatus } from './parse-status.ts';

const example = () => structuredClone(documentedExample) as Record<string, unknown>;

function issuesOf(input: unknown): string[] {
  const result = v.safeParse(DocumentStatusSchema, input);
  return result.success ? [] : result.issues.map((issue) => v.getDotPath(issue) ?? '');
}

describe('DocumentStatusSchema', () => {
  it('parses the documented example response unchanged', () => {
    const status = parseDocumentStatus(example());
    expect(status).toEqual(documentedExample);
    expect(status.status).toBe('completed');
    expect(status.results.cropped_images).toHaveLength(12);
    expect(status.results.storage_path).toMatch(/\/$/);
  });

  it('accepts user_uid as a number and exposes it as a string', () => {
    const status = parseDocumentStatus({ ...example(), user_uid: 421 });
    expect(status.user_uid).toBe('421');
  });

  it('accepts user_uid as a string, as both published examples send it', () => {
    expect(parseDocumentStatus(example()).user_uid).toBe('r7N61XBJZBfUjpYocuUWSteuQF52');
  });

  it('exposes completed_at as null when the field is absent', () => {
    const { completed_at: _, ...pending } = { ...documentedExample, status: 'processing' };
    expect(parseDocumentStatus(pending).completed_at).toBeNull();
  });

  it('exposes completed_at as null when the API sends null', () => {
    expect(
      parseDocumentStatus({ ...example(), status: 'pending', completed_at: null }).completed_at,
    ).toBeNull();
  });

  it('exposes results as an empty object when absent or null', () => {
    const { results: _, ...withoutResults } = example();
    expect(parseDocumentStatus(withoutResults).results).toEqual({});
    expect(parseDocumentStatus({ ...example(), results: null }).results).toEqual({});
  });

  it('gives each parse its own results object', () => {
    const { results: _, ...withoutResults } = example();
    const first = parseDocumentStatus(withoutResults);
    (first.results as Record<string, unknown>).mutated = true;
    expect(parseDocumentStatus(withoutResults).results).toEqual({});
  });

  it('keeps unknown keys inside results', () => {
    const results = { storage_path: 'a/', tables: [{ rows: 3 }], markdown_path: 'a/b.md' };
    expect(parseDocumentStatus({ ...example(), results }).results).toEqual(results);
  });

  it('keeps unknown top-level fields instead of dropping them', () => {
    const status = parseDocumentStatus({ ...example(), priority: 'high', queue_position: 3 });
    expect(status).toMatchObject({ priority: 'high', queue_position: 3 });
  });

  it('surfaces an unknown status value as sent instead of failing the response', () => {
    expect(parseDocumentStatus({ ...example(), status: 'queued_for_ocr' }).status).toBe(
      'queued_for_ocr',
    );
  });

  it('fails a known field of the wrong type with the path to it', () => {
    expect(issuesOf({ ...example(), file_size_bytes: '421050' })).toEqual(['file_size_bytes']);
    expect(issuesOf({ ...example(), total_pages: -1 })).toEqual(['total_pages']);
    expect(issuesOf({ ...example(), total_pages: 2.5 })).toEqual(['total_pages']);
    expect(issuesOf({ ...example(), status: 3 })).toEqual(['status']);
    expect(issuesOf({ ...example(), completed_at: 17 })).toEqual(['completed_at']);
  });

  it('fails a wrong type deep inside results with the full path', () => {
    const results = { storage_path: 'x/', cropped_images: ['a.png', 'b.png', 'c.png', 7] };
    expect(issuesOf({ ...example(), results })).toEqual(['results.cropped_images.3']);
  });

  it('rejects results sent as an array', () => {
    expect(issuesOf({ ...example(), results: [] })).toEqual(['results']);
  });

  it('requires the identity fields', () => {
    const { document_id: _, ...withoutId } = example();
    expect(issuesOf(withoutId)).toEqual(['document_id']);
    expect(issuesOf({ ...example(), document_id: '' })).toEqual(['document_id']);
    const { status: __, ...withoutStatus } = example();
    expect(issuesOf(withoutStatus)).toEqual(['status']);
  });

  it('tolerates missing descriptive fields', () => {
    const status = parseDocumentStatus({ document_id: 'd', request_id: 'r', status: 'pending' });
    expect(status).toEqual({
      document_id: 'd',
      request_id: 'r',
      status: 'pending',
      started_at: null,
      completed_at: null,
      results: {},
    });
  });
});

describe('parseDocumentStatus', () => {
  it('throws an InvalidResponseError that lists the issues', () => {
    const error = (() => {
      try {
        parseDocumentStatus({ ...example(), file_size_bytes: 'big', total_pages: 'many' });
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect((error as InvalidResponseError).issues.map((issue) => issue.path)).toEqual([
      'file_size_bytes',
      'total_pages',
    ]);
    expect((error as InvalidResponseError).message).toContain('file_size_bytes');
  });

  it('rejects non-objects with a typed error', () => {
    for (const input of [null, undefined, 42, 'completed', [], true]) {
      expect(() => parseDocumentStatus(input)).toThrow(InvalidResponseError);
    }
  });

  test.prop([fc.jsonValue()])(
    'answers any JSON value with a status or an InvalidResponseError',
    (json) => {
      try {
        const status = parseDocumentStatus(json);
        expect(typeof status.status).toBe('string');
      } catch (error) {
        expect(error).toBeInstanceOf(InvalidResponseError);
      }
    },
  );

  test.prop([
    fc.record({
      document_id: fc.string({ minLength: 1 }),
      request_id: fc.string(),
      status: fc.string(),
      user_uid: fc.oneof(fc.string(), fc.integer()),
      completed_at: fc.option(fc.string(), { nil: null }),
      extra: fc.jsonValue(),
    }),
  ])('parses every payload with valid field types, keeping extra fields', (payload) => {
    const status = parseDocumentStatus(payload);
    expect(status.user_uid).toBe(String(payload.user_uid));
    expect(status.extra).toEqual(payload.extra);
    expect(status.status).toBe(payload.status);
  });
});

describe('parseDocumentStatus and deeply nested JSON', () => {
  it('refuses a value nested deeper than 64 levels, which consumers could not walk, before validation', () => {
    const deep = JSON.parse(`${'['.repeat(400_000)}${']'.repeat(400_000)}`);
    const status = { ...example(), results: { a: deep } };
    expect(() => parseDocumentStatus(status)).toThrow(InvalidResponseError);
    expect(() => parseDocumentStatus(status)).toThrow(/nested deeper than 64 levels/);
  });

  it('accepts what the API sends, far below the limit', () => {
    const status = { ...example(), results: { a: [[[[{ b: [1] }]]]] } };
    expect(parseDocumentStatus(status).results.a).toEqual([[[[{ b: [1] }]]]]);
  });
});
