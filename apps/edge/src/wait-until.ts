import type { Context } from 'hono';

/**
 * Keeps `promise` alive after the response on Workers (`ctx.waitUntil`). Looked up only when
 * needed: outside Workers `c.executionCtx` throws, and a throw per request is costly.
 */
export function waitUntilOf(c: Context): (promise: Promise<unknown>) => void {
  return (promise) => {
    try {
      c.executionCtx.waitUntil(promise);
    } catch {
      // Not Workers: a promise lives on by itself.
    }
  };
}
