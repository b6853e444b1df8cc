import { describe, expect, it } from 'vitest';
import { createNeurolinkerClient } from './client.ts';
import {
  DEFAULT_BASE_URL,
  type NeurolinkerClientOptions,
  resolveClientOptions,
} from './client-options.ts';
import { InvalidOptionError } from './invalid-option-error.ts';

const apiKey = 'nl_abcdefghijklmnopqrstuvwxyz012345';

function typeErrorFor(options: Partial<NeurolinkerClientOptions>): string {
  try {
    createNeurolinkerClient({ apiKey, ...options } as NeurolinkerClientOptions);
  } catch (error) {
    expect(error).toBeInstanceOf(TypeError);
    return (error as TypeError).message;
  }
  throw new Error('expected a TypeError');
}

describe('resolveClientOptions', () => {
  it('applies the documented defaults', () => {
    const resolved = resolveClientOptions({ apiKey });
    expect(resolved).toMatchObject({
      baseUrl: DEFAULT_BASE_URL,
      timeoutMs: 15_000,
      deadlineMs: 60_000,
      retry: { limit: 2, baseDelayMs: 300, maxDelayMs: 10_000, maxRetryAfterMs: 60_000 },
      maxResponseBytes: 1_048_576,
      fetch: undefined,
    });
    expect(DEFAULT_BASE_URL).toBe('https://neurolinker.api.ainexxo.com/api/v1');
  });

  it('strips trailing slashes from the base URL', () => {
    expect(resolveClientOptions({ apiKey, baseUrl: 'http://127.0.0.1:8787/v1//' }).baseUrl).toBe(
      'http://127.0.0.1:8787/v1',
    );
  });

  it('turns retry: false into a single attempt', () => {
    expect(resolveClientOptions({ apiKey, retry: false }).retry.limit).toBe(0);
  });

  it.each([
    [{ apiKey: '' }, '`apiKey` must be a non-empty string'],
    [{ apiKey: undefined as never }, '`apiKey` must be a non-empty string'],
    [{ apiKey: 'nl_abc\r\nX-Evil: 1' }, '`apiKey` must contain only visible ASCII'],
    [{ apiKey: 'nl_ abc' }, '`apiKey` must contain only visible ASCII'],
    [{ baseUrl: 'not a url' }, '`baseUrl` must be an absolute http(s) URL'],
    [{ baseUrl: 'ftp://example.com' }, '`baseUrl` must be an absolute http(s) URL'],
    [{ baseUrl: 'https://user:pass@example.com' }, '`baseUrl` must not contain credentials'],
    [{ baseUrl: 'https://example.com/api?x=1' }, '`baseUrl` must not have a query or a fragment'],
    [{ timeoutMs: -1 }, '`timeoutMs` must be a positive number'],
    [{ timeoutMs: 0 }, '`timeoutMs` must be a positive number'],
    [{ timeoutMs: Number.NaN }, '`timeoutMs` must be a positive number'],
    [{ timeoutMs: 2 ** 31 }, '`timeoutMs` must be a positive number'],
    [{ deadlineMs: Number.POSITIVE_INFINITY }, '`deadlineMs` must be a positive number'],
    [{ retry: { limit: -1 } }, '`retry.limit` must be an integer from 0 to 100'],
    [{ retry: { limit: 1.5 } }, '`retry.limit` must be an integer from 0 to 100'],
    [{ retry: { baseDelayMs: -5 } }, '`retry.baseDelayMs` must be a non-negative number'],
    [
      { retry: { maxRetryAfterMs: Number.NaN } },
      '`retry.maxRetryAfterMs` must be a non-negative number',
    ],
    [{ retry: 3 as never }, '`retry` must be an object or false'],
    [{ fetch: 'fetch' as never }, '`fetch` must be a function'],
    [{ now: 5 as never }, '`now` must be a function'],
    [{ hooks: { onRetry: 'log' as never } }, '`hooks.onRetry` must be a function'],
    [{ userAgent: 'bad\nagent' }, '`userAgent` must be a non-empty string'],
    [{ maxResponseBytes: 0 }, '`maxResponseBytes` must be a positive integer'],
  ])('rejects %j with a TypeError naming the option', (options, message) => {
    expect(typeErrorFor(options)).toContain(message);
  });

  it('names the option in an InvalidOptionError, a TypeError', () => {
    try {
      createNeurolinkerClient({ apiKey, baseUrl: 'ftp://x' });
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidOptionError);
      expect(error).toBeInstanceOf(TypeError);
      expect((error as InvalidOptionError).option).toBe('baseUrl');
    }
    expect.assertions(3);
  });

  it('never puts the key in a TypeError message', () => {
    const secret = 'nl_secret secretsecretsecretsecret12';
    expect(typeErrorFor({ apiKey: secret })).not.toContain('secret');
  });

  it('rejects a missing options object', () => {
    expect(() => createNeurolinkerClient(undefined as never)).toThrow(TypeError);
  });

  it('rejects a per-call deadline or retry limit that makes no sense', async () => {
    const client = createNeurolinkerClient({ apiKey });
    await expect(client.getDocumentStatus('abc', { deadlineMs: -1 })).rejects.toThrow(TypeError);
    await expect(client.getDocumentStatus('abc', { retryLimit: 1.5 })).rejects.toThrow(TypeError);
  });

  it.each([
    ['headers', { headers: 5 as never }],
    ['headers', { headers: [['x-only-a-name']] as never }],
    ['headers', { headers: { 'x-secret': 'top-secret-value\r\nx-evil: 1' } }],
    ['headers', { headers: { 'x bad name': 'top-secret-value' } }],
    ['hooks.beforeRequest', { hooks: { beforeRequest: 'x' as never } }],
    ['hooks.afterResponse', { hooks: { afterResponse: [1] as never } }],
  ])('rejects a bad %s with an InvalidOptionError that does not quote it', (option, options) => {
    try {
      createNeurolinkerClient({ apiKey, ...options });
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidOptionError);
      expect(error).toMatchObject({ option, code: 'INVALID_OPTION' });
      expect(String(error)).not.toContain('top-secret-value');
      return;
    }
    throw new Error('expected an InvalidOptionError');
  });

  it.each([{}, 'x', { aborted: false }])(
    'rejects a per-call signal %j that is not an AbortSignal with an InvalidOptionError',
    async (signal) => {
      const client = createNeurolinkerClient({
        apiKey,
        fetch: () => Promise.reject(new Error('sent')),
      });
      await expect(
        client.getDocumentStatus('abc', { signal: signal as never }),
      ).rejects.toMatchObject({ name: 'InvalidOptionError', option: 'signal' });
    },
  );
});
