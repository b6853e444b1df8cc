import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DOCUMENTED_EXAMPLE } from '@neurostatus/simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNeurolinkerClient } from './client.ts';
import { TimeoutError } from './errors.ts';

const ID = DOCUMENTED_EXAMPLE.document_id;
const TIMEOUT_MS = 300;

// Vitest runs core's tests with `--expose-gc` (vitest.config.ts).
const gc = (globalThis as { gc?: () => void }).gc;

let server: Server;
let baseUrl: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    // `/silent/...`: not even headers. Anything else: headers and the first bytes of the body,
    // then nothing. Either way the connection stays open.
    if (request.url?.includes('/silent/')) return;
    response.writeHead(200, { 'content-type': 'application/json' });
    response.write('{"document_id":');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** Calls the stalling server with forced collections running, and returns how the call ended. */
async function callWhileCollecting(path: string) {
  const client = createNeurolinkerClient({
    apiKey: 'nl_test',
    baseUrl: `${baseUrl}${path}`,
    timeoutMs: TIMEOUT_MS,
    retry: false,
  });
  const call = client.getDocumentStatus(ID);
  // Collect garbage repeatedly while the answer stalls, as a busy process would.
  const collector = setInterval(() => gc?.(), 10);
  try {
    // Generous slack over the attempt timeout: a hung call never settles at all.
    return await settledWithin(call, TIMEOUT_MS * 10);
  } finally {
    clearInterval(collector);
  }
}

/** Settles with what `promise` did, or with 'hung' when it has not settled after `ms`. */
function settledWithin(promise: Promise<unknown>, ms: number) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hung = new Promise<'hung'>((resolve) => {
    timer = setTimeout(() => resolve('hung'), ms);
  });
  return Promise.race([
    promise.then(
      () => 'resolved',
      (error: unknown) => error,
    ),
    hung,
  ]).finally(() => clearTimeout(timer));
}

describe('a body that stalls after the headers (issue 9)', () => {
  it('has garbage collection available to the test', () => {
    expect(gc).toBeTypeOf('function');
  });

  it('ends the read with a TimeoutError at the attempt timeout, even across garbage collections', async () => {
    const outcome = await callWhileCollecting('/api/v1');
    expect(outcome).toBeInstanceOf(TimeoutError);
    expect(outcome).toMatchObject({ code: 'TIMEOUT', timeoutMs: TIMEOUT_MS, attempts: 1 });
  });

  it('ends a wait for headers that never come the same way', async () => {
    const outcome = await callWhileCollecting('/silent/api/v1');
    expect(outcome).toBeInstanceOf(TimeoutError);
    expect(outcome).toMatchObject({ code: 'TIMEOUT', timeoutMs: TIMEOUT_MS, attempts: 1 });
  });
});
