// One real redis-server for a whole test file: started in `beforeAll`, and in `afterAll` whatever
// the file opened on it is closed before the server stops.
import { afterAll, beforeAll } from 'vitest';
import { connectRedis, type FleetConnection } from '../redis-connection.ts';
import { startRedisServer, type TestRedisServer } from './redis-server.ts';

/** Something to close once the file's tests are over (a connection, an edge instance). */
export interface Closable {
  close(): unknown;
}

/** The file's redis-server; read its members inside tests and hooks, not at import. */
export interface RedisServerFixture {
  /** The server `beforeAll` started. */
  readonly server: TestRedisServer;
  /** `redis://127.0.0.1:<port>` of {@link server}. */
  readonly url: string;
  /** The connections {@link connect} opened, oldest first. */
  readonly connections: readonly FleetConnection[];
  /** Opens a connection to the server (logging nothing), closed after the file's tests. */
  connect(): Promise<FleetConnection>;
  /** Closes `closable` after the file's tests, before the server stops; returns it. */
  closeAtEnd<T extends Closable>(closable: T): T;
}

/**
 * Starts a redis-server for the calling test file (call it at the top level of the file).
 *
 * @example
 * ```ts
 * const redis = useRedisServer();
 * it('talks to Redis', async () => {
 *   const connection = await redis.connect();
 * });
 * ```
 */
export function useRedisServer(): RedisServerFixture {
  let server: TestRedisServer | undefined;
  const connections: FleetConnection[] = [];
  const closables: Closable[] = [];
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    for (const closable of closables) await closable.close();
    await server?.stop();
  });
  const started = (): TestRedisServer => {
    if (server === undefined) throw new Error('useRedisServer: the server starts in beforeAll');
    return server;
  };
  const fixture: RedisServerFixture = {
    get server() {
      return started();
    },
    get url() {
      return started().url;
    },
    connections,
    async connect() {
      const connection = await connectRedis({ url: started().url, log: () => {} });
      connections.push(connection);
      return fixture.closeAtEnd(connection);
    },
    closeAtEnd(closable) {
      closables.push(closable);
      return closable;
    },
  };
  return fixture;
}
