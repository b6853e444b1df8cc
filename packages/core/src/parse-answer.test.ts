import { inspect } from 'node:util';
import { DOCUMENTED_EXAMPLE } from '@neurostatus/simulator';
import { describe, expect, it } from 'vitest';
import { DocumentStatusSchema } from './document-status-schema.ts';
import { InvalidResponseError } from './errors.ts';
import { parseAnswer } from './parse-answer.ts';
import { secretRedactor } from './secret-redactor.ts';

const ID = DOCUMENTED_EXAMPLE.document_id;
const context = {
  kind: 'document',
  status: 200,
  requestId: 'r-1',
  attempts: 2,
  redact: (text: string) => text,
} as const;
const body = (documentId: unknown) =>
  JSON.stringify({ ...DOCUMENTED_EXAMPLE, document_id: documentId });

describe('parseAnswer', () => {
  it('returns the status when it is for the id asked for', () => {
    expect(parseAnswer(DocumentStatusSchema, body(ID), { ...context, id: ID }).document_id).toBe(
      ID,
    );
  });

  it('takes a UUID answered in another case as the same id', () => {
    const upper = ID.toUpperCase();
    expect(parseAnswer(DocumentStatusSchema, body(ID), { ...context, id: upper }).status).toBe(
      'completed',
    );
  });

  it('refuses an answer for another id, with the context and the field at fault', () => {
    const call = () =>
      parseAnswer(DocumentStatusSchema, body('doc-2'), { ...context, id: 'doc-1' });
    expect(call).toThrow(InvalidResponseError);
    expect(call).toThrow(/document doc-1 is for another document: document_id is "doc-2"/);
    try {
      call();
    } catch (error) {
      expect(error).toMatchObject({
        status: 200,
        requestId: 'r-1',
        attempts: 2,
        issues: [{ path: 'document_id' }],
      });
    }
  });

  it('compares ids that are not UUIDs exactly', () => {
    expect(() =>
      parseAnswer(DocumentStatusSchema, body('Doc-1'), { ...context, id: 'doc-1' }),
    ).toThrow(InvalidResponseError);
  });
});

describe('parseAnswer and a secret the body echoes', () => {
  const SECRET = 'nl_secretKEY0123456789abcdefghijklmn';
  const escaped = [...SECRET]
    .map((char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .join('');
  const redact = secretRedactor(SECRET);
  const refusal = (text: string): InvalidResponseError => {
    try {
      parseAnswer(DocumentStatusSchema, text, { ...context, id: ID, redact });
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidResponseError);
      return error as InvalidResponseError;
    }
    throw new Error('expected an InvalidResponseError');
  };

  it.each([
    ['as the id answered', body('x').replace('"x"', `"${escaped}"`)],
    [
      'in a value the schema quotes',
      body(ID).replace('"total_pages":8', `"total_pages":"${escaped}"`),
    ],
    ['in a body that is not JSON', `{"oops": "${escaped}"`],
  ])('keeps it out of the error when it comes JSON-escaped %s', (_where, text) => {
    const error = refusal(text);
    for (const shown of [
      String(error),
      error.stack,
      JSON.stringify(error),
      inspect(error, { depth: 10 }),
    ]) {
      expect(shown).not.toContain(SECRET);
      expect(shown).not.toContain(escaped);
    }
  });
});

describe('parseAnswer and deeply nested JSON', () => {
  it('refuses JSON nested deeper than MAX_JSON_DEPTH before validation, with an InvalidResponseError', () => {
    const depth = 400_000;
    const text = body(ID).replace(
      '"results":{',
      `"results":{"a":${'['.repeat(depth)}${']'.repeat(depth)},`,
    );
    const call = () => parseAnswer(DocumentStatusSchema, text, { ...context, id: ID });
    expect(call).toThrow(InvalidResponseError);
    expect(call).toThrow(/document .* is nested deeper than 64 levels/);
  });
});
