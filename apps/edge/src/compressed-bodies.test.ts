import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createCompressedBodies } from './compressed-bodies.ts';

const BIG = JSON.stringify({
  documents: Array.from({ length: 50 }, (_, i) => ({ i, status: 'completed' })),
});

describe('createCompressedBodies', () => {
  it('compresses a body once, when prepared, however often it is served', async () => {
    let calls = 0;
    const bodies = createCompressedBodies({
      gzip: async (bytes: Uint8Array<ArrayBuffer>) => {
        calls++;
        return bytes;
      },
    });
    bodies.prepare('"a"', BIG);
    expect(calls).toBe(1);
    for (let hit = 0; hit < 5; hit++) await bodies.gzipped('"a"', BIG);
    expect(calls).toBe(1);
  });

  it('makes a real gzip that decompresses to the body', async () => {
    const bodies = createCompressedBodies();
    const gzip = await bodies.gzipped('"a"', BIG);
    expect(gzip).toBeDefined();
    expect(gunzipSync(gzip as Uint8Array).toString('utf8')).toBe(BIG);
    expect((gzip as Uint8Array).length).toBeLessThan(BIG.length / 3);
  });

  it('gives the copy without a promise once it is made (a promise while it is being made)', async () => {
    let finish: (bytes: Uint8Array<ArrayBuffer>) => void = () => {};
    const bodies = createCompressedBodies({
      gzip: () => new Promise<Uint8Array<ArrayBuffer>>((resolve) => (finish = resolve)),
    });
    bodies.prepare('"a"', BIG);
    const pending = bodies.gzippedNow('"a"', BIG);
    expect(pending).toBeInstanceOf(Promise);
    const made = new Uint8Array([1, 2, 3]);
    finish(made);
    expect(await pending).toBe(made);
    expect(bodies.gzippedNow('"a"', BIG)).toBe(made);
    // Too small to compress: known at once.
    expect(bodies.gzippedNow('"s"', '{"status":"processing"}')).toBeUndefined();
  });

  it('gives nothing, without a promise, for a body whose compression failed', async () => {
    const bodies = createCompressedBodies({ gzip: async () => Promise.reject(new Error('no')) });
    expect(await bodies.gzipped('"a"', BIG)).toBeUndefined();
    expect(bodies.gzippedNow('"a"', BIG)).toBeUndefined();
  });

  it('leaves small bodies alone', async () => {
    const bodies = createCompressedBodies({ minBytes: 512 });
    expect(await bodies.gzipped('"s"', '{"status":"processing"}')).toBeUndefined();
  });

  it('keeps at most maxEntries copies, dropping the least recently used', async () => {
    let calls = 0;
    const bodies = createCompressedBodies({
      maxEntries: 2,
      gzip: async (bytes: Uint8Array<ArrayBuffer>) => {
        calls++;
        return bytes;
      },
    });
    bodies.prepare('"a"', BIG);
    bodies.prepare('"b"', BIG);
    await bodies.gzipped('"a"', BIG); // a is recent, b is the oldest
    bodies.prepare('"c"', BIG); // drops b
    expect(calls).toBe(3);
    await bodies.gzipped('"a"', BIG);
    expect(calls).toBe(3);
    await bodies.gzipped('"b"', BIG);
    expect(calls).toBe(4);
  });

  it('keeps at most maxBytes of copies, dropping the least recently used, and never one larger', async () => {
    let calls = 0;
    const bodies = createCompressedBodies({
      maxBytes: 1_000,
      gzip: async () => {
        calls++;
        return new Uint8Array(400);
      },
    });
    for (const etag of ['"a"', '"b"', '"c"']) await bodies.gzipped(etag, BIG);
    expect(calls).toBe(3); // 1 200 bytes: a, the oldest, is gone
    await bodies.gzipped('"c"', BIG);
    await bodies.gzipped('"b"', BIG);
    expect(calls).toBe(3);
    await bodies.gzipped('"a"', BIG);
    expect(calls).toBe(4);

    const huge = createCompressedBodies({ maxBytes: 300, gzip: async () => new Uint8Array(400) });
    expect((await huge.gzipped('"h"', BIG))?.length).toBe(400); // served once
    expect(huge.gzippedNow('"h"', BIG)).toBeInstanceOf(Promise); // but not kept
  });
});
