import {
  AuthenticationError,
  ConnectionError,
  InsufficientCreditsError,
  InvalidIdError,
  InvalidResponseError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  ServerError,
  TimeoutError,
  UnexpectedStatusError,
} from '@neurostatus/core';
import { describe, expect, it } from 'vitest';
import { classifyPollError } from './poll-error-kind.ts';

describe('classifyPollError', () => {
  it.each([
    [new RateLimitError('x', { status: 429 }), 'transient'],
    [new ServerError('x', { status: 503 }), 'transient'],
    [new TimeoutError('x', { timeoutMs: 1 }), 'transient'],
    [new ConnectionError('x'), 'transient'],
    [new InvalidResponseError('x', {}), 'transient'],
    [new UnexpectedStatusError('x', { status: 408 }), 'transient'],
    [new UnexpectedStatusError('x', { status: 425 }), 'transient'],
    [new UnexpectedStatusError('x', { status: 400 }), 'permanent'],
    [new UnexpectedStatusError('x', { status: 422 }), 'permanent'],
    [new AuthenticationError('x', { status: 401 }), 'permanent'],
    [new InsufficientCreditsError('x', { status: 402 }), 'permanent'],
    [new PermissionDeniedError('x', { status: 403 }), 'permanent'],
    [new InvalidIdError('x', { reason: 'y' }), 'permanent'],
    [new NotFoundError('x', { status: 404 }), 'not-found'],
    [new TypeError('a bug'), 'permanent'],
    ['a string', 'permanent'],
  ])('sorts %o as %s', (error, kind) => {
    expect(classifyPollError(error)).toBe(kind);
  });
});
