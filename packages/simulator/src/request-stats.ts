/**
 * A snapshot of the requests the status API has received since the last reset. Control API
 * requests are not counted: they are the test talking to the simulator, not the client under test.
 *
 * @example
 * ```ts
 * const { total, byRoute, byId, byStatus }: SimulatorStats = simulator.stats();
 * expect(byStatus['429']).toBe(2);
 * ```
 */
export interface SimulatorStats {
  /** Every request to the status API, including 401s, faults and unknown paths. */
  total: number;
  /** Requests per route. */
  byRoute: { 'document-status': number; 'request-status': number };
  /** Requests per document or request id in the path. */
  byId: Record<string, number>;
  /** Responses per status code (as a string). Dropped and hung requests send none. */
  byStatus: Record<string, number>;
}

/**
 * Counts requests as they arrive and responses as they leave.
 *
 * @example
 * ```ts
 * stats.recordStatus(res.status);
 * ```
 */
export interface RequestStats {
  /** Counts a request to the status API, whatever its path. */
  recordRequest(): void;
  /** Counts a request that reached one of the two routes, for `id`. */
  recordRoute(route: 'document-status' | 'request-status', id: string): void;
  /** Counts a response sent with `status`. */
  recordStatus(status: number): void;
  snapshot(): SimulatorStats;
  reset(): void;
}

/**
 * Creates empty {@link RequestStats}.
 *
 * @example
 * ```ts
 * const stats = createRequestStats();
 * stats.recordRequest();
 * stats.recordRoute('document-status', documentId);
 * ```
 */
export function createRequestStats(): RequestStats {
  // Maps, not objects, so an id such as `__proto__` is counted like any other.
  let total = 0;
  let byRoute = { 'document-status': 0, 'request-status': 0 };
  let byId = new Map<string, number>();
  let byStatus = new Map<string, number>();
  return {
    recordRequest() {
      total += 1;
    },
    recordRoute(route, id) {
      byRoute[route] += 1;
      byId.set(id, (byId.get(id) ?? 0) + 1);
    },
    recordStatus(status) {
      const key = String(status);
      byStatus.set(key, (byStatus.get(key) ?? 0) + 1);
    },
    snapshot: () => ({
      total,
      byRoute: { ...byRoute },
      byId: toRecord(byId),
      byStatus: toRecord(byStatus),
    }),
    reset() {
      total = 0;
      byRoute = { 'document-status': 0, 'request-status': 0 };
      byId = new Map();
      byStatus = new Map();
    },
  };
}

function toRecord(counts: ReadonlyMap<string, number>): Record<string, number> {
  const record: Record<string, number> = Object.create(null);
  for (const [key, count] of counts) record[key] = count;
  return record;
}
