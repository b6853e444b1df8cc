import { isTerminalRequestStatus } from '@neurostatus/core';
import type { FeedMessage } from './durable/feed-message.ts';
import { requestBodyEntries } from './durable/request-body-entries.ts';
import type { FeedListener } from './feed-hub.ts';

/** Whether a request status body is terminal (false for one that does not parse). */
function isTerminalBody(body: string): boolean {
  const parsed = requestBodyEntries(body);
  return parsed !== undefined && isTerminalRequestStatus(parsed.request);
}

/**
 * A feed-hub subscription to a request's feed as the messages a status object's feed sends
 * (what `batchedDocumentStatuses` follows): each status body, the first marked as a replay (the
 * hub hands a new listener the feed's latest status, which may be one poll old), then `end` when
 * the feed ends, fails or cannot start. A failure carries no detail: whoever follows the feed
 * goes back to polls of its own, which meet the error themselves. Unsubscribes when `signal`
 * aborts or the consumer stops.
 *
 * @example
 * ```ts
 * const messages = feedMessages((listener) => hub.subscribe(key, source, listener), signal);
 * ```
 */
export async function* feedMessages(
  subscribe: (listener: FeedListener<string>) => () => void,
  signal: AbortSignal,
): AsyncGenerator<FeedMessage, void, undefined> {
  const queue: FeedMessage[] = [];
  let wake: (() => void) | undefined;
  let replay = true;
  const push = (message: FeedMessage) => {
    queue.push(message);
    wake?.();
  };
  const listener: FeedListener<string> = {
    status(body) {
      const terminal = isTerminalBody(body);
      push(
        replay ? { type: 'status', body, terminal, replay } : { type: 'status', body, terminal },
      );
      replay = false;
    },
    end: () => push({ type: 'end' }),
    error: () => push({ type: 'end' }),
  };
  if (signal.aborted) return;
  let unsubscribe: () => void;
  try {
    unsubscribe = subscribe(listener);
  } catch {
    return; // the feed cannot start: nothing to follow
  }
  const onAbort = () => wake?.();
  signal.addEventListener('abort', onAbort);
  try {
    while (!signal.aborted) {
      const next = queue.shift();
      if (next === undefined) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
        continue;
      }
      yield next;
      if (next.type === 'end') return;
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    unsubscribe();
  }
}
