import { decodeFeedMessage, type FeedMessage } from './feed-message.ts';

/**
 * The messages of a status object's feed response (newline-delimited JSON), as they arrive;
 * malformed lines are skipped. Ends when the stream does (a feed that ends without `end` or
 * `error` broke off) or when `signal` aborts; throws if reading fails. Leaving the loop early, or
 * the abort, cancels the stream, so the object notices the departure at its next write.
 *
 * @example
 * ```ts
 * for await (const message of readFeedMessages(response.body, signal)) handle(message);
 * ```
 */
export async function* readFeedMessages(
  body: NonNullable<Response['body']>,
  signal: AbortSignal,
): AsyncGenerator<FeedMessage, void, undefined> {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  const cancel = () => {
    reader.cancel().catch(() => undefined);
  };
  signal.addEventListener('abort', cancel, { once: true });
  let buffered = '';
  try {
    if (signal.aborted) return;
    for (;;) {
      const { done, value } = await reader.read();
      if (done || signal.aborted) return;
      buffered += value;
      let newline = buffered.indexOf('\n');
      while (newline >= 0) {
        const message = decodeFeedMessage(buffered.slice(0, newline));
        buffered = buffered.slice(newline + 1);
        newline = buffered.indexOf('\n');
        if (message !== undefined) yield message;
      }
    }
  } finally {
    signal.removeEventListener('abort', cancel);
    cancel();
  }
}
