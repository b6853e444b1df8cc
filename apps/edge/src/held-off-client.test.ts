import {
  type DocumentStatus,
  errorForCode,
  isNeurolinkerError,
  type NeurolinkerClient,
} from '@neurostatus/core';
import { describe, expect, it } from 'vitest';
import { cacheKey } from './cache-key.ts';
import { heldOffClient } from './held-off-client.ts';
import { createHoldOff } from './hold-off.ts';

const SCOPE = 'tenant-a';
const STATUS = { status: 'processing' } as unknown as DocumentStatus;

/** A client whose answers the test queues: a status, or an error to throw. */
function scriptedClient(answers: (DocumentStatus | Error)[]) {
  const calls: string[] = [];
  const next = async (id: string) => {
    calls.push(id);
    const answer = answers.shift() ?? STATUS;
    if (answer instanceof Error) throw answer;
    return answer;
  };
  const client = {
    getDocumentStatus: next,
    getRequestStatus: next,
    getDocumentStatusWithMeta: next,
    getRequestStatusWithMeta: next,
  } as unknown as NeurolinkerClient;
  return { client, calls };
}

async function failure(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('heldOffClient', () => {
  it("records the upstream's 429 in the hold-off, so status reads of the key hold off too", async () => {
    let now = 0;
    const holdOff = createHoldOff({ now: () => now });
    const limited = errorForCode('RATE_LIMITED', 'slow', { status: 429, retryAfterMs: 30_000 });
    const { client, calls } = scriptedClient([limited]);
    const held = heldOffClient(client, holdOff, SCOPE);

    const error = await failure(held.getDocumentStatus('doc-1'));
    expect(isNeurolinkerError(error) && error.code).toBe('RATE_LIMITED');
    expect((error as { retryAfterMs?: number }).retryAfterMs).toBe(30_000);
    const key = cacheKey({ tenant: SCOPE, kind: 'document', id: 'doc-1' });
    expect(holdOff.remainingMs(key, SCOPE)).toBe(30_000);

    // Held: a transient error (not a 429: no penalty on the shared rate limiter) with the hold left.
    now = 10_000;
    const again = await failure(held.getDocumentStatus('doc-1'));
    expect(isNeurolinkerError(again) && again.code).toBe('SERVER_ERROR');
    expect((again as { retryAfterMs?: number }).retryAfterMs).toBe(20_000);
    expect(calls).toEqual(['doc-1']);

    now = 30_000;
    await expect(held.getDocumentStatus('doc-1')).resolves.toBe(STATUS);
    expect(calls).toEqual(['doc-1', 'doc-1']);
  });

  it('asks nothing for any key of a scope held off as a whole; another scope is not held', async () => {
    const holdOff = createHoldOff({ now: () => 0 });
    for (const id of ['a', 'b', 'c']) {
      holdOff.rateLimited(cacheKey({ tenant: SCOPE, kind: 'document', id }), SCOPE, 5_000);
    }
    const { client, calls } = scriptedClient([]);
    const error = await failure(heldOffClient(client, holdOff, SCOPE).getRequestStatus('req-9'));
    expect((error as { retryAfterMs?: number }).retryAfterMs).toBe(5_000);
    expect(calls).toEqual([]);

    await expect(
      heldOffClient(client, holdOff, 'tenant-b').getRequestStatus('req-9'),
    ).resolves.toBe(STATUS);
    expect(calls).toEqual(['req-9']);
  });

  it('passes other errors through untouched and records nothing for them', async () => {
    const holdOff = createHoldOff({ now: () => 0 });
    const unavailable = errorForCode('SERVER_ERROR', 'down', { status: 503 });
    const { client } = scriptedClient([unavailable]);
    expect(await failure(heldOffClient(client, holdOff, SCOPE).getDocumentStatus('doc-1'))).toBe(
      unavailable,
    );
    expect(
      holdOff.remainingMs(cacheKey({ tenant: SCOPE, kind: 'document', id: 'doc-1' }), SCOPE),
    ).toBe(0);
  });
});
