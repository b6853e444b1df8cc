import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { errorFromResponse, type FailedResponse } from './error-from-response.ts';
import { secretRedactor } from './secret-redactor.ts';

const SECRET = 'nl_secretKEY0123456789abcdefghijklmn';
const escaped = [...SECRET]
  .map((char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`)
  .join('');

function failed(status: number, text: string): FailedResponse {
  return {
    status,
    statusText: '',
    text,
    requestId: undefined,
    retryAfterMs: undefined,
    attempts: 1,
    subject: 'document d',
    redact: secretRedactor(SECRET),
  };
}

describe('errorFromResponse', () => {
  it('keeps the detail and names it in the message', () => {
    const error = errorFromResponse(failed(404, '{"detail":"Document not found"}'));
    expect(error).toMatchObject({ code: 'NOT_FOUND', detail: 'Document not found' });
    expect(error.message).toBe('Neurolinker answered 404 for document d: Document not found');
  });

  it.each([
    [401, `{"detail":"Invalid key ${escaped}"}`],
    [422, `{"detail":[{"loc":["header","${escaped}"],"msg":"bad","input":"${escaped}"}]}`],
    [400, `{"detail":"${'x'.repeat(190)} ${escaped}"}`],
  ])('keeps a key echoed JSON-escaped out of every part of a %i error', (status, text) => {
    const error = errorFromResponse(failed(status, text));
    expect(JSON.stringify(error.detail)).toContain('[REDACTED]');
    for (const shown of [
      String(error),
      error.stack,
      JSON.stringify(error),
      inspect(error, { depth: 10, showHidden: true }),
    ]) {
      expect(shown).not.toContain(SECRET);
      expect(shown).not.toContain(SECRET.slice(0, 12));
    }
  });
});
