import {
  errorForCode,
  isNeurolinkerError,
  isNeurolinkerErrorCode,
  type NeurolinkerError,
} from '@neurostatus/core';

/** What a failed feed sends: the error's code and the context the proxy's answer is built from. */
export interface WireError {
  readonly code: string;
  readonly status?: number;
  readonly retryAfterMs?: number;
  readonly timeoutMs?: number;
}

/**
 * One line of a status object's event feed (newline-delimited JSON): a status body (as the proxy
 * serves it), the end of the feed, its failure, or a heartbeat.
 */
export type FeedMessage =
  | {
      readonly type: 'status';
      readonly body: string;
      readonly terminal: boolean;
      /**
       * The feed's latest status, sent at once to a new attachment (not news of a poll just made):
       * it may be up to one poll interval old.
       */
      readonly replay?: true;
    }
  | { readonly type: 'end' }
  | { readonly type: 'error'; readonly error: WireError }
  /** Sent before each poll: writing is how an object notices a feed whose reader is gone. */
  | { readonly type: 'beat' };

const encoder = new TextEncoder();

/**
 * One message as a line of bytes.
 *
 * @example
 * ```ts
 * controller.enqueue(encodeFeedMessage({ type: 'end' }));
 * ```
 */
export function encodeFeedMessage(message: FeedMessage): Uint8Array {
  return encoder.encode(`${JSON.stringify(message)}\n`);
}

/**
 * One line back into a message; `undefined` for anything malformed.
 *
 * @example
 * ```ts
 * const message = decodeFeedMessage(line);
 * ```
 */
export function decodeFeedMessage(line: string): FeedMessage | undefined {
  try {
    const value = JSON.parse(line) as Partial<Record<string, unknown>>;
    if (value.type === 'end' || value.type === 'beat') return { type: value.type };
    if (value.type === 'status' && typeof value.body === 'string') {
      const status = {
        type: 'status',
        body: value.body,
        terminal: value.terminal === true,
      } as const;
      return value.replay === true ? { ...status, replay: true } : status;
    }
    if (value.type === 'error' && typeof value.error === 'object' && value.error !== null) {
      const error = value.error as Partial<Record<string, unknown>>;
      if (typeof error.code !== 'string') return undefined;
      const numbers = ['status', 'retryAfterMs', 'timeoutMs'] as const;
      const context = Object.fromEntries(
        numbers
          .filter((name) => typeof error[name] === 'number')
          .map((name) => [name, error[name]]),
      );
      return { type: 'error', error: { code: error.code, ...context } };
    }
  } catch {
    // not JSON
  }
  return undefined;
}

/**
 * The part of an error that crosses from the object to the Worker: the code and numbers the
 * proxy's answer depends on (`upstreamFailure`). Messages stay behind: the Worker answers with its
 * own fixed texts, as on every runtime.
 *
 * @example
 * ```ts
 * send({ type: 'error', error: toWireError(error) });
 * ```
 */
export function toWireError(error: unknown): WireError {
  if (!isNeurolinkerError(error)) return { code: 'UNKNOWN' };
  const context = error as { status?: unknown; retryAfterMs?: unknown; timeoutMs?: unknown };
  return {
    code: error.code,
    ...(typeof context.status === 'number' ? { status: context.status } : {}),
    ...(typeof context.retryAfterMs === 'number' ? { retryAfterMs: context.retryAfterMs } : {}),
    ...(typeof context.timeoutMs === 'number' ? { timeoutMs: context.timeoutMs } : {}),
  };
}

/**
 * The error a {@link WireError} stands for, as the core client would have thrown it in the
 * Worker; an unknown code is a plain `Error` (the proxy's generic stream failure).
 *
 * @example
 * ```ts
 * sink.error(fromWireError(message.error));
 * ```
 */
export function fromWireError(wire: WireError): NeurolinkerError | Error {
  if (!isNeurolinkerErrorCode(wire.code)) return new Error('The status feed failed.');
  return errorForCode(wire.code, 'Neurolinker answered the status object with an error.', {
    ...(wire.status === undefined ? {} : { status: wire.status }),
    retryAfterMs: wire.retryAfterMs,
    timeoutMs: wire.timeoutMs,
  });
}
