// The proxy on Bun: `pnpm start:bun` (`bun src/runtimes/bun.ts`; Bun runs the TypeScript itself).
// Configuration: environment variables.
import { writeSync } from 'node:fs';
import { ConfigError } from '../config.ts';
import { createEdge, type EdgeInstance } from '../create-edge.ts';
import { connectRedis } from '../redis-connection.ts';
import { startupBanner } from '../startup-banner.ts';

/** The part of Bun's server this entry uses, declared here since the repo carries no `@types/bun`. */
interface BunServer {
  readonly url: URL;
  /** The peer of the connection a request came on; `null` once it is closed. */
  requestIP(request: Request): { readonly address: string } | null;
  /** Overrides `idleTimeout` for one request's connection; 0 turns it off. */
  timeout(request: Request, seconds: number): void;
  /** Stops listening; with `true`, also closes the connections still open. */
  stop(closeActiveConnections?: boolean): Promise<void>;
}

declare const Bun: {
  readonly version: string;
  serve(options: {
    readonly hostname: string;
    readonly port: number;
    readonly idleTimeout: number;
    fetch(request: Request, server: BunServer): Response | Promise<Response>;
  }): BunServer;
};

/** Bun's ceiling for `idleTimeout`, in seconds. */
const MAX_IDLE_TIMEOUT_SECONDS = 255;
/** How long a stop waits for open responses before closing their connections. */
const STOP_GRACE_MS = 3_000;

const encoder = new TextEncoder();

/**
 * Writes all of `text` to stdout before returning (Bun's `process.stdout.write` may still hold it
 * when `process.exit` runs), retrying a pipe that is momentarily full.
 */
function writeStdout(text: string): void {
  let bytes = encoder.encode(text);
  while (bytes.length > 0) {
    try {
      bytes = bytes.subarray(writeSync(1, bytes));
    } catch (error) {
      if ((error as { code?: string }).code !== 'EAGAIN') throw error;
    }
  }
}

let server: BunServer | undefined;
/** Aborted on SIGINT/SIGTERM, before `edge.close()`: streams close without `end` and clients reconnect. */
const shutdown = new AbortController();
let edge: EdgeInstance;
try {
  edge = await createEdge(process.env, {
    shutdown: shutdown.signal,
    connectFleet: connectRedis,
    logWriter: writeStdout,
    // Bun copies a `Headers` object for about half what it takes to turn a record into one.
    responseHeaders: 'headers',
    // What `getConnInfo` from `hono/bun` does, without the adapter (deprecated for Hono 5).
    clientAddress: (request) => server?.requestIP(request)?.address,
  });
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(78); // EX_CONFIG
}

const { host, port, heartbeatMs } = edge.config;
// Bun closes a connection after `idleTimeout` seconds without traffic (default 10, at most 255).
// An event stream writes a heartbeat every EDGE_HEARTBEAT_SECONDS, so twice that never cuts a live
// stream and still lets idle keep-alive sockets go. Heartbeats beyond half the ceiling would not
// fit: those event streams opt out of the timeout instead (their writes fail once the peer is gone).
const idleTimeout = Math.min(
  MAX_IDLE_TIMEOUT_SECONDS,
  Math.max(10, Math.ceil((2 * heartbeatMs) / 1000)),
);
const streamsNeedNoTimeout = 2 * heartbeatMs > MAX_IDLE_TIMEOUT_SECONDS * 1000;

try {
  server = Bun.serve({
    hostname: host,
    port,
    idleTimeout,
    fetch(request, bunServer) {
      const answer = edge.app.fetch(request, bunServer);
      if (!streamsNeedNoTimeout) return answer;
      return Promise.resolve(answer).then((response) => {
        if (response.headers.get('content-type')?.startsWith('text/event-stream')) {
          bunServer.timeout(request, 0);
        }
        return response;
      });
    },
  });
} catch (error) {
  console.error(
    `Cannot listen on ${host}:${port}: ${(error as { code?: string }).code ?? String(error)}`,
  );
  process.exit(1);
}
const listening = server;
console.log(await startupBanner(edge.config, listening.url.origin, `Bun ${Bun.version}`));

let stopping = false;
const stop = async (signal: NodeJS.Signals) => {
  if (stopping) return;
  stopping = true;
  // Closes the event streams (without `end`, so clients reconnect elsewhere); `stop()` then waits for their last writes. A
  // response that still does not finish is cut after a grace period.
  shutdown.abort();
  edge.close();
  const force = setTimeout(() => listening.stop(true), STOP_GRACE_MS);
  await listening.stop();
  clearTimeout(force);
  edge.flushLogs();
  process.exit(signal === 'SIGINT' ? 130 : 143);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
// Request logs are batched: whatever is still queued is written on the way out, however it comes.
process.on('exit', () => edge.flushLogs());
