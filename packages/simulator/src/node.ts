// Node entry: the only place (with bin.ts) allowed to use Node APIs, so it alone pulls Node types.
/// <reference types="node" />
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type HttpBindings, serve } from '@hono/node-server';
import { createSimulator, type Simulator } from './create-simulator.ts';
import type { DropConnection, SimulatorOptions } from './simulator-options.ts';

/**
 * What `startSimulator` takes: the simulator's options and where to listen.
 *
 * @example
 * ```ts
 * const options: StartSimulatorOptions = { port: 4010, demo: true, timeScale: 10 };
 * ```
 */
export interface StartSimulatorOptions extends SimulatorOptions {
  /** TCP port; 0 (the default) picks a free one. */
  readonly port?: number;
  /** Interface to bind. Default: `127.0.0.1`, so a test simulator is never exposed. */
  readonly host?: string;
}

/**
 * A simulator listening over HTTP.
 *
 * @example
 * ```ts
 * const { apiBaseUrl, close } = await startSimulator();
 * try { await runClientAgainst(apiBaseUrl); } finally { await close(); }
 * ```
 */
export interface RunningSimulator {
  /** Origin of the server, e.g. `http://127.0.0.1:54321`. */
  readonly url: string;
  /** `url` + `/api/v1`: the base URL a client of the real API would use. */
  readonly apiBaseUrl: string;
  readonly simulator: Simulator;
  /** Stops listening, releases hanging requests and closes every connection, keep-alive too. */
  close(): Promise<void>;
}

/**
 * Node's way to drop a connection: destroy the socket, then tell `@hono/node-server` (through its
 * `x-hono-already-sent` marker) that the response is handled, so it writes nothing.
 */
const dropNodeConnection: DropConnection = (_request, env) => {
  const incoming = (env as Partial<HttpBindings> | undefined)?.incoming;
  if (incoming === undefined) return undefined;
  incoming.socket.destroy();
  return new Response(null, { headers: { 'x-hono-already-sent': 'true' } });
};

/**
 * Starts a simulator on Node with `@hono/node-server` and resolves once it listens.
 * `drop` faults really destroy the connection here.
 *
 * @example
 * ```ts
 * import { startSimulator } from '@neurostatus/simulator/node';
 *
 * const running = await startSimulator({ demo: true });
 * console.log(`${running.apiBaseUrl}/document-status/...`);
 * await running.close();
 * ```
 */
export async function startSimulator(
  options: StartSimulatorOptions = {},
): Promise<RunningSimulator> {
  const { port = 0, host = '127.0.0.1', ...simulatorOptions } = options;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new TypeError('startSimulator: port must be an integer from 0 to 65535');
  }
  const simulator = createSimulator({ dropConnection: dropNodeConnection, ...simulatorOptions });
  const server = await new Promise<Server>((resolve, reject) => {
    const listening = serve({ fetch: simulator.app.fetch, port, hostname: host }, () => {
      listening.off('error', reject);
      resolve(listening as Server);
    });
    listening.once('error', reject);
  });
  const { port: boundPort } = server.address() as AddressInfo;
  // An IPv6 literal needs brackets in a URL (RFC 3986 3.2.2).
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${boundPort}`;
  let closing: Promise<void> | undefined;
  return {
    url,
    apiBaseUrl: `${url}/api/v1`,
    simulator,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        simulator.close();
        server.close((error) => (error === undefined ? resolve() : reject(error)));
        // server.close() alone waits for keep-alive and hanging connections: end them now.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
