import { createSimulator, DEMO_API_KEY, type Simulator } from '@neurostatus/simulator';
import { BodyTooLargeError } from '../bounded-text.ts';
import type { StatusKind } from '../cache-key.ts';
import type { EdgeConfig } from '../config.ts';
import { EMBEDDED_SIMULATOR_BASE_URL } from '../edge-parts.ts';
import { type HttpReply, readUpstreamReply, type UpstreamReply } from './upstream-reply.ts';

/** Where a status object's calls go. */
export interface ObjectUpstream {
  readonly baseUrl: string;
  readonly fetch: typeof globalThis.fetch;
  /** The proxy's own key (`scoped-token` / `open`, from the secret binding), or the demo key. */
  readonly proxyKey: string | undefined;
  readonly timeoutMs: number;
  /** Largest response body read, bytes (`EDGE_UPSTREAM_MAX_BYTES`); larger: an invalid answer. */
  readonly maxBytes: number;
}

/** The simulator of `EDGE_DEMO` Workers: one per isolate, made on first use (never at import). */
let embeddedSimulator: Simulator | undefined;

/**
 * The upstream of the configuration: the API (the global `fetch`, looked up when called), or on a
 * demo Worker the embedded simulator, called in-process.
 *
 * @example
 * ```ts
 * const upstream = objectUpstream(loadEdgeConfig(stringBindings(env)));
 * ```
 */
export function objectUpstream(config: EdgeConfig): ObjectUpstream {
  const { upstream } = config;
  if (upstream.kind === 'api') {
    return {
      baseUrl: upstream.baseUrl,
      fetch: (input, init) => fetch(input, init),
      proxyKey: upstream.apiKey,
      timeoutMs: config.upstreamTimeoutMs,
      maxBytes: config.upstreamMaxBytes,
    };
  }
  embeddedSimulator ??= createSimulator({ demo: true });
  const simulator = embeddedSimulator;
  return {
    baseUrl: EMBEDDED_SIMULATOR_BASE_URL,
    fetch: async (input, init) => simulator.app.fetch(new Request(input, init)),
    proxyKey: DEMO_API_KEY,
    timeoutMs: config.upstreamTimeoutMs,
    maxBytes: config.upstreamMaxBytes,
  };
}

/**
 * One call of the upstream's status route with `key`, within the upstream timeout: its answer, or
 * `timeout` / `connection` / `too-large` when there is none to relay.
 *
 * @example
 * ```ts
 * const reply = await callUpstream(upstream, { kind: 'document', id }, key);
 * ```
 */
export async function callUpstream(
  upstream: ObjectUpstream,
  target: { readonly kind: StatusKind; readonly id: string },
  key: string,
): Promise<UpstreamReply> {
  const url = `${upstream.baseUrl}/${target.kind}-status/${encodeURIComponent(target.id)}`;
  const timeout = AbortSignal.timeout(upstream.timeoutMs);
  try {
    const response = await upstream.fetch(url, {
      headers: {
        authorization: `Bearer ${key}`,
        accept: 'application/json',
        'user-agent': 'neurostatus-edge',
      },
      signal: timeout,
    });
    const reply: HttpReply = await readUpstreamReply(
      response,
      target.kind,
      Date.now(),
      upstream.maxBytes,
    );
    return reply;
  } catch (error) {
    const type =
      error instanceof BodyTooLargeError ? 'too-large' : timeout.aborted ? 'timeout' : 'connection';
    return { type, receivedAt: Date.now() };
  }
}
