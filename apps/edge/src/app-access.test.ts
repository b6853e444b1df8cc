import {
  DEMO_API_KEY,
  DEMO_DOCUMENT_IDS,
  DEMO_REQUEST_ID,
  SECOND_API_KEY,
} from '@neurostatus/simulator';
import { describe, expect, it } from 'vitest';
import { createEdge } from './create-edge.ts';
import type { LogRecord } from './log-record.ts';
import { mintStatusToken } from './status-token.ts';
import { createEdgeHarness, TEST_SECRET } from './test-support/edge-harness.ts';

const [DOCUMENT, OTHER_DOCUMENT] = DEMO_DOCUMENT_IDS;
const doc = (id: string) => `/api/v1/document-status/${id}`;
const bearer = (credential: string) => ({ authorization: `Bearer ${credential}` });

async function errorCode(response: Response): Promise<string> {
  return ((await response.json()) as { error: { code: string } }).error.code;
}

describe('ids are checked before anything else', () => {
  it.each([
    ['a path walk', '..%2f..%2ftasks'],
    ['an encoded dot-dot', 'x%2e%2ey'],
    ['a doubly encoded slash', 'a%252fb'],
    ['whitespace', 'a%20b'],
    ['a control character', 'a%00b'],
    ['a lone surrogate', '%ED%A0%80'],
    ['an overlong id', 'a'.repeat(129)],
  ])('refuses %s with 400 INVALID_ID, no upstream call and no credential check', async (_, id) => {
    const h = await createEdgeHarness({ EDGE_MODE: 'scoped-token' });
    for (const path of [doc(id), `/v1/request-status/${id}`, `${doc(id)}/events`]) {
      const res = await h.get(path);
      expect(res.status).toBe(400);
      expect(await errorCode(res)).toBe('INVALID_ID');
    }
    expect(h.upstreamCalls).toBe(0);
  });

  it('serves the same routes under /v1 as under /api/v1', async () => {
    const h = await createEdgeHarness();
    const a = await h.get(`/v1/document-status/${DOCUMENT}`);
    const b = await h.get(`/api/v1/document-status/${DOCUMENT}`);
    expect(await a.text()).toBe(await b.text());
    expect((await h.get(`/v1/request-status/${DEMO_REQUEST_ID}`)).status).toBe(200);
  });
});

describe('passthrough mode', () => {
  const passthrough = () => createEdgeHarness({ EDGE_MODE: 'passthrough' });

  it('refuses a request without a key with 401 and no upstream call', async () => {
    const h = await passthrough();
    for (const headers of [{}, { authorization: 'Basic abc' }, { authorization: 'Bearer' }]) {
      const res = await h.get(doc(DOCUMENT), headers);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="neurostatus-edge"');
      expect(await errorCode(res)).toBe('MISSING_CREDENTIALS');
    }
    expect(h.upstreamCalls).toBe(0);
  });

  it('reads the key after one or more spaces, and in any case of `Bearer` (RFC 9110 11.6.2)', async () => {
    const h = await passthrough();
    for (const scheme of ['Bearer  ', 'bearer ', 'BEARER   ']) {
      const res = await h.get(doc(DOCUMENT), { authorization: `${scheme}${DEMO_API_KEY}` });
      expect(res.status).toBe(200);
    }
  });

  it("passes the upstream's 401 for a wrong key through, and caches nothing for it", async () => {
    const h = await passthrough();
    const wrong = `nl_${'9'.repeat(32)}`;
    for (let i = 0; i < 2; i++) {
      const res = await h.get(doc(DOCUMENT), bearer(wrong));
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="neurostatus-edge"');
      expect(await errorCode(res)).toBe('UPSTREAM_UNAUTHORIZED');
    }
    expect(h.upstreamCalls).toBe(2);
  });

  it('keeps tenants apart: the same id, two keys, two cache entries and answers', async () => {
    const h = await passthrough();
    const own = await h.get(doc(DOCUMENT), bearer(DEMO_API_KEY));
    expect(own.status).toBe(200);
    expect(own.headers.get('vary')).toBe('Authorization, Accept-Encoding');
    // The demo documents belong to the demo account: the second tenant must not see them,
    // even though the first tenant's answer is in the cache.
    const other = await h.get(doc(DOCUMENT), bearer(SECOND_API_KEY));
    expect(other.status).toBe(404);
    expect(other.headers.get('cache-status')).toMatch(/fwd=miss/);
    expect((await h.get(doc(DOCUMENT), bearer(DEMO_API_KEY))).headers.get('cache-status')).toMatch(
      /; hit; /,
    );
    expect(h.upstreamCalls).toBe(2);
  });
});

describe('passthrough tenants and 429s', () => {
  it("never holds one tenant off because of another tenant's 429s", async () => {
    const h = await createEdgeHarness({ EDGE_MODE: 'passthrough' });
    h.simulator.setFault({ kind: 'status', status: 429, retryAfter: '50', times: 3 });
    for (const id of DEMO_DOCUMENT_IDS.slice(0, 3)) {
      expect((await h.get(doc(id), bearer(DEMO_API_KEY))).status).toBe(429);
    }
    // The demo tenant is now held off as a whole; the second tenant is not.
    expect((await h.get(doc(DEMO_DOCUMENT_IDS[3]), bearer(DEMO_API_KEY))).status).toBe(429);
    const other = await h.get(doc(DEMO_DOCUMENT_IDS[3]), bearer(SECOND_API_KEY));
    expect(other.status).toBe(404); // asked upstream: not its document
    expect(h.upstreamCalls).toBe(4);
  });
});

describe('scoped-token mode', () => {
  const scoped = () => createEdgeHarness({ EDGE_MODE: 'scoped-token' });
  const token = (options: {
    documentIds?: string[];
    requestIds?: string[];
    ttlSeconds?: number;
    secret?: string;
    now?: () => number;
  }) => mintStatusToken({ secret: TEST_SECRET, ...options });

  it('serves an id the token names, from the header or the access_token parameter', async () => {
    const h = await scoped();
    const t = await token({ documentIds: [DOCUMENT], requestIds: [DEMO_REQUEST_ID] });
    expect((await h.get(doc(DOCUMENT), bearer(t))).status).toBe(200);
    expect((await h.get(`${doc(DOCUMENT)}?access_token=${encodeURIComponent(t)}`)).status).toBe(
      200,
    );
    expect((await h.get(`/api/v1/request-status/${DEMO_REQUEST_ID}`, bearer(t))).status).toBe(200);
  });

  it('answers 403 for an id the token does not name, without asking upstream', async () => {
    const h = await scoped();
    const t = await token({ documentIds: [DOCUMENT] });
    const res = await h.get(doc(OTHER_DOCUMENT), bearer(t));
    expect(res.status).toBe(403);
    expect(await errorCode(res)).toBe('FORBIDDEN');
    // A document id does not open the request with the same id, nor the other way round.
    expect((await h.get(`/api/v1/request-status/${DOCUMENT}`, bearer(t))).status).toBe(403);
    expect(h.upstreamCalls).toBe(0);
  });

  it('answers 401 for a missing, forged, tampered or expired token, without asking upstream', async () => {
    const h = await scoped();
    const valid = await token({ documentIds: [DOCUMENT] });
    const [version, payload, signature] = valid.split('.');
    const forged = await token({
      documentIds: [DOCUMENT],
      secret: 'another-secret-0123456789abcdef01234',
    });
    const expired = await token({
      documentIds: [DOCUMENT],
      ttlSeconds: 1,
      now: () => h.clock.now() - 5_000,
    });
    const cases: [Record<string, string>, string][] = [
      [{}, 'MISSING_CREDENTIALS'],
      [bearer('not-a-token'), 'INVALID_TOKEN'],
      [bearer(forged), 'INVALID_TOKEN'],
      [bearer(`${version}.${payload}x.${signature}`), 'INVALID_TOKEN'],
      [bearer(expired), 'INVALID_TOKEN'],
    ];
    for (const [headers, code] of cases) {
      const res = await h.get(doc(DOCUMENT), headers);
      expect(res.status).toBe(401);
      expect(await errorCode(res)).toBe(code);
    }
    expect(h.upstreamCalls).toBe(0);
  });

  it("answers 502 when the upstream refuses the proxy's own key (the client is not at fault)", async () => {
    const h = await scoped();
    h.simulator.setFault({ kind: 'status', status: 401, times: 1 });
    const res = await h.get(doc(DOCUMENT), bearer(await token({ documentIds: [DOCUMENT] })));
    expect(res.status).toBe(502);
    expect(await errorCode(res)).toBe('UPSTREAM_CREDENTIALS_REJECTED');
  });
});

describe('per-client rate limit', () => {
  it('answers 429 with Retry-After past the burst, then lets the client in again', async () => {
    const h = await createEdgeHarness({
      EDGE_RATE_LIMIT_PER_SECOND: '2',
      EDGE_RATE_LIMIT_BURST: '3',
    });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await h.get(doc(DOCUMENT))).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const limited = await h.get(doc(DOCUMENT));
    expect(limited.headers.get('retry-after')).toBe('1');
    expect(await errorCode(limited)).toBe('RATE_LIMITED');
    h.clock.advance(500);
    expect((await h.get(doc(DOCUMENT))).status).toBe(200);
  });

  it('is off with EDGE_RATE_LIMIT_PER_SECOND=0', async () => {
    const h = await createEdgeHarness({ EDGE_RATE_LIMIT_PER_SECOND: '0' });
    for (let i = 0; i < 100; i++) expect((await h.get(doc(DOCUMENT))).status).toBe(200);
  });
});

describe('headers, errors and logs', () => {
  it('sends a request id on every response, keeping a well-formed incoming one', async () => {
    const h = await createEdgeHarness();
    for (const path of [doc(DOCUMENT), doc('x..y'), '/healthz', '/nope']) {
      expect((await h.get(path)).headers.get('x-request-id')).toMatch(/^[\w-]{8,}$/);
    }
    const echoed = await h.get(doc(DOCUMENT), { 'x-request-id': 'trace-123' });
    expect(echoed.headers.get('x-request-id')).toBe('trace-123');
    const replaced = await h.get(doc(DOCUMENT), { 'x-request-id': 'bad id!' });
    expect(replaced.headers.get('x-request-id')).not.toBe('bad id!');
  });

  it('sends secure headers', async () => {
    const h = await createEdgeHarness();
    const res = await h.get(doc(DOCUMENT));
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toBe(
      "default-src 'none'; frame-ancestors 'none'",
    );
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
  });

  it('sends the security headers and the request id once on every kind of answer', async () => {
    for (const env of [{}, { EDGE_CORS_ORIGINS: 'https://app.example.com' }]) {
      const h = await createEdgeHarness(env);
      const origin = { origin: 'https://app.example.com' };
      const miss = await h.get(doc(DOCUMENT), origin);
      const hit = await h.get(doc(DOCUMENT), origin);
      expect(hit.headers.get('cache-status')).toMatch(/; hit;/);
      const etag = hit.headers.get('etag') ?? '';
      const notModified = await h.get(doc(DOCUMENT), { ...origin, 'if-none-match': etag });
      expect(notModified.status).toBe(304);
      const answers = [
        miss,
        hit,
        notModified,
        await h.get(doc('x..y')),
        await h.get('/healthz'),
        await h.get('/nope'),
      ];
      for (const res of answers) {
        expect(res.headers.get('x-content-type-options')).toBe('nosniff');
        expect(res.headers.get('referrer-policy')).toBe('no-referrer');
        expect(res.headers.get('strict-transport-security')).toMatch(/^max-age=\d+/);
        expect(res.headers.get('cross-origin-resource-policy')).toBe(
          'EDGE_CORS_ORIGINS' in env ? 'cross-origin' : 'same-origin',
        );
        expect(res.headers.get('x-request-id')).toMatch(/^[\w-]{8,}$/);
      }
      if ('EDGE_CORS_ORIGINS' in env) {
        for (const res of [miss, hit, notModified]) {
          expect(res.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
        }
      }
    }
  });

  it('answers unknown routes and methods with a JSON 404', async () => {
    const h = await createEdgeHarness();
    const res = await h.get('/api/v1/extract');
    expect(res.status).toBe(404);
    expect(await errorCode(res)).toBe('ROUTE_NOT_FOUND');
    const post = await h.app.request(doc(DOCUMENT), { method: 'POST' });
    expect(post.status).toBe(404);
  });

  it('allows CORS only for listed origins (none by default)', async () => {
    const closed = await createEdgeHarness();
    const origin = { origin: 'https://app.example.com' };
    expect(
      (await closed.get(doc(DOCUMENT), origin)).headers.get('access-control-allow-origin'),
    ).toBeNull();
    const open = await createEdgeHarness({ EDGE_CORS_ORIGINS: 'https://app.example.com' });
    const allowed = await open.get(doc(DOCUMENT), origin);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(allowed.headers.get('access-control-expose-headers')).toMatch(/Cache-Status/);
    // Every header a status answer can carry that is not CORS-safelisted, stale marker included.
    const exposed = (allowed.headers.get('access-control-expose-headers') ?? '').toLowerCase();
    for (const name of ['etag', 'age', 'cache-status', 'retry-after', 'x-neurostatus-stale']) {
      expect(exposed.split(/,\s*/)).toContain(name);
    }
    const other = await open.get(doc(DOCUMENT), { origin: 'https://evil.example' });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await open.app.request(doc(DOCUMENT), {
      method: 'OPTIONS',
      headers: {
        ...origin,
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'authorization',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
  });

  it('logs one line per request with no key, token, query string or Authorization header', async () => {
    const h = await createEdgeHarness({ EDGE_MODE: 'passthrough' });
    const secretToken = 'v1.c2VjcmV0LXRva2Vu.c2lnbmF0dXJl';
    await h.get(doc(DOCUMENT), bearer(DEMO_API_KEY));
    await h.get(doc(DOCUMENT), bearer(`nl_${'9'.repeat(32)}`));
    await h.get(`${doc(DOCUMENT)}?access_token=${secretToken}`);
    await h.get(doc('x..y'), bearer(DEMO_API_KEY));
    expect(h.logs).toHaveLength(4);
    const text = JSON.stringify(h.logs);
    for (const secret of [
      DEMO_API_KEY,
      `nl_${'9'.repeat(32)}`,
      secretToken,
      TEST_SECRET,
      'access_token',
      'Bearer',
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(h.logs[0]).toMatchObject({
      level: 'info',
      msg: 'request',
      method: 'GET',
      route: '/api/v1/document-status/:id',
      status: 200,
      cache: 'miss',
    });
    expect(h.logs[0]?.tenant).toMatch(/^[\w-]{12}$/);
    expect(h.logs[3]).toMatchObject({ level: 'warn', status: 400 });
  });
});

describe('fresh hits answered without middleware (the shortcut)', () => {
  it('logs and counts a hit as the full app does, and takes one rate-limit token per request', async () => {
    const h = await createEdgeHarness({
      EDGE_MODE: 'passthrough',
      EDGE_RATE_LIMIT_PER_SECOND: '1',
      EDGE_RATE_LIMIT_BURST: '3',
    });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++)
      statuses.push((await h.get(doc(DOCUMENT), bearer(DEMO_API_KEY))).status);
    // A miss, two hits, then the bucket (3, frozen clock) is empty: no request counted twice.
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(h.logs.map((record) => record.cache)).toEqual(['miss', 'hit', 'hit', undefined]);
    expect(h.logs[1]).toMatchObject({
      route: '/api/v1/document-status/:id',
      status: 200,
      tenant: h.logs[0]?.tenant,
    });
    const text = await (await h.get('/metrics')).text();
    expect(text).toContain('neurostatus_edge_cache_results_total{result="hit"} 2');
    expect(text).toContain(
      'neurostatus_edge_requests_total{route="/api/v1/document-status/:id",status="429"} 1',
    );
  });

  it('answers a hit with the same headers as the full app does (CORS on takes the full app)', async () => {
    const names = async (env: Record<string, string>) => {
      const h = await createEdgeHarness(env);
      await h.get(doc(DOCUMENT));
      const hit = await h.get(doc(DOCUMENT));
      expect(hit.headers.get('cache-status')).toMatch(/; hit;/);
      // CORS adds its own headers and `Vary: Origin`.
      return [...hit.headers.keys()]
        .filter((name) => !name.startsWith('access-control-') && name !== 'vary')
        .sort();
    };
    expect(await names({})).toEqual(await names({ EDGE_CORS_ORIGINS: 'https://a.example' }));
  });
});

describe('health, metrics and OpenAPI', () => {
  it('answers /healthz', async () => {
    const h = await createEdgeHarness();
    const res = await h.get('/healthz');
    expect(await res.json()).toEqual({ status: 'ok', mode: 'open', upstream: 'api' });
  });

  it('counts requests, cache results and upstream calls in Prometheus format', async () => {
    const h = await createEdgeHarness();
    await h.get(doc(DOCUMENT));
    await h.get(doc(DOCUMENT));
    await h.get(doc('x..y'));
    const res = await h.get('/metrics');
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await res.text();
    expect(text).toContain(
      'neurostatus_edge_requests_total{route="/api/v1/document-status/:id",status="200"} 2',
    );
    expect(text).toContain(
      'neurostatus_edge_requests_total{route="/api/v1/document-status/:id",status="400"} 1',
    );
    expect(text).toContain('neurostatus_edge_cache_results_total{result="miss"} 1');
    expect(text).toContain('neurostatus_edge_cache_results_total{result="hit"} 1');
    expect(text).toContain(
      'neurostatus_edge_upstream_requests_total{kind="document",status="200"} 1',
    );
    expect(text).toMatch(/neurostatus_edge_upstream_duration_seconds_count\{kind="document"\} 1/);
    expect(text).toContain('neurostatus_edge_event_streams 0');
    expect(text).not.toContain(DOCUMENT);
  });

  it.each(['..', '%2e%2e', '%2E%2e'])(
    'answers an id of %s with 404 ROUTE_NOT_FOUND (URL normalization), nothing upstream',
    async (id) => {
      const h = await createEdgeHarness();
      const res = await h.get(`/api/v1/document-status/${id}`);
      expect(res.status).toBe(404);
      expect((await res.json()).error.code).toBe('ROUTE_NOT_FOUND');
      expect(h.upstreamCalls).toBe(0);
    },
  );

  it('describes every route in /openapi.json from the valibot schemas', async () => {
    const h = await createEdgeHarness();
    const spec = (await (await h.get('/openapi.json')).json()) as {
      openapi: string;
      paths: Record<
        string,
        { get: { responses: Record<string, { content?: Record<string, { schema: unknown }> }> } }
      >;
    };
    expect(spec.openapi).toBe('3.1.0');
    for (const prefix of ['/api/v1', '/v1']) {
      for (const path of [
        'document-status/{id}',
        'request-status/{id}',
        'document-status/{id}/events',
      ]) {
        expect(spec.paths[`${prefix}/${path}`]?.get.responses['200']).toBeDefined();
      }
    }
    const ref = spec.paths['/api/v1/document-status/{id}']?.get.responses['200']?.content?.[
      'application/json'
    ]?.schema as { $ref: string };
    // A named schema (generated types get a name), resolved from components.
    expect(ref.$ref).toBe('#/components/schemas/DocumentStatus');
    const schema = (
      spec as unknown as {
        components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
      }
    ).components.schemas.DocumentStatus;
    expect(Object.keys(schema?.properties ?? {})).toEqual(
      expect.arrayContaining(['document_id', 'status', 'results']),
    );
  });
});

describe('upstream refusals, by mode', () => {
  it.each([
    [402, 'passthrough', 402, 'UPSTREAM_PAYMENT_REQUIRED'],
    [403, 'passthrough', 403, 'UPSTREAM_FORBIDDEN'],
    [402, 'open', 502, 'UPSTREAM_CREDENTIALS_REJECTED'],
    [403, 'open', 502, 'UPSTREAM_CREDENTIALS_REJECTED'],
  ] as const)('maps an upstream %i in %s mode to %i %s', async (upstream, mode, status, code) => {
    const h = await createEdgeHarness({ EDGE_MODE: mode });
    h.simulator.setFault({ kind: 'status', status: upstream, times: 1 });
    const res = await h.get(doc(DOCUMENT), bearer(DEMO_API_KEY));
    expect(res.status).toBe(status);
    expect(await errorCode(res)).toBe(code);
  });

  it('refuses a passthrough "key" longer than 256 characters without asking upstream', async () => {
    const h = await createEdgeHarness({ EDGE_MODE: 'passthrough' });
    const res = await h.get(doc(DOCUMENT), bearer(`nl_${'x'.repeat(300)}`));
    expect(res.status).toBe(401);
    expect(await errorCode(res)).toBe('INVALID_CREDENTIALS');
    expect(h.upstreamCalls).toBe(0);
  });
});

describe('a bug in the proxy', () => {
  it('answers 500 INTERNAL_ERROR and logs the error class only, never its message', async () => {
    const logs: LogRecord[] = [];
    const { app } = await createEdge(
      {
        NEUROLINKER_BASE_URL: 'http://simulator.test/api/v1',
        NEUROLINKER_API_KEY: DEMO_API_KEY,
        EDGE_MODE: 'open',
        EDGE_ALLOW_OPEN: 'true',
      },
      {
        log: (record) => logs.push(record),
        clientAddress: () => {
          throw new RangeError(`a message quoting ${DEMO_API_KEY}`);
        },
      },
    );
    const res = await app.request(doc(DOCUMENT));
    expect(res.status).toBe(500);
    expect(await errorCode(res)).toBe('INTERNAL_ERROR');
    expect(logs.find((record) => record.msg === 'unhandled error')).toMatchObject({
      level: 'error',
      error: 'RangeError',
    });
    expect(JSON.stringify(logs)).not.toContain(DEMO_API_KEY);
  });
});
