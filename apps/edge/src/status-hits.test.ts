import {
  DEMO_API_KEY,
  DEMO_DOCUMENT_IDS,
  DEMO_REQUEST_ID,
  DOCUMENTED_EXAMPLE,
  SECOND_API_KEY,
} from '@neurostatus/simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EdgeEnv } from './config.ts';
import { createEdge } from './create-edge.ts';
import { createFleetStore } from './fleet-store.ts';
import type { LogRecord } from './log-record.ts';
import { createMemoryStore } from './memory-store.ts';
import { connectRedis, type FleetConnection } from './redis-connection.ts';
import type { ResponseHeaderForm } from './request-context.ts';
import type { StatusStore } from './status-store.ts';
import { mintStatusToken } from './status-token.ts';
import { createEdgeHarness, type EdgeHarness, TEST_SECRET } from './test-support/edge-harness.ts';
import { startRedisServer, type TestRedisServer } from './test-support/redis-server.ts';

const [DOCUMENT] = DEMO_DOCUMENT_IDS;
const UNKNOWN_DOCUMENT = '00000000-0000-4000-8000-000000000000';
const MODES = ['open', 'passthrough', 'scoped-token'] as const;
type Mode = (typeof MODES)[number];

type StoreKind = 'memory' | 'fleet';

let redis: FleetConnection | undefined;
let redisServer: TestRedisServer | undefined;
let prefixes = 0;

/** A store that counts reads through `get`; with `peek` (the shortcut is on) or without. */
function countedStore(kind: StoreKind, now: () => number, peek: boolean) {
  const inner =
    kind === 'memory'
      ? createMemoryStore({ now })
      : // Each proxy of a pair on its own keys: the two must not share entries.
        createFleetStore({ redis: redis as FleetConnection, now, prefix: `hits-${prefixes++}:` });
  const counter = { gets: 0 };
  const store: StatusStore = {
    get: (key) => {
      counter.gets++;
      return inner.get(key);
    },
    set: (key, entry) => inner.set(key, entry),
    delete: (key) => inner.delete(key),
    ...(peek ? { peek: (key: string) => inner.peek?.(key) } : {}),
  };
  return { store, counter };
}

/** One proxy of a pair: the same configuration, with the shortcut in front or not. */
async function proxy(
  env: EdgeEnv,
  compress: boolean,
  kind: StoreKind,
  shortcut: boolean,
  responseHeaders: ResponseHeaderForm = 'record',
) {
  let counter = { gets: 0 };
  const h = await createEdgeHarness(env, undefined, {
    compress,
    responseHeaders,
    store: (clock) => {
      const counted = countedStore(kind, () => clock.now(), shortcut);
      counter = counted.counter;
      return counted.store;
    },
  });
  return { h, gets: () => counter.gets };
}

/** Everything a client sees of an answer, with an unasked-for request id reduced to its shape. */
async function seen(res: Response, askedId: boolean) {
  const headers = Object.fromEntries(res.headers);
  if (!askedId) {
    expect(headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    headers['x-request-id'] = '(generated)';
  }
  return {
    status: res.status,
    headers,
    body: Buffer.from(await res.arrayBuffer()).toString('base64'),
  };
}

/** A request of the table: headers, and whether the shortcut should answer it by itself. */
interface Step {
  readonly name: string;
  readonly path: string;
  /** `GET` unless given. */
  readonly method?: string;
  readonly headers: Record<string, string>;
  /** Whether the shortcut knows the credential without a promise (else the full app answers). */
  readonly known: boolean;
  /** A request no status route takes (neither path reads the store). */
  readonly routeless?: boolean;
  /** Virtual ms to let pass before it. */
  readonly advanceMs?: number;
}

async function credentialOf(mode: Mode): Promise<Record<string, string>> {
  if (mode === 'open') return {};
  if (mode === 'passthrough') return { authorization: `Bearer ${DEMO_API_KEY}` };
  const token = await mintStatusToken({
    secret: TEST_SECRET,
    documentIds: [DOCUMENT as string, UNKNOWN_DOCUMENT],
    requestIds: [DEMO_REQUEST_ID],
  });
  return { authorization: `Bearer ${token}` };
}

/**
 * The requests each pair answers, in order: the cache is warmed by the first of each path, then
 * hits are asked every way a client asks (encodings, validators in both forms, request ids,
 * prefixes, other credentials), then time passes until the entry is stale. `etag` is the strong
 * ETag of the path's body, read from the full app's first answer.
 */
function steps(mode: Mode, path: string, credential: Record<string, string>, etag: string): Step[] {
  const id = (n: number) => ({ 'x-request-id': `req-${n}` });
  const bearer = credential.authorization?.replace(/^Bearer /, '') ?? 'none';
  const lastId = path.slice(path.lastIndexOf('/') + 1);
  const gzip = { 'accept-encoding': 'gzip, deflate, br' };
  // Scoped tokens are verified (a promise) on every request: the full app answers them all.
  const known = mode !== 'scoped-token';
  const other: Step[] =
    mode === 'passthrough'
      ? [
          // A key not seen before: its HMAC is a promise, so the full app answers (a miss for
          // that tenant); the second time it is known, and a hit.
          {
            name: 'other key, first',
            path,
            headers: { authorization: `Bearer ${SECOND_API_KEY}`, ...id(20) },
            known: false,
          },
          {
            name: 'other key, again',
            path,
            headers: { authorization: `Bearer ${SECOND_API_KEY}`, ...id(21) },
            known,
          },
        ]
      : [];
  return [
    { name: 'plain hit', path, headers: { ...credential, ...id(2) }, known },
    { name: 'gzip accepted', path, headers: { ...credential, ...gzip, ...id(3) }, known },
    {
      name: 'gzip refused (q=0)',
      path,
      headers: { ...credential, 'accept-encoding': 'gzip;q=0, *', ...id(4) },
      known,
    },
    {
      name: 'br only',
      path,
      headers: { ...credential, 'accept-encoding': 'br', ...id(5) },
      known,
    },
    {
      name: 'strong ETag',
      path,
      headers: { ...credential, 'if-none-match': etag, ...id(6) },
      known,
    },
    {
      name: 'weak ETag, gzip accepted',
      path,
      headers: { ...credential, ...gzip, 'if-none-match': `W/${etag}`, ...id(7) },
      known,
    },
    {
      name: 'strong ETag, gzip accepted',
      path,
      headers: { ...credential, ...gzip, 'if-none-match': etag, ...id(8) },
      known,
    },
    {
      name: 'weak ETag, plain',
      path,
      headers: { ...credential, 'if-none-match': `W/${etag}`, ...id(9) },
      known,
    },
    {
      name: 'ETag of something else',
      path,
      headers: { ...credential, 'if-none-match': '"other"', ...id(10) },
      known,
    },
    { name: 'no request id', path, headers: { ...credential }, known },
    {
      name: 'a request id that is not one',
      path,
      headers: { ...credential, 'x-request-id': 'bad id!' },
      known,
    },
    {
      name: 'a second later (Age 1)',
      path,
      headers: { ...credential, ...gzip, ...id(11) },
      known,
      advanceMs: 1_000,
    },
    {
      name: 'under /v1',
      path: path.replace('/api/v1/', '/v1/'),
      headers: { ...credential, ...id(12) },
      known,
    },
    {
      name: 'another client',
      path,
      headers: { ...credential, 'x-test-client': 'second', ...id(13) },
      known,
    },
    { name: 'HEAD', path, method: 'HEAD', headers: { ...credential, ...id(16) }, known },
    {
      name: 'HEAD, strong ETag, gzip accepted',
      path,
      method: 'HEAD',
      headers: { ...credential, ...gzip, 'if-none-match': etag, ...id(17) },
      known,
    },
    { name: 'a query string', path: `${path}?x=1`, headers: { ...credential, ...id(18) }, known },
    {
      // Read only without an Authorization header: a token for EventSource-style clients.
      name: 'access_token in the query',
      path: `${path}?access_token=${encodeURIComponent(bearer)}`,
      headers: { ...id(19) },
      known: mode === 'open',
    },
    {
      // Hono decodes a path with `%`: the full app answers it (the same id, a hit).
      name: 'percent-encoded id',
      path: `${path.slice(0, -lastId.length)}${lastId.replace('-', '%2D')}`,
      headers: { ...credential, ...id(22) },
      known: false,
    },
    {
      name: 'a trailing slash (no route)',
      path: `${path}/`,
      headers: { ...credential, ...id(23) },
      known: false,
      routeless: true,
    },
    {
      name: 'POST (no route)',
      path,
      method: 'POST',
      headers: { ...credential, ...id(24) },
      known: false,
      routeless: true,
    },
    ...other,
    {
      name: 'no credentials',
      path,
      headers: { ...id(14) },
      known: mode === 'open',
    },
    {
      name: 'two hours later (fresh only if terminal)',
      path,
      headers: { ...credential, ...gzip, ...id(15) },
      known,
      advanceMs: 2 * 60 * 60 * 1_000,
    },
  ];
}

/** The log records, with generated request ids reduced to their shape. */
function logsOf(h: EdgeHarness): LogRecord[] {
  return h.logs.map((record) =>
    /^req-\d+$/.test(String(record.requestId)) ? record : { ...record, requestId: '(generated)' },
  );
}

const paths = [
  ['a small document status (never gzipped)', `/api/v1/document-status/${DOCUMENT}`],
  ['a large request status (gzipped)', `/api/v1/request-status/${DEMO_REQUEST_ID}`],
  ['a not-found status (404, cached)', `/api/v1/document-status/${UNKNOWN_DOCUMENT}`],
] as const;

const table = [
  ...MODES.flatMap((mode) =>
    [true, false].flatMap((compress) =>
      [false, true].flatMap((tightLimit) =>
        paths.map(([what, path]) => ({
          store: 'memory' as const,
          mode,
          compress,
          tightLimit,
          headers: 'record' as ResponseHeaderForm,
          what,
          path,
        })),
      ),
    ),
  ),
  // Fleet mode's store: the shortcut reads its in-process tier (`peek`), Redis behind it.
  ...MODES.flatMap((mode) =>
    paths.map(([what, path]) => ({
      store: 'fleet' as const,
      mode,
      compress: true,
      tightLimit: false,
      headers: 'record' as ResponseHeaderForm,
      what,
      path,
    })),
  ),
  // What the Bun entry passes: the headers in a `Headers` object copied from a template.
  ...MODES.flatMap((mode) =>
    [false, true].flatMap((tightLimit) =>
      paths.map(([what, path]) => ({
        store: 'memory' as const,
        mode,
        compress: true,
        tightLimit,
        headers: 'headers' as ResponseHeaderForm,
        what,
        path,
      })),
    ),
  ),
];

beforeAll(async () => {
  redisServer = await startRedisServer();
  redis = await connectRedis({ url: redisServer.url, log: () => {} });
});
afterAll(async () => {
  await redis?.close();
  await redisServer?.stop();
});

describe('the hit shortcut and the full app answer alike', () => {
  it.each(table)(
    '$store store, $mode, compress $compress, tight rate limit $tightLimit, $headers headers: $what',
    async ({ store, mode, compress, tightLimit, headers, path }) => {
      const env: EdgeEnv = {
        EDGE_MODE: mode,
        ...(tightLimit ? { EDGE_RATE_LIMIT_PER_SECOND: '1', EDGE_RATE_LIMIT_BURST: '8' } : {}),
      };
      const fast = await proxy(env, compress, store, true, headers);
      const full = await proxy(env, compress, store, false);
      const credential = await credentialOf(mode);
      const warm = await seen(await full.h.get(path, credential), false);
      expect(await seen(await fast.h.get(path, credential), false)).toEqual(warm);
      const etag = warm.headers.etag ?? '';
      expect(etag).toMatch(/^"/);
      let answeredByShortcut = 0;
      for (const step of steps(mode, path, credential, etag)) {
        if (step.advanceMs !== undefined) {
          await fast.h.clock.advance(step.advanceMs);
          await full.h.clock.advance(step.advanceMs);
        }
        const gets = fast.gets();
        const askedId = /^req-\d+$/.test(step.headers['x-request-id'] ?? '');
        const init = { method: step.method ?? 'GET', headers: step.headers };
        const expected = await seen(await full.h.app.request(step.path, init), askedId);
        const actual = await seen(await fast.h.app.request(step.path, init), askedId);
        expect({ step: step.name, ...actual }).toEqual({ step: step.name, ...expected });
        // The shortcut answers a fresh hit for a credential it knows, and the rate limit's
        // refusal on the way; refusals of credentials never reach the cache on either path.
        const freshHit = /; hit; ttl=\d+$/.test(expected.headers['cache-status'] ?? '');
        const withoutStore =
          step.routeless === true ||
          [401, 403, 429].includes(expected.status) ||
          (step.known && freshHit);
        expect({ step: step.name, withoutStore: fast.gets() === gets }).toEqual({
          step: step.name,
          withoutStore,
        });
        if (step.known && freshHit) answeredByShortcut++;
      }
      if (mode !== 'scoped-token') expect(answeredByShortcut).toBeGreaterThan(5);
      expect(logsOf(fast.h)).toEqual(logsOf(full.h));
      expect(await (await fast.h.get('/metrics')).text()).toBe(
        await (await full.h.get('/metrics')).text(),
      );
    },
  );
});

describe('the rate limit tells clients apart by what the runtime passes to fetch', () => {
  it('gives the client address function the request and the env, on the fast path too', async () => {
    const envs: unknown[] = [];
    const edge = await createEdge(
      {
        EDGE_MODE: 'open',
        EDGE_ALLOW_OPEN: 'true',
        EDGE_LOG: 'off',
        EDGE_RATE_LIMIT_PER_SECOND: '1',
        EDGE_RATE_LIMIT_BURST: '2',
      },
      {
        clientAddress: (request, env) => {
          envs.push(env);
          expect(request.url).toContain('/document-status/');
          return (env as { address: string }).address;
        },
      },
    );
    const url = `http://proxy.test/api/v1/document-status/${DOCUMENTED_EXAMPLE.document_id}`;
    const statuses = [];
    // A miss (the full app), then hits (the fast path): the third is over the first client's burst.
    for (const address of ['a', 'a', 'a', 'b']) {
      const res = await edge.app.fetch(new Request(url), { address });
      statuses.push([res.status, res.headers.get('cache-status')?.split(';')[1]?.trim()]);
    }
    edge.close();
    expect(statuses).toEqual([
      [200, 'fwd=miss'],
      [200, 'hit'],
      [429, undefined],
      [200, 'hit'],
    ]);
    expect(envs).toEqual([{ address: 'a' }, { address: 'a' }, { address: 'a' }, { address: 'b' }]);
  });
});
