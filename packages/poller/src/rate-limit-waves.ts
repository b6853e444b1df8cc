import { isNeurolinkerError } from '@neurostatus/core';
import type { RateLimiter } from './rate-limiter.ts';

/**
 * Tells a rate limiter about 429s, once per wave: requests are numbered as they start, and a 429
 * lowers the rate only for a request that started after the last cut (AIMD: one halving per wave
 * of 429s, not one per request that was in flight when the upstream said "too many").
 *
 * @example
 * ```ts
 * const waves = new RateLimitWaves(limiter);
 * const answer = await waves.track(() => client.getDocumentStatusWithMeta(id, { signal }));
 * ```
 */
export class RateLimitWaves {
  readonly #limiter: RateLimiter;
  #started = 0;
  #startedAtLastCut = 0;

  constructor(limiter: RateLimiter) {
    this.#limiter = limiter;
  }

  /** Upstream requests started so far. */
  get started(): number {
    return this.#started;
  }

  /** Starts one upstream request; a 429 from it may lower the limiter's rate. */
  async track<T>(call: () => Promise<T>): Promise<T> {
    const number = ++this.#started;
    try {
      return await call();
    } catch (error) {
      // Requests sent before the last cut went out at the old rate: their 429s say nothing
      // about the new one.
      if (
        isNeurolinkerError(error) &&
        error.code === 'RATE_LIMITED' &&
        number > this.#startedAtLastCut
      ) {
        this.#limiter.penalize();
        this.#startedAtLastCut = this.#started;
      }
      throw error;
    }
  }
}
