import type { PollerClock } from './clock.ts';

/**
 * How one request for an event stream went, before anything of the stream is read: its
 * response headers (a stream to read), a refusal with its body read, a request that failed, or
 * one that stalled (no headers, or a refusal's body that never ended, within the time allowed).
 *
 * @example
 * ```ts
 * const answer: StreamAnswer = { kind: 'stalled' };
 * ```
 */
export type StreamAnswer =
  | { readonly kind: 'stream'; readonly response: Response }
  | { readonly kind: 'refusal'; readonly response: Response; readonly text: string }
  | { readonly kind: 'unreachable'; readonly cause: unknown }
  | { readonly kind: 'stalled' };

/**
 * What {@link requestEventStream} needs.
 *
 * @example
 * ```ts
 * const url = `${baseUrl}/document-status/${id}/events`;
 * const request: StreamRequest = { url, headers: { accept: 'text/event-stream' }, fetch, clock, timeoutMs: 30_000, signal };
 * ```
 */
export interface StreamRequest {
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly fetch: typeof globalThis.fetch;
  readonly clock: PollerClock;
  /** The time allowed for the headers (and a refusal's body); `Infinity`: no limit. */
  readonly timeoutMs: number;
  /** The watch's signal: ends the request at once. */
  readonly signal: AbortSignal;
}

/** Is the response one to read as an event stream (WHATWG HTML 9.2: 200 and `text/event-stream`)? */
function isStream(response: Response): boolean {
  const type = response.headers.get('content-type') ?? '';
  return response.status === 200 && /^text\/event-stream\b/i.test(type) && response.body !== null;
}

/**
 * A body as text, ended at once when `stop` aborts: the reader is cancelled by hand, since an
 * abort can fail to reach a body read in some runtimes (Node 20's undici, after a collection).
 */
async function readText(response: Response, stop: AbortSignal): Promise<string> {
  if (response.body === null) return '';
  const reader = response.body.getReader();
  const cancel = () => void reader.cancel().catch(() => {});
  stop.addEventListener('abort', cancel, { once: true });
  try {
    const decoder = new TextDecoder();
    let text = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return text + decoder.decode();
      text += decoder.decode(value, { stream: true });
    }
  } finally {
    stop.removeEventListener('abort', cancel);
  }
}

/**
 * Makes one request for an event stream, within `timeoutMs` for the response headers and, for a
 * refusal, its body: a proxy that accepts the connection and then sends nothing must not hold a
 * watch forever (the idle timer of an open stream only starts with its headers). The stream's
 * own body is not read here, nor timed: the watch reads it with its idle timer.
 *
 * @example
 * ```ts
 * const url = `${baseUrl}/document-status/${id}/events`;
 * const headers = { accept: 'text/event-stream', authorization: `Bearer ${apiKey}` };
 * const answer = await requestEventStream({ url, headers, fetch, clock, timeoutMs: 30_000, signal });
 * if (answer.kind === 'stalled') console.warn('no headers within 30 s');
 * ```
 */
export async function requestEventStream(request: StreamRequest): Promise<StreamAnswer> {
  const { clock, timeoutMs, signal } = request;
  const attempt = new AbortController();
  const timer = new AbortController();
  if (Number.isFinite(timeoutMs)) {
    clock.sleep(timeoutMs, timer.signal).then(
      // Not once the answer is sorted: the abort would end the stream about to be read.
      () => timer.signal.aborted || attempt.abort(),
      () => {},
    );
  }
  const stop = AbortSignal.any([signal, attempt.signal]);
  try {
    let response: Response;
    try {
      response = await request.fetch(request.url, { headers: request.headers, signal: stop });
    } catch (cause) {
      return attempt.signal.aborted ? { kind: 'stalled' } : { kind: 'unreachable', cause };
    }
    if (isStream(response)) return { kind: 'stream', response };
    const text = await readText(response, stop).catch(() => '');
    return attempt.signal.aborted ? { kind: 'stalled' } : { kind: 'refusal', response, text };
  } finally {
    timer.abort();
  }
}
