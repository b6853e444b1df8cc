import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { cacheKey, createTenantHasher } from './cache-key.ts';

const secret = 'k'.repeat(40);

describe('createTenantHasher', () => {
  it('gives each credential its own tenant, the same each time, without the credential in it', async () => {
    const tenantOf = await createTenantHasher(secret);
    const a = await tenantOf('nl_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa');
    const b = await tenantOf('nl_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb');
    expect(a).not.toBe(b);
    expect(await tenantOf('nl_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa')).toBe(a);
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a).not.toContain('aaaa');
  });

  it('depends on the server secret', async () => {
    const one = await (await createTenantHasher(secret))('nl_key');
    const two = await (await createTenantHasher('j'.repeat(40)))('nl_key');
    expect(one).not.toBe(two);
  });

  it('refuses a short secret', async () => {
    await expect(createTenantHasher('short')).rejects.toThrow(TypeError);
  });
});

describe('cacheKey', () => {
  test.prop([
    fc.string({ minLength: 1 }),
    fc.string({ minLength: 1 }),
    fc.constantFrom('document', 'request'),
  ])('never lets an id reach into another tenant or kind', (idA, idB, kind) => {
    const a = cacheKey({ tenant: 'tenant-a', kind, id: idA });
    const b = cacheKey({ tenant: 'tenant-b', kind, id: idB });
    expect(a).not.toBe(b);
    expect(a.startsWith('tenant-a:')).toBe(true);
    expect(a.split(':')).toHaveLength(3);
  });
});
