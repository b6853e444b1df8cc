import {
  assertValidId,
  type DocumentStatus,
  isTerminalDocumentStatus,
  parseDocumentStatus,
} from '@neurostatus/core';
import { requestEntryStatus } from '@neurostatus/poller';
import type { FeedMessage } from './feed-message.ts';
import { requestBodyEntries } from './request-body-entries.ts';

/** Options of {@link batchedDocumentStatuses}. */
export interface BatchedDocumentOptions {
  readonly documentId: string;
  /** The request an earlier answer of the document named (the object's kept answer), if any. */
  readonly requestId: string | undefined;
  /**
   * The object's kept answer the loop starts from, if any: the request feed's replay right after
   * attaching may be older, and is skipped when it would step this status back.
   */
  readonly kept?: DocumentStatus | undefined;
  /** The document's own poll loop (`watchStatus` through its object): the fallback. */
  readonly poll: (signal: AbortSignal) => AsyncIterable<DocumentStatus>;
  /**
   * The feed of the request's status object, of the same tenant: its messages until it ends or
   * breaks off (then it just ends).
   */
  readonly follow: (requestId: string, signal: AbortSignal) => AsyncIterable<FeedMessage>;
  /**
   * Keeps a status the request brought as the document's own answer, before it is sent; `false`
   * when it cannot be served (then the document's own polls take over and say why).
   */
  readonly keep: (status: DocumentStatus) => Promise<boolean>;
  /** Called for each heartbeat of the request's feed, which it sends before each of its polls. */
  readonly beat: () => void;
}

/**
 * A status object's loop for a document, fed by its request's object where it can be (issue 13:
 * one request loop for all documents of a request). It polls the document until an answer names
 * its request (or starts from the request an earlier answer named), then follows the feed of the
 * request's object instead: from each request status it takes the document's entry, validated
 * with the poller's `requestEntryStatus` (the rule its scheduler batches by), and yields it as if
 * polled. Changes only, as `watchStatus` yields them; a terminal status ends the loop.
 *
 * It polls the document on its own again when the request's list leaves the document out or
 * lists it without a valid status, or when the request's feed ends, fails or breaks off without
 * the document's terminal status: then errors, 404 grace and hold-offs are the document's own, as
 * without batching. A request is followed once per loop; the document's own answers may name
 * another (a document that moved), which is followed in turn.
 *
 * A document never goes back a stage (`pending`, `processing`, then a terminal status), so a
 * request status of an earlier stage than what the loop stands on (its last status, or the
 * object's kept answer) is skipped, replayed or not: a request poll that was out while the
 * document polled may land after it. Right after it attaches, the request's feed replays its
 * latest status, which may be up to one request poll old: after a poll of its own, a replay of the
 * same stage is skipped too; a later stage is news either way, and a terminal status is never
 * skipped. A state the API may add later has no known stage: then only the replay after a poll of
 * its own is skipped, as before stages were compared.
 *
 * @example
 * ```ts
 * const source = documentLoopFeed(batchedDocumentStatuses({ documentId, requestId, poll, follow, keep, beat }), remember);
 * ```
 */
export function batchedDocumentStatuses(
  options: BatchedDocumentOptions,
): (signal: AbortSignal) => AsyncIterable<DocumentStatus> {
  return (signal) => statuses(options, signal);
}

async function* statuses(
  options: BatchedDocumentOptions,
  signal: AbortSignal,
): AsyncGenerator<DocumentStatus, void, undefined> {
  const followed = new Set<string>();
  let last: string | undefined;
  // What the loop stands on: the kept answer, then the last status it yielded.
  const stand: Stand = { polled: false, latest: options.kept };
  const isNews = (status: DocumentStatus) => {
    const body = JSON.stringify(status);
    if (body === last) return false;
    last = body;
    stand.latest = status;
    return true;
  };
  let requestId = options.requestId;
  for (;;) {
    if (requestId !== undefined) {
      followed.add(requestId);
      for await (const status of fromRequest(options, requestId, stand, signal)) {
        stand.polled = false;
        if (isNews(status)) yield status;
        if (isTerminalDocumentStatus(status)) return;
      }
      signal.throwIfAborted();
      requestId = undefined;
    }
    for await (const status of options.poll(signal)) {
      stand.polled = true;
      if (isNews(status)) yield status;
      const named = requestIdOfStatus(status);
      if (named !== undefined && !followed.has(named) && !isTerminalDocumentStatus(status)) {
        requestId = named;
        break; // ends the poll loop (its sleep and call) before the request's feed starts
      }
    }
    if (requestId === undefined) return; // the poll loop ended: the status is terminal
  }
}

/** What a document loop stands on, which a status from its request must not step back from. */
interface Stand {
  /** Whether its latest news is the document's own poll (as fresh as a request poll, or fresher). */
  polled: boolean;
  /** The kept answer it started from, then the last status it yielded. */
  latest: DocumentStatus | undefined;
}

/** The document's statuses in the request's feed, until the feed stops standing for it. */
async function* fromRequest(
  options: BatchedDocumentOptions,
  requestId: string,
  stand: Readonly<Stand>,
  signal: AbortSignal,
): AsyncGenerator<DocumentStatus, void, undefined> {
  for await (const message of options.follow(requestId, signal)) {
    if (message.type === 'beat') {
      options.beat();
      continue;
    }
    if (message.type !== 'status') return;
    const status = entryStatus(message.body, options.documentId, requestId);
    if (status === undefined) return;
    if (isStale(status, stand, message.replay === true)) continue;
    if (!(await options.keep(status))) return;
    yield status;
  }
}

/** How far a status is along: a document never goes from a later stage back to an earlier one. */
function stageOf(status: DocumentStatus): number | undefined {
  if (isTerminalDocumentStatus(status)) return 2;
  if (status.status === 'processing') return 1;
  return status.status === 'pending' ? 0 : undefined;
}

/**
 * Whether a request's status of the document is older than what the loop stands on. A document
 * never goes back a stage, so one of an earlier stage is stale, replayed or not (a request poll
 * that was out while the document polled may land after it). A replay (the feed's latest, maybe
 * one poll old) of the same stage is stale too after a poll of the document's own, which is at
 * least as fresh; a later stage is news either way, and a terminal status is never stale.
 */
function isStale(status: DocumentStatus, stand: Readonly<Stand>, replay: boolean): boolean {
  if (isTerminalDocumentStatus(status) || stand.latest === undefined) return false;
  const [stage, standing] = [stageOf(status), stageOf(stand.latest)];
  // A state of no known stage cannot be ordered: a replay after a poll of its own is all that
  // is known to be old.
  if (stage === undefined || standing === undefined) return replay && stand.polled;
  return stage < standing || (replay && stand.polled && stage === standing);
}

/** The document's status in a request status body, if it lists a valid one for this request. */
function entryStatus(
  body: string,
  documentId: string,
  requestId: string,
): DocumentStatus | undefined {
  const entry = requestBodyEntries(body)?.entries.get(documentId);
  return entry === undefined ? undefined : requestEntryStatus(entry, requestId);
}

/**
 * The request a document status names, when it is an id a request may have.
 *
 * @example
 * ```ts
 * const requestId = requestIdOfStatus(status); // undefined for a malformed id
 * ```
 */
export function requestIdOfStatus(status: DocumentStatus): string | undefined {
  try {
    return assertValidId(status.request_id, 'request');
  } catch {
    return undefined;
  }
}

/**
 * The request a document status body names (an object's kept answer), when it is a valid status
 * naming an id a request may have; otherwise `undefined`.
 *
 * @example
 * ```ts
 * const requestId = reply.status === 200 ? requestIdOfBody(reply.body) : undefined;
 * ```
 */
export function requestIdOfBody(body: string): string | undefined {
  const status = documentStatusOfBody(body);
  return status === undefined ? undefined : requestIdOfStatus(status);
}

/**
 * The document status a kept body holds, or undefined when it holds none (not JSON, not valid).
 *
 * @example
 * ```ts
 * const kept = documentStatusOfBody(reply.body);
 * ```
 */
export function documentStatusOfBody(body: string): DocumentStatus | undefined {
  try {
    return parseDocumentStatus(JSON.parse(body));
  } catch {
    return undefined;
  }
}
