import { fc, test } from '@fast-check/vitest';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { InvalidResponseError } from './errors.ts';
import documentedExample from './fixtures/documented-example.json' with { type: 'json' };
import { isTerminalDocumentStatus, isTerminalRequestStatus } from './is-terminal-status.ts';
import { parseRequestStatus } from './parse-status.ts';
import { RequestStatusSchema } from './request-status-schema.ts';

const request = (overrides: Record<string, unknown> = {}) => ({
  success: true,
  request_id: '2c83d7c8-7ff5-42f3-a276-9d5a86785167',
  status: 'completed',
  documents: [
    {
      document_id: documentedExample.document_id,
      filename: documentedExample.file_name,
      status: 'completed',
      result: documentedExample,
    },
  ],
  total: 1,
  completed: 1,
  failed: 0,
  processing: 0,
  job_page_url: 'https://neurolinker.ainexxo.com/job/2c83d7c8-7ff5-42f3-a276-9d5a86785167',
  total_size_bytes: 421050,
  started_at: documentedExample.started_at,
  completed_at: documentedExample.completed_at,
  ...overrides,
});

describe('RequestStatusSchema', () => {
  it('parses a documented request status, nested document results included', () => {
    const parsed = parseRequestStatus(request());
    expect(parsed.documents[0]?.result?.results?.cropped_images).toHaveLength(12);
    expect(parsed.total).toBe(1);
  });

  it('normalises a nested numeric user_uid like the document endpoint does', () => {
    const parsed = parseRequestStatus(
      request({
        documents: [
          { document_id: 'd', status: 'processing', result: { ...documentedExample, user_uid: 7 } },
        ],
      }),
    );
    expect(parsed.documents[0]?.result?.user_uid).toBe('7');
  });

  it('tolerates a document entry without result and a missing completed_at', () => {
    const parsed = parseRequestStatus(
      request({
        status: 'processing',
        completed_at: undefined,
        documents: [{ document_id: 'd', status: 'pending' }],
      }),
    );
    expect(parsed.documents[0]?.result).toBeNull();
    expect(parsed.completed_at).toBeNull();
  });

  it('keeps an unknown request status and unknown fields', () => {
    const parsed = parseRequestStatus(request({ status: 'paused', region: 'eu' }));
    expect(parsed.status).toBe('paused');
    expect(parsed.region).toBe('eu');
  });

  it('fails wrong count types with the path to them', () => {
    const result = v.safeParse(RequestStatusSchema, request({ failed: '0' }));
    expect(result.success).toBe(false);
    expect(result.issues?.map((issue) => v.getDotPath(issue))).toEqual(['failed']);
  });

  it('accepts an empty or partial nested result for a document still pending', () => {
    const parsed = parseRequestStatus(
      request({
        status: 'processing',
        documents: [{ document_id: 'd', status: 'pending', result: {} }],
      }),
    );
    expect(parsed.documents[0]?.result).toEqual({});
  });

  it('fails a broken nested document with a full path', () => {
    expect(() =>
      parseRequestStatus(
        request({ documents: [{ document_id: 'd', status: 'completed', result: { status: 1 } }] }),
      ),
    ).toThrow(InvalidResponseError);
  });
});

describe('isTerminalDocumentStatus', () => {
  it('is true only for completed and failed', () => {
    expect(
      ['pending', 'processing', 'completed', 'failed', 'queued', ''].map(isTerminalDocumentStatus),
    ).toEqual([false, false, true, true, false, false]);
  });

  it('accepts a parsed status object', () => {
    expect(isTerminalDocumentStatus({ ...documentedExample, results: {}, status: 'failed' })).toBe(
      true,
    );
  });
});

describe('isTerminalRequestStatus', () => {
  it('treats completed and failed as terminal', () => {
    expect(isTerminalRequestStatus(parseRequestStatus(request()))).toBe(true);
    expect(isTerminalRequestStatus(parseRequestStatus(request({ status: 'failed' })))).toBe(true);
  });

  it('treats processing and unknown states as not terminal', () => {
    expect(isTerminalRequestStatus(parseRequestStatus(request({ status: 'processing' })))).toBe(
      false,
    );
    expect(isTerminalRequestStatus(parseRequestStatus(request({ status: 'archiving' })))).toBe(
      false,
    );
  });

  it('treats partial as terminal only once nothing is still processing', () => {
    expect(
      isTerminalRequestStatus(parseRequestStatus(request({ status: 'partial', processing: 0 }))),
    ).toBe(true);
    expect(
      isTerminalRequestStatus(parseRequestStatus(request({ status: 'partial', processing: 2 }))),
    ).toBe(false);
  });

  it('does not trust a zero processing count while a listed document is still pending', () => {
    const documents = [
      { document_id: 'a', status: 'failed' },
      { document_id: 'b', status: 'pending' },
    ];
    expect(
      isTerminalRequestStatus(
        parseRequestStatus(request({ status: 'partial', processing: 0, documents })),
      ),
    ).toBe(false);
  });

  it('does not treat partial as terminal while completed + failed falls short of total', () => {
    const parsed = parseRequestStatus(
      request({ status: 'partial', processing: 0, total: 3, completed: 1, failed: 1 }),
    );
    expect(isTerminalRequestStatus(parsed)).toBe(false);
  });

  it('derives "still processing" from the documents when the count is missing', () => {
    const documents = [
      { document_id: 'a', status: 'failed' },
      { document_id: 'b', status: 'processing' },
    ];
    const running = parseRequestStatus(
      request({ status: 'partial', processing: undefined, documents }),
    );
    expect(isTerminalRequestStatus(running)).toBe(false);
    const done = parseRequestStatus(
      request({
        status: 'partial',
        processing: undefined,
        documents: [documents[0], { document_id: 'b', status: 'completed' }],
      }),
    );
    expect(isTerminalRequestStatus(done)).toBe(true);
  });
});

describe('parseRequestStatus on arbitrary input', () => {
  test.prop([fc.jsonValue()])(
    'answers any JSON value with a request status or an InvalidResponseError',
    (json) => {
      try {
        expect(typeof parseRequestStatus(json).status).toBe('string');
      } catch (error) {
        expect(error).toBeInstanceOf(InvalidResponseError);
      }
    },
  );

  test.prop([
    fc.array(
      fc.record({
        document_id: fc.string({ minLength: 1 }),
        status: fc.string(),
        extra: fc.jsonValue(),
      }),
    ),
  ])('keeps every listed document, with its extra fields', (documents) => {
    const parsed = parseRequestStatus(request({ documents }));
    expect(parsed.documents.map((document) => document.extra)).toEqual(
      documents.map((document) => document.extra),
    );
  });
});

describe('parseRequestStatus and deeply nested JSON', () => {
  it('refuses a value nested deeper than 64 levels with an InvalidResponseError, before validation', () => {
    const deep = JSON.parse(`${'['.repeat(400_000)}${']'.repeat(400_000)}`);
    const documents = [{ document_id: 'd', status: 'pending', extra: deep }];
    expect(() => parseRequestStatus(request({ documents }))).toThrow(InvalidResponseError);
    expect(() => parseRequestStatus(request({ documents }))).toThrow(
      /nested deeper than 64 levels/,
    );
  });
});
