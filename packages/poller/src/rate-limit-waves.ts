import { isNeurolinkerError } from '@neurostatus/core';
import type { DocumentStatusReader } from './document-source.ts';
import type { RateLimiter } from './rate-limiter.ts';
import type { RequestStatusReader } from './request-status-reader.ts';

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
  readonly #readers = new WeakMap<object, DocumentStatusReader & RequestStatusReader>();
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

  /**
   * The client with both of its status calls going through {@link RateLimitWaves.track}; one
   * wrapper per client. The request call exists only where the client has it (the scheduler
   * checks before it polls a request).
   */
  reader(client: DocumentStatusReader): DocumentStatusReader & RequestStatusReader {
    let wrapped = this.#readers.get(client);
    if (wrapped === undefined) {
      const requests = client as Partial<RequestStatusReader>;
      wrapped = {
        getDocumentStatusWithMeta: (documentId, options) =>
          this.track(() => client.getDocumentStatusWithMeta(documentId, options)),
        getRequestStatusWithMeta: (requestId, options) =>
          this.track(() =>
            (requests as RequestStatusReader).getRequestStatusWithMeta(requestId, options),
          ),
      };
      this.#readers.set(client, wrapped);
    }
    return wrapped;
  }
}
