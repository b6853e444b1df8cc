// Event streams of the Node entry over raw sockets, where HTTP framing can be seen: the final
// chunk on shutdown, and no chunked encoding for an HTTP/1.0 client (RFC 9112 section 6.1).
import { type ChildProcess, spawn } from 'node:child_process';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { DEMO_DOCUMENT_IDS } from '@neurostatus/simulator';
import { afterEach, describe, expect, it } from 'vitest';

const appDir = fileURLToPath(new URL('..', import.meta.url));
const READY = /neurostatus edge listening on http:\/\/127\.0\.0\.1:(\d+)/;
/** Processing for 40 s: its stream stays open until something ends it. */
const PATH = `/api/v1/document-status/${DEMO_DOCUMENT_IDS[1]}/events`;
const TIMEOUT_MS = 15_000;

let child: ChildProcess | undefined;
afterEach(() => {
  child?.kill('SIGKILL');
  child = undefined;
});

/** Starts the Node entry on a free port with the embedded simulator; resolves with the port. */
function startNodeProxy(): Promise<number> {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) => !/^(NEUROLINKER_|EDGE_|HOST$|PORT$|NODE_OPTIONS$)/.test(name),
    ),
  );
  const started = spawn(process.execPath, ['--import', 'tsx', 'src/runtimes/node.ts'], {
    cwd: appDir,
    env: { ...env, HOST: '127.0.0.1', PORT: '0', EDGE_LOG: 'off' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child = started;
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready: ${output}`)), TIMEOUT_MS);
    started.once('exit', (code) => reject(new Error(`exited (${code}): ${output}`)));
    started.stderr?.on('data', (chunk: Buffer) => {
      output += chunk;
    });
    started.stdout?.on('data', (chunk: Buffer) => {
      output += chunk;
      const port = READY.exec(output)?.[1];
      if (port === undefined) return;
      clearTimeout(timer);
      resolve(Number(port));
    });
  });
}

/** Sends a raw request; `onData` sees all bytes so far; resolves with them when the server closes. */
function rawRequest(port: number, request: string, onData: (text: string) => void = () => {}) {
  return new Promise<string>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      text += chunk;
      onData(text);
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(text));
    socket.setTimeout(TIMEOUT_MS, () => socket.destroy(new Error(`no close: ${text}`)));
  });
}

describe('event streams on the Node entry', () => {
  it('end with the final chunk when the server shuts down', async () => {
    const port = await startNodeProxy();
    const exited = new Promise<number | null>((resolve) => child?.once('exit', resolve));
    const text = await rawRequest(
      port,
      `GET ${PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n`,
      (soFar) => {
        if (soFar.includes('event: status')) child?.kill('SIGTERM');
      },
    );
    expect(text).toMatch(/^HTTP\/1\.1 200/);
    expect(text.toLowerCase()).toContain('transfer-encoding: chunked');
    // The last chunk (RFC 9112 section 7.1): without it curl exits 18, Chromium fails the stream.
    expect(text.endsWith('\r\n0\r\n\r\n')).toBe(true);
    expect(text).not.toContain('event: end');
    expect(await exited).toBe(143);
  });

  it('send no Transfer-Encoding to an HTTP/1.0 client, and end by closing', async () => {
    const port = await startNodeProxy();
    const text = await rawRequest(
      port,
      `GET ${PATH} HTTP/1.0\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n`,
      (soFar) => {
        if (soFar.includes('event: status')) child?.kill('SIGTERM');
      },
    );
    const [head = '', body = ''] =
      text.split('\r\n\r\n', 2).length === 2
        ? [text.slice(0, text.indexOf('\r\n\r\n')), text.slice(text.indexOf('\r\n\r\n') + 4)]
        : [text, ''];
    expect(head).toMatch(/^HTTP\/1\.[01] 200/);
    expect(head.toLowerCase()).not.toContain('transfer-encoding');
    expect(head.toLowerCase()).not.toContain('connection: keep-alive');
    expect(body.startsWith('retry: 2000\n\n')).toBe(true);
  });
});
