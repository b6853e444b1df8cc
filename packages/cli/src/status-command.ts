import {
  type DocumentStatus,
  isNeurolinkerError,
  type NeurolinkerClient,
  type RequestStatus,
} from '@neurostatus/core';
import { checkIds } from './check-ids.ts';
import type { CliIo } from './cli-io.ts';
import { colourState } from './colour-state.ts';
import { createApiClient } from './create-api-client.ts';
import { describeError } from './describe-error.ts';
import { EXIT_CODES, type ExitCode, strongestExitCode } from './exit-codes.ts';
import type { ApiInvocation } from './parse-invocation.ts';
import { plainText } from './plain-text.ts';
import { createTerminalStyle, type TerminalStyle } from './terminal-style.ts';

/** Status reads in flight at once, so a long id list does not trip the API's rate limit. */
const CONCURRENCY = 4;

/**
 * `neurostatus status`: reads each document's status once (or a request's) and prints a table,
 * or with `--json` one parsed payload per line. Exit 0 unless a document failed (1) or a read
 * failed (its own code, each error on stderr).
 *
 * @example
 * ```ts
 * const code = await runStatusCommand(invocation, io);
 * ```
 */
export async function runStatusCommand(invocation: ApiInvocation, io: CliIo): Promise<ExitCode> {
  checkIds(invocation);
  const client = createApiClient(invocation, io);
  const style = createTerminalStyle(invocation.color);
  const signal = io.signal;
  const options = signal === undefined ? {} : { signal };
  if (invocation.requestId !== undefined) {
    const request = await client.getRequestStatus(invocation.requestId, options);
    if (invocation.json) io.stdout.write(`${JSON.stringify(request)}\n`);
    else io.stdout.write(requestTable(request, style));
    const anyFailed =
      request.documents.some((entry) => entry.status === 'failed') || (request.failed ?? 0) > 0;
    return request.status === 'failed' || request.status === 'partial' || anyFailed
      ? EXIT_CODES.failed
      : EXIT_CODES.ok;
  }
  const results = await readAll(client, invocation.documentIds, options);
  // Interrupted: print nothing more, not even the answers that came in before Ctrl-C.
  signal?.throwIfAborted();
  const codes: ExitCode[] = [];
  const rows: DocumentStatus[] = [];
  for (const [index, result] of results.entries()) {
    if (result.ok) {
      rows.push(result.status);
      codes.push(result.status.status === 'failed' ? EXIT_CODES.failed : EXIT_CODES.ok);
      if (invocation.json) io.stdout.write(`${JSON.stringify(result.status)}\n`);
      continue;
    }
    if (signal?.aborted === true || !isNeurolinkerError(result.error)) throw result.error;
    const { message, exitCode } = describeError(result.error);
    codes.push(exitCode);
    io.stderr.write(`neurostatus: ${invocation.documentIds[index]}: ${message}\n`);
  }
  if (!invocation.json && rows.length > 0) io.stdout.write(documentTable(rows, style));
  return strongestExitCode(codes);
}

type ReadResult = { ok: true; status: DocumentStatus } | { ok: false; error: unknown };

async function readAll(
  client: NeurolinkerClient,
  ids: readonly string[],
  options: { signal?: AbortSignal },
): Promise<ReadResult[]> {
  const results: ReadResult[] = new Array(ids.length);
  let next = 0;
  const worker = async () => {
    while (next < ids.length) {
      const index = next++;
      try {
        results[index] = { ok: true, status: await client.getDocumentStatus(ids[index]!, options) };
      } catch (error) {
        results[index] = { ok: false, error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, ids.length) }, worker));
  return results;
}

function documentTable(rows: readonly DocumentStatus[], style: TerminalStyle): string {
  return table(
    ['DOCUMENT', 'STATUS', 'FILE', 'PAGES', 'STARTED', 'COMPLETED'],
    rows.map((row) => [
      row.document_id,
      row.status,
      row.file_name ?? '',
      row.total_pages === undefined ? '' : String(row.total_pages),
      row.started_at ?? '',
      row.completed_at ?? '',
    ]),
    style,
  );
}

function requestTable(request: RequestStatus, style: TerminalStyle): string {
  const head =
    `${style.bold('Request')} ${plainText(request.request_id)}: ${colourState(plainText(request.status), style)}` +
    counts(request) +
    '\n';
  return (
    head +
    table(
      ['DOCUMENT', 'STATUS', 'FILE'],
      request.documents.map((entry) => [entry.document_id, entry.status, entry.filename ?? '']),
      style,
    )
  );
}

function counts(request: RequestStatus): string {
  const parts: string[] = [];
  for (const key of ['completed', 'failed', 'processing', 'total'] as const) {
    const value = request[key];
    if (typeof value === 'number') parts.push(`${key} ${value}`);
  }
  return parts.length === 0 ? '' : ` (${parts.join(', ')})`;
}

/** Plain columns, padded to the widest cell; the status column (index 1) is coloured. */
function table(header: readonly string[], rows: readonly string[][], style: TerminalStyle): string {
  // Every cell may come from the server (file names are whatever the user uploaded).
  const safeRows = rows.map((row) => row.map((cell) => plainText(cell, 120)));
  const widths = header.map((title, column) =>
    Math.max(title.length, ...safeRows.map((row) => row[column]!.length)),
  );
  const line = (cells: readonly string[], head: boolean) =>
    cells
      .map((cell, column) => {
        const padded = column === cells.length - 1 ? cell : cell.padEnd(widths[column]!);
        if (head) return style.bold(padded);
        return column === 1 ? padded.replace(cell, colourState(cell, style)) : padded;
      })
      .join('  ')
      .trimEnd();
  return [line(header, true), ...safeRows.map((row) => line(row, false))]
    .map((l) => `${l}\n`)
    .join('');
}
