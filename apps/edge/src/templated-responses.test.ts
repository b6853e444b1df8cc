import { describe, expect, it } from 'vitest';
import { framedResponse } from './request-context.ts';
import { createTemplatedResponses } from './templated-responses.ts';

const SECURITY = { 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' };

/** Status, headers and body of a response, to compare two forms of one answer. */
async function seen(response: Response) {
  return {
    status: response.status,
    headers: Object.fromEntries(response.headers),
    body: await response.text(),
  };
}

describe('createTemplatedResponses', () => {
  it('sends exactly what a record of the same headers sends, whatever changes between answers', async () => {
    const respond = createTemplatedResponses(SECURITY);
    const entry = {};
    const answers: Array<[number, Record<string, string>, string | null]> = [
      [200, { etag: '"a"', age: '0', 'cache-status': 'hit; ttl=2' }, '{"a":1}'],
      [200, { etag: '"a"', age: '1', 'cache-status': 'hit; ttl=1' }, '{"a":1}'],
      // A header more (gzip), then fewer (304), then another status with the same names.
      [
        200,
        { etag: '"a"', age: '1', 'cache-status': 'hit; ttl=1', 'content-encoding': 'gzip' },
        'z',
      ],
      [304, { etag: '"a"', age: '2' }, null],
      [200, { etag: '"a"', age: '2' }, '{"a":1}'],
      // The same number of names, one of them another.
      [200, { etag: '"a"', vary: 'Authorization' }, '{"a":1}'],
      [200, { etag: '"b"', vary: 'Authorization' }, '{"a":2}'],
    ];
    for (const [index, [status, headers, body]] of answers.entries()) {
      const id = `req-${index}`;
      const expected = await seen(framedResponse(SECURITY, id, body, status, headers));
      expect(await seen(respond(id, body, status, headers, entry))).toEqual(expected);
      expect(await seen(respond(id, body, status, headers))).toEqual(expected);
    }
  });

  it('keeps a template of its own for each basis', async () => {
    const respond = createTemplatedResponses(SECURITY);
    const [first, second] = [{}, {}];
    respond('r1', 'x', 200, { etag: '"1"', age: '0' }, first);
    respond('r2', 'y', 200, { etag: '"2"', age: '0' }, second);
    const again = respond('r3', 'x', 200, { etag: '"1"', age: '5' }, first);
    expect(Object.fromEntries(again.headers)).toEqual({
      ...SECURITY,
      'x-request-id': 'r3',
      etag: '"1"',
      age: '5',
      'content-type': 'text/plain;charset=UTF-8',
    });
  });

  it('is not fooled by a caller that changes a headers record after the answer', async () => {
    const respond = createTemplatedResponses(SECURITY);
    const entry = {};
    const headers: Record<string, string> = { etag: '"a"', age: '0' };
    respond('r1', 'x', 200, headers, entry);
    headers.age = '9';
    const next = respond('r2', 'x', 200, { etag: '"a"', age: '9' }, entry);
    expect(next.headers.get('age')).toBe('9');
  });
});
