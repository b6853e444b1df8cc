import type { DocumentStatus, RequestDocument } from '@neurostatus/core';
import { describe, expect, it } from 'vitest';
import { requestEntryStatus } from './request-entry-status.ts';

const R = '00000000-0000-4000-8000-0000000000aa';
const D = '00000000-0000-4000-8000-0000000000d1';

/** A document's status as its own poll answers it: every field. */
const known: DocumentStatus = {
  success: true,
  document_id: D,
  request_id: R,
  status: 'pending',
  file_name: 'a.pdf',
  started_at: null,
  completed_at: null,
  results: {},
  document_page_url: 'https://example.com/d',
};

const entry = (result: Record<string, unknown> | null): RequestDocument =>
  ({ document_id: D, status: 'processing', result }) as unknown as RequestDocument;

describe('requestEntryStatus', () => {
  it('stands for a document poll only when the entry holds a valid result of that document and request', () => {
    expect(requestEntryStatus(entry(null), R)).toBeUndefined();
    expect(
      requestEntryStatus(entry({ document_id: D, request_id: 'other', status: 'pending' }), R),
    ).toBeUndefined();
    expect(
      requestEntryStatus(entry({ document_id: D, request_id: R, status: 7 }), R),
    ).toBeUndefined();
    expect(
      requestEntryStatus(entry({ document_id: D, request_id: R, status: 'pending' }), R)?.status,
    ).toBe('pending');
  });

  it("keeps what an entry leaves out from the document's known status: an omission is not a change", () => {
    const partial = entry({
      document_id: D,
      request_id: R,
      status: 'pending',
      file_name: 'a.pdf',
      started_at: null,
    });
    expect(requestEntryStatus(partial, R, known)).toEqual(known);
  });

  it('takes everything the entry carries, null included, over the known status', () => {
    const moved = entry({
      document_id: D,
      request_id: R,
      status: 'completed',
      started_at: '2026-01-01T00:00:00Z',
      completed_at: '2026-01-01T00:01:00Z',
      results: null,
    });
    const before = { ...known, results: { storage_path: 'uploads/old/' } };
    expect(requestEntryStatus(moved, R, before)).toEqual({
      ...known,
      status: 'completed',
      started_at: '2026-01-01T00:00:00Z',
      completed_at: '2026-01-01T00:01:00Z',
      results: {},
    });
  });

  it('ignores a known status of another document', () => {
    const partial = entry({ document_id: D, request_id: R, status: 'pending' });
    const other = { ...known, document_id: '00000000-0000-4000-8000-0000000000d2' };
    expect(requestEntryStatus(partial, R, other)).not.toHaveProperty('document_page_url');
  });
});
