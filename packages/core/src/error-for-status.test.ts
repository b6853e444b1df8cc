import { describe, expect, it } from 'vitest';
import { errorForStatus } from './error-for-status.ts';

describe('errorForStatus', () => {
  it.each([
    [401, 'AuthenticationError'],
    [402, 'InsufficientCreditsError'],
    [403, 'PermissionDeniedError'],
    [404, 'NotFoundError'],
    [429, 'RateLimitError'],
    [500, 'ServerError'],
    [503, 'ServerError'],
    [409, 'UnexpectedStatusError'],
    [418, 'UnexpectedStatusError'],
  ])('maps %i to %s, with the context it was given', (status, name) => {
    const error = errorForStatus(status, 'why', { status, attempts: 2 });
    expect(error.name).toBe(name);
    expect(error.message).toBe('why');
    expect(error.status).toBe(status);
    expect(error.attempts).toBe(2);
  });

  it('keeps the Retry-After hint on the errors that carry one', () => {
    const limited = errorForStatus(429, 'slow down', { status: 429, retryAfterMs: 5_000 });
    expect(limited).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: 5_000 });
    const busy = errorForStatus(503, 'busy', { status: 503, retryAfterMs: 1_000 });
    expect(busy).toMatchObject({ code: 'SERVER_ERROR', retryAfterMs: 1_000 });
  });
});
