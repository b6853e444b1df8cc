import { isTerminalDocumentStatus, type NeurolinkerClient } from '@neurostatus/core';
import {
  type CompletionEstimator,
  createCompletionEstimator,
  fixedInterval,
  type WatchOptions,
  watchMany,
  watchRequest,
} from '@neurostatus/poller';
import { checkIds } from './check-ids.ts';
import type { CliIo } from './cli-io.ts';
import { createApiClient } from './create-api-client.ts';
import { describeError } from './describe-error.ts';
import { EXIT_CODES, type ExitCode, strongestExitCode } from './exit-codes.ts';
import { LiveReporter } from './live-reporter.ts';
import { NdjsonReporter } from './ndjson-reporter.ts';
import type { ApiInvocation } from './parse-invocation.ts';
import { SummaryReporter } from './summary-reporter.ts';
import { createTerminalStyle } from './terminal-style.ts';
import type { DocumentRow, RequestView } from './watch-model.ts';
import type { WatchReporter } from './watch-reporter.ts';

const now = () => Date.now();

/**
 * `neurostatus watch` and `neurostatus wait`: polls documents (through one poll scheduler, within
 * a request-rate budget) or a request until everything is terminal, reporting live on a terminal,
 * as NDJSON in pipes or with `--json`, or (`wait`) only as a final summary. Resolves to the exit
 * code; throws for errors that end the whole watch (a request's, or the signal's reason).
 *
 * @example
 * ```ts
 * const code = await runWatchCommand({ ...invocation, command: 'wait' }, io);
 * ```
 */
export async function runWatchCommand(invocation: ApiInvocation, io: CliIo): Promise<ExitCode> {
  checkIds(invocation);
  const client = createApiClient(invocation, io);
  const reporter = createReporter(invocation, io);
  try {
    return invocation.requestId === undefined
      ? await watchDocuments(client, invocation, io, reporter)
      : await watchOneRequest(client, invocation.requestId, invocation, io, reporter);
  } finally {
    reporter.close();
  }
}

function createReporter(invocation: ApiInvocation, io: CliIo): WatchReporter {
  const style = createTerminalStyle(invocation.color);
  if (invocation.json) return new NdjsonReporter(io.stdout, now, invocation.command === 'wait');
  if (invocation.command === 'wait') return new SummaryReporter(io.stdout, style, now);
  // --debug writes log lines to the same terminal, which would garble a redrawn view.
  if (invocation.interactive && !invocation.debug) return new LiveReporter(io.stdout, style, now);
  return new NdjsonReporter(io.stdout, now, false);
}

/** Poller options from the flags: `--interval` pins the poll interval, error backoff included. */
function watchOptions(
  invocation: ApiInvocation,
  io: CliIo,
  estimator: CompletionEstimator,
): WatchOptions {
  const options: WatchOptions = { estimator };
  if (io.signal !== undefined) options.signal = io.signal;
  if (invocation.timeoutMs !== undefined) options.timeoutMs = invocation.timeoutMs;
  if (invocation.notFoundGraceMs !== undefined)
    options.notFoundGraceMs = invocation.notFoundGraceMs;
  if (invocation.intervalMs !== undefined) {
    options.policy = fixedInterval(invocation.intervalMs);
    options.minIntervalMs = invocation.intervalMs;
    options.maxIntervalMs = invocation.intervalMs;
  }
  return options;
}

async function watchDocuments(
  client: NeurolinkerClient,
  invocation: ApiInvocation,
  io: CliIo,
  reporter: WatchReporter,
): Promise<ExitCode> {
  const started = now();
  const estimator = createCompletionEstimator();
  const rows = invocation.documentIds.map(
    (documentId): DocumentRow => ({ documentId, state: 'waiting', watchStartedAt: started }),
  );
  const byId = new Map(rows.map((row) => [row.documentId, row]));
  const { signal, ...options } = watchOptions(invocation, io, estimator);
  const stream = watchMany(client, invocation.documentIds, {
    ...options,
    ...(signal === undefined ? {} : { signal }),
  });
  for await (const update of stream) {
    const row = byId.get(update.documentId);
    if (row === undefined) continue;
    if (update.status === undefined) {
      if (signal?.aborted === true) throw signal.reason;
      const { message, exitCode } = describeError(update.error);
      const code = (update.error as { code?: unknown } | null)?.code;
      row.state = 'error';
      row.error = { code: typeof code === 'string' ? code : 'ERROR', message, exitCode };
      row.endedAt = now();
    } else {
      row.status = update.status;
      row.state = update.status.status;
      if (isTerminalDocumentStatus(update.status)) {
        row.endedAt = now();
        delete row.expectedAt;
      } else {
        const expected = estimator.expect(update.status);
        if (expected === undefined) delete row.expectedAt;
        else row.expectedAt = expected.atMs;
      }
    }
    reporter.document(row, rows);
  }
  const exitCode = strongestExitCode(
    rows.map((row) => {
      if (row.error !== undefined) return row.error.exitCode;
      return row.state === 'completed' ? EXIT_CODES.ok : EXIT_CODES.failed;
    }),
  );
  reporter.finish({ exitCode, elapsedMs: now() - started });
  reportErrors(rows, io);
  return exitCode;
}

async function watchOneRequest(
  client: NeurolinkerClient,
  requestId: string,
  invocation: ApiInvocation,
  io: CliIo,
  reporter: WatchReporter,
): Promise<ExitCode> {
  const view: RequestView = { requestId, watchStartedAt: now(), progress: undefined };
  reporter.request(view);
  try {
    for await (const progress of watchRequest(
      client,
      requestId,
      watchOptions(invocation, io, createCompletionEstimator()),
    )) {
      view.progress = progress;
      if (progress.terminal) view.endedAt = now();
      reporter.request(view);
    }
  } catch (error) {
    if (io.signal?.aborted !== true) {
      const { message, exitCode } = describeError(error);
      const code = (error as { code?: unknown } | null)?.code;
      reporter.fail(
        { requestId },
        { code: typeof code === 'string' ? code : 'ERROR', message, exitCode },
      );
      // NDJSON readers always get a closing `summary` line with the exit code.
      reporter.finish({ exitCode, elapsedMs: now() - view.watchStartedAt });
    }
    throw error;
  }
  const state = view.progress?.request.status;
  // Any failed document means exit 1, whatever the request's own status says.
  const anyFailed = (view.progress?.failed ?? 0) > 0;
  const exitCode =
    state === 'failed' || state === 'partial' || anyFailed ? EXIT_CODES.failed : EXIT_CODES.ok;
  reporter.finish({ exitCode, elapsedMs: now() - view.watchStartedAt });
  return exitCode;
}

/** Beyond this many failed watches, stderr gets one line per kind of error instead of one per document. */
const MAX_ERROR_LINES = 10;

/** One stderr line per failed watch, or, for many, one per error code with a count and an example. */
function reportErrors(rows: readonly DocumentRow[], io: CliIo): void {
  const failed = rows.filter((row) => row.error !== undefined);
  if (failed.length <= MAX_ERROR_LINES) {
    for (const row of failed)
      io.stderr.write(`neurostatus: ${row.documentId}: ${row.error?.message}\n`);
    return;
  }
  const byCode = new Map<string, DocumentRow[]>();
  for (const row of failed) {
    const code = row.error?.code ?? 'ERROR';
    byCode.set(code, [...(byCode.get(code) ?? []), row]);
  }
  for (const [code, group] of byCode) {
    const first = group[0] as DocumentRow;
    io.stderr.write(
      `neurostatus: ${group.length} documents: ${code}; first: ${first.documentId}: ${first.error?.message}\n`,
    );
  }
}
