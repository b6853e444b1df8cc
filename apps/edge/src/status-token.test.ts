import { fc, test } from '@fast-check/vitest';
import { InvalidIdError } from '@neurostatus/core';
import { describe, expect, it } from 'vitest';
import { importHmacKey } from './hmac-key.ts';
import { mintStatusToken, StatusTokenError, verifyStatusToken } from './status-token.ts';

const secret = 's'.repeat(32);
const now = Date.parse('2026-01-01T00:00:00Z');
const DOC = '1d6986aa-80ac-4a4d-9009-5a323c9046b1';

async function problemOf(token: string, at = now, key?: CryptoKey): Promise<string> {
  try {
    await verifyStatusToken(key ?? (await importHmacKey(secret, 'status-token')), token, at);
    return 'accepted';
  } catch (error) {
    expect(error).toBeInstanceOf(StatusTokenError);
    return (error as StatusTokenError).problem;
  }
}

describe('mintStatusToken and verifyStatusToken', () => {
  it('refuses a signature re-spelled in its last character (spare bits): only the canonical encoding', async () => {
    const token = await mintStatusToken({ secret, documentIds: [DOC], now: () => now });
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(token.at(-1) ?? 'A');
    // 32 bytes are 43 characters: the last one carries 4 bits and 2 spare ones.
    for (const flip of [1, 2, 3]) {
      expect(await problemOf(`${token.slice(0, -1)}${alphabet[last ^ flip]}`)).toBe('malformed');
    }
    expect(await problemOf(token)).toBe('accepted');
  });

  it('round-trips the ids and the expiry', async () => {
    const token = await mintStatusToken({
      secret,
      documentIds: [DOC],
      requestIds: ['r-1'],
      ttlSeconds: 600,
      now: () => now,
    });
    const claims = await verifyStatusToken(await importHmacKey(secret, 'status-token'), token, now);
    expect(claims).toEqual({ documentIds: [DOC], requestIds: ['r-1'], expiresAt: now + 600_000 });
  });

  it('refuses an expired token', async () => {
    const token = await mintStatusToken({
      secret,
      documentIds: [DOC],
      ttlSeconds: 60,
      now: () => now,
    });
    expect(await problemOf(token, now + 59_999)).toBe('accepted');
    expect(await problemOf(token, now + 60_000)).toBe('expired');
  });

  it('refuses a token signed with another secret', async () => {
    const token = await mintStatusToken({
      secret: 'x'.repeat(32),
      documentIds: [DOC],
      now: () => now,
    });
    expect(await problemOf(token)).toBe('bad-signature');
  });

  it('refuses a token whose grants were edited', async () => {
    const token = await mintStatusToken({ secret, documentIds: [DOC], now: () => now });
    const [version, payload, signature] = token.split('.') as [string, string, string];
    const forged = JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/')));
    forged.d.push('someone-elses-document');
    const edited = btoa(JSON.stringify(forged))
      .replace(/\+/g, '-')
      .replace(/\//g, '_')
      .replace(/=+$/, '');
    expect(await problemOf(`${version}.${edited}.${signature}`)).toBe('bad-signature');
  });

  it('refuses malformed tokens', async () => {
    for (const token of [
      '',
      'v1',
      'v1..',
      'v2.a.b',
      'v1.@@.b',
      `v1.${'a'.repeat(70_000)}.b`,
      'v1.a.b.c',
    ]) {
      expect(await problemOf(token)).toBe('malformed');
    }
  });

  test.prop([fc.string({ maxLength: 300 })])(
    'answers any string with claims or a StatusTokenError',
    async (token) => {
      expect(['malformed', 'bad-signature', 'expired', 'accepted']).toContain(
        await problemOf(token),
      );
    },
  );

  it('validates what it signs', async () => {
    await expect(mintStatusToken({ secret: 'short', documentIds: [DOC] })).rejects.toThrow(
      TypeError,
    );
    await expect(mintStatusToken({ secret, documentIds: ['../x'] })).rejects.toBeInstanceOf(
      InvalidIdError,
    );
    await expect(mintStatusToken({ secret, ttlSeconds: 0 })).rejects.toThrow(TypeError);
    await expect(mintStatusToken({ secret, ttlSeconds: 8 * 24 * 3600 })).rejects.toThrow(TypeError);
  });

  it('never puts the secret in an error message', async () => {
    const shortSecret = 'my-secret-value';
    await expect(mintStatusToken({ secret: shortSecret })).rejects.toThrow(
      /^(?!.*my-secret-value)/,
    );
  });
});
