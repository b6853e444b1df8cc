/**
 * What `transport: 'auto'` learned about a base URL: `events` when it served an event stream,
 * `poll` when it answered that it has no such route.
 *
 * @example
 * ```ts
 * const found: DetectedTransport = 'events';
 * ```
 */
export type DetectedTransport = 'events' | 'poll';

// Per client object (and base URL): a client dropped by its owner takes its entries with it.
const detected = new WeakMap<object, Map<string, DetectedTransport>>();

/**
 * What was learned for this client and base URL, if anything yet.
 *
 * @example
 * ```ts
 * const useEvents = detectedTransport(client, baseUrl) !== 'poll';
 * ```
 */
export function detectedTransport(client: object, baseUrl: string): DetectedTransport | undefined {
  return detected.get(client)?.get(baseUrl);
}

/**
 * Remembers what a base URL answered for this client; later `'auto'` watches of the same client
 * go straight to it. The first answer decides; it is not changed afterwards.
 *
 * @example
 * ```ts
 * rememberTransport(client, baseUrl, 'poll');
 * ```
 */
export function rememberTransport(
  client: object,
  baseUrl: string,
  transport: DetectedTransport,
): void {
  let byUrl = detected.get(client);
  if (byUrl === undefined) {
    byUrl = new Map();
    detected.set(client, byUrl);
  }
  if (!byUrl.has(baseUrl)) byUrl.set(baseUrl, transport);
}
