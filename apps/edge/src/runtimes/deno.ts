// The proxy on Deno: `pnpm start:deno`, which runs
// `deno run --allow-net --allow-env --no-prompt src/runtimes/deno.ts` with apps/edge/deno.json
// (bare imports resolve from node_modules; loading modules needs no --allow-read). Configuration:
// environment variables (`--allow-env` as a whole, since `Deno.env.toObject()` reads them all).
import { ConfigError } from '../config.ts';
import { createEdge, type EdgeInstance } from '../create-edge.ts';
import { connectRedis } from '../redis-connection.ts';
import { startupBanner } from '../startup-banner.ts';

/** What `Deno.serve` passes its handler beside the request. */
interface ServeHandlerInfo {
  readonly remoteAddr: { readonly hostname: string; readonly port: number };
}

/** The part of Deno's API this entry uses, declared here since `tsc` does not know Deno. */
declare const Deno: {
  readonly version: { readonly deno: string };
  readonly env: { toObject(): Record<string, string> };
  serve(
    options: {
      readonly hostname: string;
      readonly port: number;
      onListen(address: { readonly hostname: string; readonly port: number }): void;
    },
    handler: (request: Request, info: ServeHandlerInfo) => Response | Promise<Response>,
  ): { shutdown(): Promise<void> };
  addSignalListener(signal: 'SIGINT' | 'SIGTERM', handler: () => void): void;
  readonly stdout: { writeSync(bytes: Uint8Array): number };
  exit(code: number): never;
};

const encoder = new TextEncoder();

/** Writes all of `text` to stdout before returning, so nothing is left when `Deno.exit` runs. */
function writeStdout(text: string): void {
  let bytes = encoder.encode(text);
  while (bytes.length > 0) bytes = bytes.subarray(Deno.stdout.writeSync(bytes));
}

/** How long a stop waits for open responses before exiting anyway. */
const STOP_GRACE_MS = 3_000;

/** Aborted on SIGINT/SIGTERM, before `edge.close()`: streams close without `end` and clients reconnect. */
const shutdown = new AbortController();
let edge: EdgeInstance;
try {
  edge = await createEdge(Deno.env.toObject(), {
    shutdown: shutdown.signal,
    connectFleet: connectRedis,
    // `Deno.serve` compresses compressible responses (gzip, brotli) by itself.
    compress: false,
    logWriter: writeStdout,
    // What `getConnInfo` from `hono/deno` does (the handler's info is the app's env), without the
    // adapter, which is deprecated for Hono 5.
    clientAddress: (_request, env) => (env as ServeHandlerInfo | undefined)?.remoteAddr.hostname,
  });
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  Deno.exit(78); // EX_CONFIG
}

const { host, port } = edge.config;
let server: { shutdown(): Promise<void> };
try {
  server = Deno.serve(
    {
      hostname: host,
      port,
      // Replaces Deno's own "Listening on" line with the banner.
      onListen: (address) => {
        const shown = address.hostname.includes(':') ? `[${address.hostname}]` : address.hostname;
        const origin = `http://${shown}:${address.port}`;
        startupBanner(edge.config, origin, `Deno ${Deno.version.deno}`).then(console.log);
      },
    },
    (request, info) => edge.app.fetch(request, info),
  );
} catch (error) {
  console.error(`Cannot listen on ${host}:${port}: ${(error as Error).name}`);
  Deno.exit(1);
}

let stopping = false;
const stop = async (code: number) => {
  if (stopping) return;
  stopping = true;
  // Closes the event streams (without `end`, so clients reconnect elsewhere); `shutdown()` then waits for their last writes. A
  // response that still does not finish must not hold the exit for ever.
  shutdown.abort();
  edge.close();
  setTimeout(() => {
    edge.flushLogs();
    Deno.exit(code);
  }, STOP_GRACE_MS);
  await server.shutdown();
  edge.flushLogs();
  Deno.exit(code);
};
Deno.addSignalListener('SIGINT', () => stop(130));
Deno.addSignalListener('SIGTERM', () => stop(143));
