/**
 * The configuration part of Worker bindings: vars and secrets as strings. Wrangler vars may be
 * numbers or booleans (`"EDGE_RATE_LIMIT_PER_SECOND": 50`) and the configuration reads strings;
 * other bindings (Durable Object namespaces, KV, ...) are not configuration and are left out.
 *
 * @example
 * ```ts
 * const config = loadEdgeConfig(stringBindings(env));
 * ```
 */
export function stringBindings(bindings: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(bindings)
      .filter(([, value]) => ['string', 'number', 'boolean'].includes(typeof value))
      .map(([name, value]) => [name, String(value)]),
  );
}
