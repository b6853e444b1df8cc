// The proxy on Node.js: `pnpm start` (tsx) or a bundle. Configuration: environment variables.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener, type HttpBindings, RequestError } from '@hono/node-server';
import { ConfigError } from '../config.ts';
import { createEdge, type EdgeInstance } from '../create-edge.ts';
import { connectRedis } from '../redis-connection.ts';
import { unframedError } from '../request-context.ts';
import { startupBanner } from '../startup-banner.ts';

/** Aborted on SIGINT/SIGTERM, before `edge.close()`: streams close without `end` and clients reconnect. */
const shutdown = new AbortController();
let edge: EdgeInstance;
try {
  edge = await createEdge(process.env, {
    clientAddress: (_request, env) => (env as HttpBindings).incoming.socket.remoteAddress,
    shutdown: shutdown.signal,
    connectFleet: connectRedis,
    // Synchronous for files and pipes on Linux, so what is written is written before an exit.
    logWriter: (text) => process.stdout.write(text),
  });
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(78); // EX_CONFIG
}

const { host, port } = edge.config;
const crossOrigin = edge.config.corsOrigins.length > 0;
const listener = getRequestListener(edge.app.fetch, {
  hostname: host,
  // A request @hono/node-server cannot turn into a URL (a Host with a space, a backslash in the
  // path) never reaches the app: it is answered here, in the proxy's error shape and headers.
  errorHandler: (error) => {
    if (error instanceof RequestError) {
      return unframedError('BAD_REQUEST', 'The request could not be read.', 400, crossOrigin);
    }
    // The app answers its own errors: this is a bug. The class name only, as the app logs it.
    console.error(
      `neurostatus: unhandled error (${error instanceof Error ? error.name : typeof error})`,
    );
    return unframedError('INTERNAL_ERROR', 'The proxy failed to answer.', 500, crossOrigin);
  },
});
const server = createServer(listener);
server.listen(port, host, async () => {
  const info = server.address() as AddressInfo;
  const shown = info.family === 'IPv6' ? `[${info.address}]` : info.address;
  console.log(
    await startupBanner(edge.config, `http://${shown}:${info.port}`, `Node ${process.version}`),
  );
});
server.on('error', (error: NodeJS.ErrnoException) => {
  console.error(`Cannot listen on ${host}:${port}: ${error.code ?? error.message}`);
  process.exit(1);
});

/** How long event streams get to write their last bytes on shutdown before sockets are cut, ms. */
const SHUTDOWN_GRACE_MS = 2_000;

let stopping = false;
const stop = (signal: NodeJS.Signals) => {
  if (stopping) return;
  stopping = true;
  shutdown.abort();
  edge.close();
  server.close(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  // The streams end themselves on the abort; cutting their sockets now would lose the final
  // chunk (curl exit 18, Chromium ERR_INCOMPLETE_CHUNKED_ENCODING). Close each keep-alive socket
  // once its response is complete, and cut what is left after the grace period.
  const sweep = setInterval(() => server.closeIdleConnections(), 20);
  sweep.unref();
  setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS).unref();
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
// Request logs are batched: whatever is still queued is written on the way out, however it comes.
process.on('exit', () => edge.flushLogs());
