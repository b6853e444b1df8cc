// Closed-loop load with autocannon's programmatic API (the most a target can serve): the same
// generator, in the bench's own process, for every target. Latency at a fixed rate is measured by
// paced-load.mjs instead (see there why not autocannon's overallRate).
import autocannon from 'autocannon';

/**
 * Runs autocannon and resolves with its result; `onResponse(status)` sees every response, and
 * `maxSeconds` stops a run bounded by `amount` early.
 *
 * @example
 * ```js
 * const result = await runLoad({ url, connections: 64, duration: 10 });
 * result.requests.average; // req/s
 * ```
 */
export function runLoad({ onResponse, maxSeconds, ...options }) {
  return new Promise((resolve, reject) => {
    const startedAt = performance.now();
    let capTimer;
    const instance = autocannon({ timeout: 10, ...options }, (error, result) => {
      clearTimeout(capTimer);
      if (error) return reject(error);
      resolve({
        ...result,
        elapsedSeconds: (performance.now() - startedAt) / 1000,
        stoppedByCap: capTimer === null,
      });
    });
    if (onResponse !== undefined) {
      instance.on('response', (_client, statusCode) => onResponse(statusCode));
    }
    if (maxSeconds !== undefined) {
      capTimer = setTimeout(() => {
        capTimer = null;
        instance.stop();
      }, maxSeconds * 1000);
    }
  });
}

/**
 * The `q` quantile (0..1) of `values` (nearest rank); `undefined` for no values.
 *
 * @example
 * ```js
 * quantile([1, 2, 3, 4], 0.5); // 2
 * ```
 */
export function quantile(values, q) {
  if (values.length === 0) return undefined;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/**
 * Errors of any kind in a result: socket errors, timeouts, and responses other than `okStatus`.
 *
 * @example
 * ```js
 * failures(result, 200); // { errors: 0, timeouts: 0, unexpected: { '502': 3 } }
 * ```
 */
export function failures(result, okStatus) {
  const unexpected = {};
  for (const [status, { count }] of Object.entries(result.statusCodeStats ?? {})) {
    if (Number(status) !== okStatus) unexpected[status] = count;
  }
  return { errors: result.errors, timeouts: result.timeouts, unexpected };
}
