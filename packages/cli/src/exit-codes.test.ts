import { describe, expect, it } from 'vitest';
import { describeError } from './describe-error.ts';
import { EXIT_CODES, strongestExitCode } from './exit-codes.ts';
import { redactingOutput } from './redacting-output.ts';
import { UsageError } from './usage-error.ts';

describe('exit codes', () => {
  it('keeps the documented values', () => {
    expect(EXIT_CODES).toEqual({
      ok: 0,
      failed: 1,
      usage: 2,
      auth: 3,
      notFound: 4,
      timeout: 5,
      unavailable: 6,
      interrupted: 130,
      brokenPipe: 141,
    });
  });

  it('lets the most specific outcome win: 2, 3, 4, 6, 5, then 1', () => {
    expect(strongestExitCode([])).toBe(0);
    expect(strongestExitCode([0, 1])).toBe(1);
    expect(strongestExitCode([1, 5])).toBe(5);
    expect(strongestExitCode([5, 6])).toBe(6);
    expect(strongestExitCode([6, 4, 1])).toBe(4);
    expect(strongestExitCode([4, 3])).toBe(3);
    expect(strongestExitCode([3, 2, 0])).toBe(2);
  });
});

describe('describeError', () => {
  it.each([
    ['AUTHENTICATION_FAILED', 3],
    ['PERMISSION_DENIED', 3],
    ['INSUFFICIENT_CREDITS', 3],
    ['NOT_FOUND', 4],
    ['WATCH_TIMEOUT', 5],
    ['RATE_LIMITED', 6],
    ['SERVER_ERROR', 6],
    ['TIMEOUT', 6],
    ['CONNECTION_FAILED', 6],
    ['INVALID_RESPONSE', 6],
    ['UNEXPECTED_STATUS', 6],
    ['INVALID_ID', 2],
  ])('maps code %s to exit %i with a hint', (code, exitCode) => {
    const error = Object.assign(new Error('Something happened.'), { code });
    const description = describeError(error);
    expect(description.exitCode).toBe(exitCode);
    expect(description.message).toMatch(/^Something happened\. \S/);
  });

  it('maps usage errors to 2 and anything unknown to 1, on one line', () => {
    expect(describeError(new UsageError('bad flag'))).toEqual({ exitCode: 2, message: 'bad flag' });
    const unknown = describeError(new Error('boom\nat line 2'));
    expect(unknown.exitCode).toBe(1);
    expect(unknown.message).toBe('unexpected error: boom at line 2. Run with --debug for details');
  });
});

describe('redactingOutput', () => {
  it('replaces every occurrence of the key and keeps the terminal facts', () => {
    const written: string[] = [];
    const output = redactingOutput(
      { write: (text) => written.push(text), isTTY: true, columns: 99 },
      ['nl_secret0000000000000000000000001'],
    );
    output.write('key nl_secret0000000000000000000000001 and nl_secret0000000000000000000000001\n');
    expect(written).toEqual(['key [REDACTED] and [REDACTED]\n']);
    expect(output.isTTY).toBe(true);
    expect(output.columns).toBe(99);
  });
});
