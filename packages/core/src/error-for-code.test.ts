import { describe, expect, it } from 'vitest';
import { errorForCode } from './error-for-code.ts';
import {
  InvalidIdError,
  isNeurolinkerError,
  isNeurolinkerErrorCode,
  type NeurolinkerErrorCode,
  RateLimitError,
  type TimeoutError,
} from './errors.ts';

const CODES: NeurolinkerErrorCode[] = [
  'AUTHENTICATION_FAILED',
  'PERMISSION_DENIED',
  'INSUFFICIENT_CREDITS',
  'NOT_FOUND',
  'RATE_LIMITED',
  'SERVER_ERROR',
  'UNEXPECTED_STATUS',
  'TIMEOUT',
  'CONNECTION_FAILED',
  'INVALID_RESPONSE',
  'INVALID_ID',
];

describe('errorForCode', () => {
  it.each(CODES)('makes the class whose code is %s, with the status given', (code) => {
    const error = errorForCode(code, 'failed', { status: 500 });
    expect(isNeurolinkerError(error)).toBe(true);
    expect(error.code).toBe(code);
    expect(error.status).toBe(500);
    expect(error.message).toBe('failed');
  });

  it("carries each class's own context", () => {
    const limited = errorForCode('RATE_LIMITED', 'slow', { status: 429, retryAfterMs: 5_000 });
    expect(limited).toBeInstanceOf(RateLimitError);
    expect((limited as RateLimitError).retryAfterMs).toBe(5_000);
    const late = errorForCode('TIMEOUT', 'late', { timeoutMs: 2_000 });
    expect((late as TimeoutError).timeoutMs).toBe(2_000);
    const bad = errorForCode('INVALID_ID', 'bad');
    expect(bad).toBeInstanceOf(InvalidIdError);
  });
});

describe('isNeurolinkerErrorCode', () => {
  it('knows the codes of the error classes and nothing else', () => {
    for (const code of CODES) expect(isNeurolinkerErrorCode(code)).toBe(true);
    for (const other of ['UNKNOWN', 'ROUTE_NOT_FOUND', '', 42, undefined, 'toString']) {
      expect(isNeurolinkerErrorCode(other)).toBe(false);
    }
  });
});
