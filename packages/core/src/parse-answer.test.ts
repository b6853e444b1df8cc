import { DOCUMENTED_EXAMPLE } from '@neurostatus/simulator';
import { describe, expect, it } from 'vitest';
import { DocumentStatusSchema } from './document-status-schema.ts';
import { InvalidResponseError } from './errors.ts';
import { parseAnswer } from './parse-answer.ts';

const ID = DOCUMENTED_EXAMPLE.document_id;
const context = { kind: 'document', status: 200, requestId: 'r-1', attempts: 2 } as const;
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
