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
  const tenant = fc.stringMatching(/^[\w-]{1,43}$/); // what createTenantHasher makes, or `shared`
  const kind = fc.constantFrom('document' as const, 'request' as const);

  test.prop([fc.tuple(tenant, kind, fc.string()), fc.tuple(tenant, kind, fc.string())])(
    'gives different parts different keys, whatever the id holds (no id forges a separator)',
    (a, b) => {
      const keyOf = ([t, k, id]: [string, 'document' | 'request', string]) =>
        cacheKey({ tenant: t, kind: k, id });
      const same = a[0] === b[0] && a[1] === b[1] && a[2] === b[2];
      expect(keyOf(a) === keyOf(b)).toBe(same);
      expect(keyOf(a).split(':')).toHaveLength(3);
    },
  );
});
