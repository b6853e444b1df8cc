import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { assertValidId, MAX_ID_LENGTH } from './assert-valid-id.ts';
import { InvalidIdError } from './errors.ts';

function reasonFor(id: unknown): string | undefined {
  try {
    assertValidId(id, 'document');
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidIdError);
    return (error as InvalidIdError).reason;
  }
}

describe('assertValidId', () => {
  it('accepts the UUIDs Neurolinker uses and returns them unchanged', () => {
    const id = '1d6986aa-80ac-4a4d-9009-5a323c9046b1';
    expect(assertValidId(id, 'document')).toBe(id);
  });

  it('accepts other opaque ids, including characters that are escaped on the way out', () => {
    for (const id of ['abc', 'a.b', 'a_b~c', 'a?b', 'a#b', 'ünïcödé', 'x'.repeat(MAX_ID_LENGTH)]) {
      expect(assertValidId(id, 'request')).toBe(id);
    }
  });

  it.each([
    ['', 'it is empty'],
    ['x'.repeat(MAX_ID_LENGTH + 1), 'it is longer than 128 characters'],
    ['a/b', 'it contains a path separator'],
    ['a\\b', 'it contains a path separator'],
    ['..', 'it contains ".."'],
    ['a..b', 'it contains ".."'],
    ['.', 'it is "."'],
    ['a b', 'it contains whitespace or a control character'],
    ['a\tb', 'it contains whitespace or a control character'],
    ['a\nb', 'it contains whitespace or a control character'],
    ['a\u0000b', 'it contains whitespace or a control character'],
    ['a\u007fb', 'it contains whitespace or a control character'],
    ['a\u200bb', 'it contains whitespace or a control character'],
    ['a\u00a0b', 'it contains whitespace or a control character'],
    ['%2e%2e', 'it decodes to ".."'],
    ['%2E', 'it decodes to "."'],
    ['a%2fb', 'it decodes to a path separator'],
    ['a%5Cb', 'it decodes to a path separator'],
    ['a%20b', 'it decodes to whitespace or a control character'],
    ['a%00b', 'it decodes to whitespace or a control character'],
    ['a%252fb', 'it decodes to a path separator'],
    ['%25252e%25252e', 'it decodes to ".."'],
    ['a%zzb', 'it contains a malformed percent-escape'],
    ['%25252525252e%25252525252e', 'it decodes to ".."'],
    ['abc\ud800', 'it contains a lone surrogate'],
    ['\udc00abc', 'it contains a lone surrogate'],
    ['a\u2066b', 'it contains whitespace or a control character'],
    ['a\u00adb', 'it contains whitespace or a control character'],
    ['a\u061cb', 'it contains whitespace or a control character'],
    ['a%', 'it contains a malformed percent-escape'],
    ['100%25done', 'it contains a malformed percent-escape'],
  ])('rejects %j because %s', (id, reason) => {
    expect(reasonFor(id)).toBe(reason);
  });

  it('rejects values that are not strings, naming the type', () => {
    expect(reasonFor(undefined)).toBe('expected a string, got undefined');
    expect(reasonFor(null)).toBe('expected a string, got null');
    expect(reasonFor(42)).toBe('expected a string, got number');
    expect(reasonFor({ toString: () => 'x' })).toBe('expected a string, got object');
  });

  it('never echoes the id in the message', () => {
    try {
      assertValidId('secret thing', 'document');
    } catch (error) {
      expect((error as Error).message).toBe(
        'Invalid document id: it contains whitespace or a control character.',
      );
    }
    expect.assertions(1);
  });

  test.prop([fc.string({ unit: 'binary', maxLength: 200 })])(
    'answers any string with the same string or an InvalidIdError',
    (id) => {
      try {
        expect(assertValidId(id, 'document')).toBe(id);
      } catch (error) {
        expect(error).toBeInstanceOf(InvalidIdError);
      }
    },
  );

  test.prop([fc.string({ unit: 'binary', maxLength: 200 })])(
    'only accepts ids whose encoded form is one safe path segment, however often a server decodes it',
    (id) => {
      let accepted = true;
      try {
        assertValidId(id, 'document');
      } catch {
        accepted = false;
      }
      if (!accepted) return;
      let layer = encodeURIComponent(id);
      for (let i = 0; i < 3; i++) {
        try {
          layer = decodeURIComponent(layer);
        } catch {
          break;
        }
        expect(layer).not.toMatch(/[/\\\s\u0000-\u001f]/);
        expect(layer).not.toContain('..');
        expect(layer).not.toBe('.');
      }
    },
  );

  test.prop([
    fc.string({ unit: fc.nat(0xffff).map((code) => String.fromCharCode(code)), maxLength: 40 }),
  ])(
    'answers any UTF-16 string, lone surrogates included, with an id that encodes or an InvalidIdError',
    (id) => {
      try {
        expect(encodeURIComponent(assertValidId(id, 'request'))).toEqual(expect.any(String));
      } catch (error) {
        expect(error).toBeInstanceOf(InvalidIdError);
      }
    },
  );

  test.prop([fc.uuid()])('accepts every UUID', (uuid) => {
    expect(assertValidId(uuid, 'document')).toBe(uuid);
  });

  test.prop([fc.stringMatching(/^[A-Za-z0-9_-]{1,128}$/)])(
    'accepts every id of up to 128 letters, digits, underscores and hyphens as it is',
    (id) => {
      expect(assertValidId(id, 'request')).toBe(id);
    },
  );

  test('still refuses a plain id longer than 128 characters', () => {
    expect(() => assertValidId('a'.repeat(129), 'document')).toThrow(InvalidIdError);
  });
});
