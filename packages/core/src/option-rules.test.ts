import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { assertApiKey, MAX_API_KEY_LENGTH } from './assert-api-key.ts';
import { assertBaseUrl } from './assert-base-url.ts';
import { assertDuration, MAX_DURATION_MS } from './assert-duration.ts';
import { InvalidOptionError } from './invalid-option-error.ts';

/** The InvalidOptionError that `run` throws (fails the test when it throws nothing else). */
function refusal(run: () => unknown): InvalidOptionError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidOptionError);
    expect(error).toBeInstanceOf(TypeError);
    return error as InvalidOptionError;
  }
  throw new Error('expected an InvalidOptionError');
}

describe('assertDuration', () => {
  it('accepts a positive number of ms up to the timer limit', () => {
    expect(assertDuration(1, 'timeoutMs')).toBe(1);
    expect(assertDuration(MAX_DURATION_MS, 'timeoutMs')).toBe(MAX_DURATION_MS);
    expect(assertDuration(0, 'graceMs', { allowZero: true })).toBe(0);
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY, MAX_DURATION_MS + 1, '5', undefined])(
    'refuses %j, naming the option and what is wrong',
    (value) => {
      const error = refusal(() => assertDuration(value, 'intervalMs'));
      expect(error).toMatchObject({ option: 'intervalMs', code: 'INVALID_OPTION' });
      expect(error.problem).toMatch(/^must be a positive number of milliseconds/);
      expect(error.message).toBe(`\`intervalMs\` ${error.problem}.`);
    },
  );
});

describe('assertBaseUrl', () => {
  it('returns the URL without trailing slashes', () => {
    expect(assertBaseUrl('http://127.0.0.1:4010/api/v1//')).toBe('http://127.0.0.1:4010/api/v1');
    expect(assertBaseUrl('HTTPS://Example.COM/v1')).toBe('https://example.com/v1');
  });

  it.each([
    ['not a url', 'must be an absolute http(s) URL'],
    ['/api/v1', 'must be an absolute http(s) URL'],
    ['ftp://example.com/v1', 'must be an absolute http(s) URL'],
    ['http://user:pw@host/api/v1', 'must not contain credentials'],
    ['http://:pw@host/api/v1', 'must not contain credentials'],
    ['http://host/api/v1?tenant=a', 'must not have a query or a fragment'],
    ['http://host/api/v1?', 'must not have a query or a fragment'],
    ['http://host/api/v1#top', 'must not have a query or a fragment'],
  ])('refuses %j', (value, problem) => {
    const error = refusal(() => assertBaseUrl(value, 'NEUROLINKER_BASE_URL'));
    expect(error.option).toBe('NEUROLINKER_BASE_URL');
    expect(error.problem).toContain(problem);
  });

  test.prop([fc.webUrl({ withQueryParameters: true, withFragments: true }), fc.string()])(
    'never puts any part of the value in its message',
    (url, password) => {
      const secret = `S3cr3t${password.replace(/[^a-z0-9]/gi, '')}`;
      const withCredentials = url.replace('://', `://user:${secret}@`);
      try {
        assertBaseUrl(withCredentials);
      } catch (error) {
        expect((error as Error).message).not.toContain(secret);
        return;
      }
      throw new Error('a URL with credentials was accepted');
    },
  );
});

describe('assertApiKey', () => {
  it('accepts a key of visible ASCII', () => {
    expect(assertApiKey('nl_abcdefghijklmnopqrstuvwxyz012345')).toBe(
      'nl_abcdefghijklmnopqrstuvwxyz012345',
    );
  });

  it.each([
    '',
    'nl_ abc',
    'nl_abc\n',
    'nl_abc\r\nX-Evil: 1',
    'nl_é',
    'k'.repeat(MAX_API_KEY_LENGTH + 1),
    42,
    undefined,
  ])('refuses %j', (value) => {
    const error = refusal(() => assertApiKey(value, 'NEUROLINKER_API_KEY'));
    expect(error.option).toBe('NEUROLINKER_API_KEY');
    if (typeof value === 'string' && value !== '') {
      expect(error.message).not.toContain(value.trim());
    }
  });
});
