import { gunzipSync } from 'node:zlib';
import { DEMO_DOCUMENT_IDS, DEMO_REQUEST_ID } from '@neurostatus/simulator';
import { describe, expect, it } from 'vitest';
import { createEdgeHarness } from './test-support/edge-harness.ts';

const request = `/api/v1/request-status/${DEMO_REQUEST_ID}`;
const gzipAccepted = { 'accept-encoding': 'gzip, deflate, br' };

describe('response compression (Node and Bun: runtimes that do not compress by themselves)', () => {
  it('gzips a status JSON for a client that accepts gzip, and says it varies on Accept-Encoding', async () => {
    const h = await createEdgeHarness();
    const plain = await h.get(request);
    const plainBody = await plain.text();
    expect(plainBody.length).toBeGreaterThan(1_000);
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(plain.headers.get('vary')).toMatch(/Accept-Encoding/);

    const gzipped = await h.get(request, gzipAccepted);
    expect(gzipped.headers.get('content-encoding')).toBe('gzip');
    expect(gzipped.headers.get('vary')).toMatch(/Accept-Encoding/);
    const bytes = new Uint8Array(await gzipped.arrayBuffer());
    expect(bytes.length).toBeLessThan(plainBody.length / 2);
    expect(gunzipSync(bytes).toString('utf8')).toBe(plainBody);
    // Another representation of the same bytes: a weak validator, still matching for 304.
    expect(gzipped.headers.get('etag')).toBe(`W/${plain.headers.get('etag')}`);
    const revalidated = await h.get(request, {
      ...gzipAccepted,
      'if-none-match': gzipped.headers.get('etag') ?? '',
    });
    expect(revalidated.status).toBe(304);
    expect(revalidated.headers.get('etag')).toBe(gzipped.headers.get('etag'));
  });

  it('honours q=0 and leaves small bodies uncompressed', async () => {
    const h = await createEdgeHarness();
    const refused = await h.get(request, { 'accept-encoding': 'gzip;q=0, *' });
    expect(refused.headers.get('content-encoding')).toBeNull();
    const small = await h.get(
      `/api/v1/document-status/00000000-0000-4000-8000-000000000000`,
      gzipAccepted,
    );
    expect(small.status).toBe(404);
    expect(small.headers.get('content-encoding')).toBeNull();
  });

  it('gzips /openapi.json once for clients that accept it', async () => {
    const h = await createEdgeHarness();
    const plain = await (await h.get('/openapi.json')).text();
    const gzipped = await h.get('/openapi.json', gzipAccepted);
    expect(gzipped.headers.get('content-encoding')).toBe('gzip');
    expect(gzipped.headers.get('vary')).toBe('Accept-Encoding');
    const bytes = new Uint8Array(await gzipped.arrayBuffer());
    expect(bytes.length).toBeLessThan(plain.length / 4);
    expect(gunzipSync(bytes).toString('utf8')).toBe(plain);
  });

  it('never compresses an event stream', async () => {
    const h = await createEdgeHarness();
    const stream = await h.get(
      `/api/v1/document-status/${DEMO_DOCUMENT_IDS[1]}/events`,
      gzipAccepted,
    );
    expect(stream.headers.get('content-encoding')).toBeNull();
    await stream.body?.cancel();
  });

  it('is off where the runtime compresses (Workers, Deno): compress: false', async () => {
    const h = await createEdgeHarness({}, undefined, { compress: false });
    const res = await h.get(request, gzipAccepted);
    expect(res.headers.get('content-encoding')).toBeNull();
    expect(res.headers.get('vary') ?? '').not.toMatch(/Accept-Encoding/);
  });
});
