import { test } from '@fast-check/vitest';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bearerKey } from '../bearer-key.ts';
import {
  createStatusObjects,
  parseStatusObjectUrl,
  statusObjectUrl,
} from './status-object-address.ts';
import type { DurableObjectNamespaceLike } from './workers-platform.ts';

const SECRET = 'a-test-secret-of-at-least-32-characters!';

/** A namespace that records the names it is asked for (the name is what this test is about). */
function recordingNamespace(names: string[]): DurableObjectNamespaceLike {
  return {
    idFromName: (name) => {
      names.push(name);
      return name;
    },
    get: () => ({ fetch: async () => new Response(null) }),
  };
}

describe('status object URLs', () => {
  test.prop([
    fc.constantFrom('document' as const, 'request' as const),
    fc.oneof(fc.constantFrom('.', '..', '%2E', ''), fc.string()),
  ])('read back the kind and id they were made from, even `.` and `..`', (kind, id) => {
    for (const route of ['status', 'events'] as const) {
      expect(parseStatusObjectUrl(new URL(statusObjectUrl({ kind, id }, route)))).toEqual({
        kind,
        id,
        route,
      });
    }
  });

  it.each(['/document', '/file/id-x', '/document/x', '/document/id-a/b', '/document/id-%E0%A4%A'])(
    'refuse %s',
    (path) => {
      expect(parseStatusObjectUrl(new URL(path, 'https://x.invalid'))).toBeUndefined();
    },
  );
});

describe('status object names', () => {
  it('differ between tenants and between kinds, and never contain a key', async () => {
    const names: string[] = [];
    const objectFor = await createStatusObjects({
      namespace: recordingNamespace(names),
      mode: 'passthrough',
      secret: SECRET,
    });
    const key = 'nl_00000000000000000000000000000001';
    await objectFor({ kind: 'document', id: 'abc' }, `Bearer ${key}`);
    await objectFor({ kind: 'document', id: 'abc' }, 'Bearer nl_00000000000000000000000000000002');
    await objectFor({ kind: 'request', id: 'abc' }, `Bearer ${key}`);
    await objectFor({ kind: 'document', id: 'abc' }, `  bearer ${key} `);

    expect(new Set(names.slice(0, 3)).size).toBe(3);
    expect(names[3]).toBe(names[0]);
    expect(names.join()).not.toContain(key);
  });

  it('are shared by every client of the proxy key outside passthrough', async () => {
    const names: string[] = [];
    const objectFor = await createStatusObjects({
      namespace: recordingNamespace(names),
      mode: 'scoped-token',
      secret: SECRET,
    });
    await objectFor({ kind: 'document', id: 'abc' }, undefined);
    await objectFor({ kind: 'document', id: 'abc' }, 'Bearer some-token');

    expect(names[0]).toBe(names[1]);
  });

  it('refuse a passthrough request without a key', async () => {
    const objectFor = await createStatusObjects({
      namespace: recordingNamespace([]),
      mode: 'passthrough',
      secret: SECRET,
    });

    await expect(objectFor({ kind: 'document', id: 'abc' }, undefined)).rejects.toThrow(TypeError);
  });

  it('read bearer keys as the authenticator does', () => {
    expect(bearerKey('Bearer nl_x')).toBe('nl_x');
    expect(bearerKey('bearer   nl_x')).toBe('nl_x');
    expect(bearerKey('Basic nl_x')).toBeUndefined();
    expect(bearerKey(null)).toBeUndefined();
  });
});
