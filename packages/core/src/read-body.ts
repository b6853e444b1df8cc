/** Thrown by {@link readBody} when the body is over its byte limit. */
export class BodyTooLarge {
  readonly status: number;
  constructor(status: number) {
    this.status = status;
  }
}

/**
 * Reads a response body as text, counting bytes as they arrive and giving up past `maxBytes`; ends
 * the read when `stop` aborts, rejecting with its reason.
 *
 * The read is stopped here, by cancelling our own reader from a listener on our own signal, rather
 * than left to the signal the request was made with: on Node 20 (undici) an abort that has to reach
 * a body read through a `Request` object, which is what ky builds, can be lost after a garbage
 * collection, and the read then waits forever on an upstream that stalls (issue 9).
 */
export async function readBody(
  response: Response,
  maxBytes: number,
  stop: AbortSignal,
): Promise<string> {
  const declared = Number(response.headers.get('content-length'));
  if (!response.body) return '';
  if (declared > maxBytes) {
    await response.body.cancel().catch(() => {});
    throw new BodyTooLarge(response.status);
  }
  const reader = response.body.getReader();
  let onStop = () => {};
  const stopped = new Promise<never>((_resolve, reject) => {
    onStop = () => {
      reject(stop.reason);
      reader.cancel(stop.reason).catch(() => {});
    };
  });
  // Settled by the race below or never; either way nobody else awaits it.
  stopped.catch(() => {});
  stop.throwIfAborted();
  stop.addEventListener('abort', onStop, { once: true });
  try {
    const decoder = new TextDecoder();
    let received = 0;
    let text = '';
    for (;;) {
      const { done, value } = await Promise.race([reader.read(), stopped]);
      if (done) break;
      received += value.byteLength;
      if (received > maxBytes) {
        await reader.cancel().catch(() => {});
        throw new BodyTooLarge(response.status);
      }
      text += decoder.decode(value, { stream: true });
    }
    return text + decoder.decode();
  } finally {
    stop.removeEventListener('abort', onStop);
  }
}
