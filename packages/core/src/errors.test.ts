import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  InvalidIdError,
  InvalidResponseError,
  isNeurolinkerError,
  NeurolinkerError,
  RateLimitError,
  TimeoutError,
} from './errors.ts';

describe('NeurolinkerError', () => {
  it('carries a literal code, the context and the cause', () => {
    const cause = new Error('socket hang up');
    const error = new AuthenticationError('bad key', {
      status: 401,
      detail: 'Invalid API key',
      requestId: 'req-1',
      attempts: 1,
      cause,
    });
    expect(error).toBeInstanceOf(NeurolinkerError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('AuthenticationError');
    expect(error.code).toBe('AUTHENTICATION_FAILED');
    expect(error).toMatchObject({
      status: 401,
      detail: 'Invalid API key',
      requestId: 'req-1',
      attempts: 1,
    });
    expect(error.cause).toBe(cause);
  });

  it('serialises to a plain object with the subclass fields', () => {
    const error = new RateLimitError('slow down', {
      status: 429,
      attempts: 3,
      retryAfterMs: 120_000,
    });
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      name: 'RateLimitError',
      code: 'RATE_LIMITED',
      message: 'slow down',
      status: 429,
      attempts: 3,
      retryAfterMs: 120_000,
    });
    expect(new TimeoutError('late', { timeoutMs: 50 }).toJSON()).toMatchObject({
      timeoutMs: 50,
      code: 'TIMEOUT',
    });
    expect(new InvalidIdError('bad', { reason: 'it is empty' }).toJSON()).toMatchObject({
      reason: 'it is empty',
    });
    expect(
      new InvalidResponseError('bad', { issues: [{ path: 'a', message: 'b' }] }).toJSON(),
    ).toMatchObject({
      issues: [{ path: 'a', message: 'b' }],
    });
  });
});

describe('isNeurolinkerError', () => {
  it('recognises every error of the family', () => {
    expect(isNeurolinkerError(new InvalidIdError('x', { reason: 'y' }))).toBe(true);
  });

  it('rejects look-alikes and other values', () => {
    for (const value of [
      new Error('x'),
      { code: 'NOT_FOUND' },
      null,
      undefined,
      'NOT_FOUND',
      404,
    ]) {
      expect(isNeurolinkerError(value)).toBe(false);
    }
  });

  it('works across realms, where instanceof does not', () => {
    const foreign = runInNewContext(
      `const error = new Error('from another realm');
       Object.defineProperty(error, Symbol.for('@neurostatus/core/NeurolinkerError'), { value: true });
       error.code = 'NOT_FOUND';
       error`,
    );
    expect(foreign instanceof NeurolinkerError).toBe(false);
    expect(isNeurolinkerError(foreign)).toBe(true);
  });

  it('rejects a branded object with an unknown code', () => {
    const odd = {
      code: 'SOMETHING_ELSE',
      [Symbol.for('@neurostatus/core/NeurolinkerError')]: true,
    };
    expect(isNeurolinkerError(odd)).toBe(false);
  });
});
