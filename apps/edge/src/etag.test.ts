import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { etagOf, ifNoneMatchMatches } from './etag.ts';

const TAG_FORMAT = /^"[A-Za-z0-9_-]{22}"$/;

describe('etagOf', () => {
  it('gives the same body the same tag', async () => {
    const body = '{"id":"doc_1","status":"processing"}';
    expect(await etagOf(body)).toBe(await etagOf(body));
  });

  it('gives different bodies different tags', async () => {
    const one = await etagOf('{"status":"processing"}');
    const two = await etagOf('{"status":"completed"}');
    expect(one).not.toBe(two);
  });

  it('is a strong tag of 16 bytes in base64url', async () => {
    expect(await etagOf('')).toMatch(TAG_FORMAT);
    expect(await etagOf('{"status":"pending"}')).toMatch(TAG_FORMAT);
  });

  it('is the first 16 bytes of the SHA-256 of the UTF-8 body', async () => {
    // SHA-256('') = e3b0c442 98fc1c14 9afbf4c8 996fb924 ...
    expect(await etagOf('')).toBe('"47DEQpj8HBSa-_TImW-5JA"');
  });

  test.prop([fc.string({ unit: 'binary' })])('always has the tag format', async (body) => {
    expect(await etagOf(body)).toMatch(TAG_FORMAT);
  });

  test.prop([fc.string(), fc.string()])('differs whenever the bodies differ', async (a, b) => {
    fc.pre(a !== b);
    expect(await etagOf(a)).not.toBe(await etagOf(b));
  });
});

describe('ifNoneMatchMatches', () => {
  const etag = '"abc"';

  it('does not match without the header', () => {
    expect(ifNoneMatchMatches(undefined, etag)).toBe(false);
  });

  it('does not match an empty header', () => {
    expect(ifNoneMatchMatches('', etag)).toBe(false);
  });

  it('matches the same tag', () => {
    expect(ifNoneMatchMatches('"abc"', etag)).toBe(true);
  });

  it('does not match another tag', () => {
    expect(ifNoneMatchMatches('"abd"', etag)).toBe(false);
    expect(ifNoneMatchMatches('"ABC"', etag)).toBe(false);
  });

  it('does not match the tag without its quotes', () => {
    expect(ifNoneMatchMatches('abc', etag)).toBe(false);
  });

  it('matches anything with a star', () => {
    expect(ifNoneMatchMatches('*', etag)).toBe(true);
    expect(ifNoneMatchMatches(' * ', etag)).toBe(true);
  });

  it('matches when the tag is anywhere in a list', () => {
    expect(ifNoneMatchMatches('"x", "abc", "y"', etag)).toBe(true);
    expect(ifNoneMatchMatches('"x","y","abc"', etag)).toBe(true);
    expect(ifNoneMatchMatches('"x", "y"', etag)).toBe(false);
  });

  it('compares weakly, ignoring a W/ prefix on either side', () => {
    expect(ifNoneMatchMatches('W/"abc"', etag)).toBe(true);
    expect(ifNoneMatchMatches('"x", W/"abc"', etag)).toBe(true);
    expect(ifNoneMatchMatches('"abc"', 'W/"abc"')).toBe(true);
    expect(ifNoneMatchMatches('W/"abd"', etag)).toBe(false);
  });

  it('ignores whitespace around the tags', () => {
    expect(ifNoneMatchMatches('  "abc"\t', etag)).toBe(true);
    expect(ifNoneMatchMatches('"x" ,\t W/"abc" ', etag)).toBe(true);
  });

  test.prop([fc.array(fc.stringMatching(/^[A-Za-z0-9_-]{1,22}$/), { maxLength: 5 }), fc.boolean()])(
    'matches a list exactly when it holds the tag, weak or strong',
    async (others, weak) => {
      const tag = await etagOf('body');
      const list = others.map((each) => `"${each}"`);
      expect(ifNoneMatchMatches(list.join(', ') || undefined, tag)).toBe(false);
      const withTag = [...list, weak ? `W/${tag}` : tag].join(', ');
      expect(ifNoneMatchMatches(withTag, tag)).toBe(true);
    },
  );
});
