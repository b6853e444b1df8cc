import { assertValidId, isNeurolinkerError } from '@neurostatus/core';
import type { ApiInvocation } from './parse-invocation.ts';
import { UsageError } from './usage-error.ts';

/**
 * Checks every id of an invocation with core's `assertValidId`, before any request is made.
 *
 * @throws {UsageError} (exit 2) naming the bad id, escaped so it cannot move the cursor, and why.
 * @example
 * ```ts
 * checkIds(invocation); // throws for `neurostatus wait ../etc/passwd`
 * ```
 */
export function checkIds(invocation: ApiInvocation): void {
  const check = (id: string, kind: 'document' | 'request') => {
    try {
      assertValidId(id, kind);
    } catch (error) {
      if (!isNeurolinkerError(error)) throw error;
      const reason =
        'reason' in error && typeof error.reason === 'string' ? error.reason : error.message;
      throw new UsageError(`invalid ${kind} id "${printable(id)}": ${reason}`);
    }
  };
  if (invocation.requestId !== undefined) check(invocation.requestId, 'request');
  for (const id of invocation.documentIds) check(id, 'document');
}

/** Anything outside printable ASCII becomes a `\u` escape; long ids are cut. */
function printable(id: string): string {
  const short = id.length > 60 ? `${id.slice(0, 60)}…` : id;
  return short.replace(/[^\x20-\x7e…]/gu, (char) => `\\u{${char.codePointAt(0)!.toString(16)}}`);
}
