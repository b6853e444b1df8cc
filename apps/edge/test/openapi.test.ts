// The OpenAPI document, as each tenancy mode serves it: linted by Redocly with its recommended
// rules, and checked for what generated clients need (named schemas, headers, security, every route).
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DocumentStatusSchema } from '@neurostatus/core';
import { DEMO_API_KEY, DEMO_DOCUMENT_IDS } from '@neurostatus/simulator';
import { resolver } from 'hono-openapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEdgeHarness } from '../src/test-support/edge-harness.ts';

const appDir = fileURLToPath(new URL('..', import.meta.url));
const REDOCLY = join(appDir, 'node_modules', '@redocly', 'cli', 'bin', 'cli.js');
const MODES = ['passthrough', 'scoped-token', 'open'] as const;
type Mode = (typeof MODES)[number];

// biome-ignore lint/suspicious/noExplicitAny: a parsed JSON document, walked by the assertions.
type Doc = any;
const documents = {} as Record<Mode, Doc>;
let workDir: string;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'edge-openapi-'));
  for (const mode of MODES) {
    const h = await createEdgeHarness({ EDGE_MODE: mode });
    const res = await h.get('/openapi.json');
    expect(res.status).toBe(200);
    documents[mode] = await res.json();
  }
});
afterAll(() => rm(workDir, { recursive: true, force: true }));

describe('the OpenAPI document', () => {
  it('passes `redocly lint` with the recommended rules, without a warning, in every mode', async () => {
    const run = promisify(execFile);
    for (const mode of MODES) {
      const file = join(workDir, `${mode}.json`);
      await writeFile(file, JSON.stringify(documents[mode]));
      const result = await run(
        process.execPath,
        [REDOCLY, 'lint', '--extends=recommended', '--format=json', file],
        {
          env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
          timeout: 60_000,
        },
      ).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
      const report = JSON.parse(result.stdout) as {
        totals: { errors: number; warnings: number };
        problems: { ruleId: string; message: string; location: { pointer: string }[] }[];
      };
      const problems = report.problems.map(
        (problem) =>
          `${mode} ${problem.location[0]?.pointer}: ${problem.ruleId}: ${problem.message}`,
      );
      expect(problems).toEqual([]);
      expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
    }
  }, 90_000);

  it('names its schemas in components, generated from the valibot schemas, and refers to them', async () => {
    const doc = documents.passthrough;
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining(['DocumentStatus', 'RequestStatus', 'ErrorBody']),
    );
    expect(doc.components.schemas.DocumentStatus).toEqual(
      (await resolver(DocumentStatusSchema).toOpenAPISchema()).schema,
    );
    const get = doc.paths['/api/v1/document-status/{id}'].get;
    expect(get.responses['200'].content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/DocumentStatus',
    });
    expect(get.responses['404'].content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/ErrorBody',
    });
  });

  it('documents the response headers, a server, and declares every tag it uses', () => {
    const doc = documents.passthrough;
    const ok = doc.paths['/api/v1/document-status/{id}'].get.responses['200'];
    for (const name of ['ETag', 'Cache-Control', 'Age', 'Cache-Status', 'X-Neurostatus-Stale']) {
      expect(ok.headers[name]).toBeDefined();
    }
    const limited = doc.paths['/api/v1/document-status/{id}'].get.responses['429'];
    expect(limited.headers['Retry-After']).toBeDefined();
    expect(doc.servers.length).toBeGreaterThan(0);
    const declared = new Set(doc.tags.map((tag: { name: string }) => tag.name));
    for (const path of Object.values(doc.paths) as Doc[]) {
      for (const operation of Object.values(path) as Doc[]) {
        for (const tag of operation.tags ?? []) expect(declared).toContain(tag);
      }
    }
  });

  it('documents 402 where the client key pays (passthrough) and not where the proxy key does', () => {
    const passthrough = documents.passthrough.paths['/api/v1/document-status/{id}'].get;
    expect(passthrough.responses['402'].description).toMatch(/UPSTREAM_PAYMENT_REQUIRED/);
    expect(
      documents.open.paths['/api/v1/document-status/{id}'].get.responses['402'],
    ).toBeUndefined();
  });

  it('shows the security each mode asks for: none when open, a bearer or access_token when scoped', () => {
    expect(documents.open.security ?? []).toEqual([]);
    expect(documents.open.components.securitySchemes ?? {}).toEqual({});
    expect(documents.passthrough.security).toEqual([{ bearer: [] }]);
    const scoped = documents['scoped-token'];
    expect(scoped.security).toEqual([{ bearer: [] }, { accessToken: [] }]);
    expect(scoped.components.securitySchemes.accessToken).toMatchObject({
      type: 'apiKey',
      in: 'query',
      name: 'access_token',
    });
  });

  it('declares every status and every named header the proxy really sends, per operation', async () => {
    const doc = documents.passthrough;
    const named = new Map(
      Object.keys(doc.components.headers).map((name) => [name.toLowerCase(), name]),
    );
    const h = await createEdgeHarness({ EDGE_MODE: 'passthrough' });
    const auth = { authorization: `Bearer ${DEMO_API_KEY}` };
    const gzip = { 'accept-encoding': 'gzip' };
    const status = `/api/v1/document-status/${DEMO_DOCUMENT_IDS[0]}`;
    const first = await h.get(status, { ...auth, ...gzip });
    const cases: [string, string, string, Response][] = [
      ['get', '/api/v1/document-status/{id}', status, first],
      [
        'get',
        '/api/v1/document-status/{id}',
        status,
        await h.get(status, { ...auth, 'if-none-match': first.headers.get('etag') ?? '' }),
      ],
      ['get', '/api/v1/document-status/{id}', 'unknown', await h.get(`${status}0`, auth)],
      ['get', '/api/v1/document-status/{id}', 'no key', await h.get(status)],
      [
        'get',
        '/api/v1/document-status/{id}',
        'bad id',
        await h.get('/api/v1/document-status/a%20b', auth),
      ],
      [
        'head',
        '/api/v1/document-status/{id}/events',
        'events',
        await h.app.request(`${status}/events`, { method: 'HEAD', headers: auth }),
      ],
      ['get', '/healthz', '', await h.get('/healthz')],
      ['get', '/metrics', '', await h.get('/metrics')],
      ['get', '/openapi.json', '', await h.get('/openapi.json', gzip)],
    ];
    const problems: string[] = [];
    for (const [method, template, label, response] of cases) {
      const declared = doc.paths[template][method].responses[String(response.status)];
      if (declared === undefined) {
        problems.push(`${method} ${template} (${label}): ${response.status} not declared`);
        continue;
      }
      for (const [header] of response.headers) {
        const name = named.get(header);
        if (name !== undefined && declared.headers?.[name] === undefined) {
          problems.push(`${method} ${template} ${response.status}: ${name} not declared`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('declares Last-Event-ID on event streams, and access_token as a parameter where tokens are used', () => {
    const events = (mode: Mode) => documents[mode].paths['/api/v1/request-status/{id}/events'].get;
    const names = (operation: Doc) => operation.parameters.map((p: { name: string }) => p.name);
    expect(names(events('open'))).toContain('Last-Event-ID');
    expect(names(events('open'))).not.toContain('access_token');
    expect(names(events('scoped-token'))).toEqual(
      expect.arrayContaining(['Last-Event-ID', 'access_token']),
    );
    expect(names(documents['scoped-token'].paths['/api/v1/document-status/{id}'].get)).toContain(
      'access_token',
    );
  });

  it('describes /healthz, /metrics and HEAD', () => {
    const doc = documents.passthrough;
    expect(doc.paths['/healthz'].get.security).toEqual([]);
    expect(doc.paths['/metrics'].get.responses['200'].content['text/plain']).toBeDefined();
    for (const path of ['/api/v1/document-status/{id}', '/api/v1/request-status/{id}/events']) {
      expect(doc.paths[path].head.responses['200']).toBeDefined();
    }
  });
});
