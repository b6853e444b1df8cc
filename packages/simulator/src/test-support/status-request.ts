import { DEMO_API_KEY } from '../default-accounts.ts';

/**
 * A GET request to the simulator's status API, as a client with `apiKey` would send it.
 *
 * @example
 * ```ts
 * const res = await simulator.app.fetch(statusRequest(`/api/v1/document-status/${id}`));
 * ```
 */
export function statusRequest(
  path: string,
  apiKey: string | null = DEMO_API_KEY,
  init: RequestInit = {},
): Request {
  const headers = new Headers(init.headers);
  if (apiKey !== null) headers.set('authorization', `Bearer ${apiKey}`);
  return new Request(`http://simulator.test${path}`, { ...init, headers });
}

/**
 * A JSON request to the simulator's control API.
 *
 * @example
 * ```ts
 * await simulator.app.fetch(controlRequest('POST', '/_sim/faults', { kind: 'html' }));
 * ```
 */
export function controlRequest(method: string, path: string, body?: unknown): Request {
  return new Request(`http://simulator.test${path}`, {
    method,
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
}
