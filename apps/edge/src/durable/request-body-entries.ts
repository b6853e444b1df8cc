import { parseRequestStatus, type RequestDocument, type RequestStatus } from '@neurostatus/core';
import { setNewest } from '../set-newest.ts';

/** A request status body, parsed, with its document entries by id. */
export interface RequestBodyEntries {
  readonly request: RequestStatus;
  readonly entries: ReadonlyMap<string, RequestDocument>;
}

/** How many bodies are remembered: the latest status of as many requests followed at once. */
const REMEMBERED = 8;
const remembered = new Map<string, RequestBodyEntries | undefined>();

/**
 * A request status body (as a feed sends it), parsed and validated once however many documents
 * read it: the feed hands the same body to each document that follows the request, and each looks
 * up its own entry, so N documents cost one parse per request status, not N. Remembers the last
 * few bodies (several requests' followers may interleave). `undefined` when the body is not a
 * valid request status.
 *
 * @example
 * ```ts
 * const entry = requestBodyEntries(body)?.entries.get(documentId);
 * ```
 */
export function requestBodyEntries(body: string): RequestBodyEntries | undefined {
  // The most recently used last: the oldest is the first to go.
  const known = remembered.has(body) ? remembered.get(body) : parse(body);
  setNewest(remembered, body, known, REMEMBERED);
  return known;
}

function parse(body: string): RequestBodyEntries | undefined {
  try {
    const request = parseRequestStatus(JSON.parse(body));
    const entries = new Map<string, RequestDocument>();
    // The first entry of an id is the one it stands for, as a search of the list would find.
    for (const entry of request.documents) {
      if (!entries.has(entry.document_id)) entries.set(entry.document_id, entry);
    }
    return { request, entries };
  } catch {
    return undefined;
  }
}
