import { describe, expect, it } from 'vitest';
import { requestBodyEntries } from './request-body-entries.ts';

const body = (documents: Array<{ document_id: string; status: string }>) =>
  JSON.stringify({ request_id: 'req-1', status: 'processing', documents });

describe('requestBodyEntries', () => {
  it('parses a body once however many documents read it, and finds each entry by id', () => {
    const text = body([
      { document_id: 'a', status: 'processing' },
      { document_id: 'b', status: 'completed' },
    ]);
    const first = requestBodyEntries(text);
    // The same body again (the next follower of the same status): the same parse, not a new one.
    expect(requestBodyEntries(text)).toBe(first);
    expect(first?.entries.get('b')?.status).toBe('completed');
    expect(first?.request.request_id).toBe('req-1');
  });

  it('keeps the first entry of an id listed twice, and says undefined for a body that is not a request', () => {
    const twice = requestBodyEntries(
      body([
        { document_id: 'a', status: 'processing' },
        { document_id: 'a', status: 'completed' },
      ]),
    );
    expect(twice?.entries.get('a')?.status).toBe('processing');
    expect(requestBodyEntries('not json')).toBeUndefined();
    expect(requestBodyEntries(JSON.stringify({ documents: 'x' }))).toBeUndefined();
  });

  it('keeps the parses of requests followed at once apart, so interleaved readers do not parse again', () => {
    const one = body([{ document_id: 'a', status: 'processing' }]);
    const two = body([{ document_id: 'b', status: 'processing' }]);
    const [first, second] = [requestBodyEntries(one), requestBodyEntries(two)];
    expect(requestBodyEntries(one)).toBe(first);
    expect(requestBodyEntries(two)).toBe(second);
  });
});
