// Help texts live apart from the commands so that `--help` loads none of the network code.

const GLOBAL_OPTIONS = `Global options:
  --api-key KEY        API key (default: $NEUROLINKER_API_KEY)
  --base-url URL       API base URL, e.g. the edge proxy (default: $NEUROLINKER_BASE_URL,
                       else https://neurolinker.api.ainexxo.com/api/v1)
  --no-color           no colours (also: NO_COLOR=1)
  --debug              log each HTTP request to stderr and show stack traces
  -h, --help           show help
  -v, --version        show the version`;

const EXIT_CODES_TEXT = `Exit codes:
  0 all completed   1 a document failed (or a request ended partial)   2 usage error or bad id
  3 missing or rejected API key   4 not found   5 timeout   6 network or API unavailable
  130 interrupted (Ctrl-C)   141 the reader of the output went away`;

const WATCH_OPTIONS = `  --request ID          watch a whole request instead of documents
  --timeout DURATION    give up after this long, exit 5 (e.g. 90s, 10m, 1h; default: none)
  --interval DURATION   poll at this fixed interval (default: adaptive, at most 3.75s apart)
  --not-found-grace DURATION
                        treat 404 as "not visible yet" this long after starting (default: 10s)
  --json                NDJSON output, one event per line`;

/**
 * `neurostatus --help`.
 *
 * @example
 * ```ts
 * io.stdout.write(MAIN_USAGE);
 * ```
 */
export const MAIN_USAGE = `Usage: neurostatus <command> [options]

Watch Neurolinker documents finish, or block on them in scripts.

Commands:
  status <document-id>...        print each document's status
  status --request <request-id>  print a request's status
  watch <document-id>...         live progress until every document finishes
  watch --request <request-id>   live progress bar for a whole request
  wait <document-id>...          block until done, then print a summary
  wait --request <request-id>    block until the request is done
  simulator [--port N]           run a local fake API with demo data (no key needed)

Run "neurostatus <command> --help" for the options of a command.

${GLOBAL_OPTIONS}

${EXIT_CODES_TEXT}
`;

/**
 * Per-command help, printed by `neurostatus <command> --help`.
 *
 * @example
 * ```ts
 * io.stdout.write(COMMAND_USAGE.wait);
 * ```
 */
export const COMMAND_USAGE = {
  status: `Usage: neurostatus status <document-id>... [options]
       neurostatus status --request <request-id> [options]

Print the current status of documents (a table on a terminal) or of a request.
Exits 0 when every status was read and none failed (pending ones included), 1 if any failed.

Options:
  --request ID          print a request's status instead
  --json                one parsed JSON payload per line

${GLOBAL_OPTIONS}

${EXIT_CODES_TEXT}
`,
  watch: `Usage: neurostatus watch <document-id>... [options]
       neurostatus watch --request <request-id> [options]

Show live progress until every document is completed or failed: one line per document with its
state, elapsed time and ETA, or a progress bar for a request. On a terminal it redraws in place
and ends with a summary; in a pipe (or with --json) it writes NDJSON, one event per change.

Options:
${WATCH_OPTIONS}

${GLOBAL_OPTIONS}

${EXIT_CODES_TEXT}
`,
  wait: `Usage: neurostatus wait <document-id>... [options]
       neurostatus wait --request <request-id> [options]

Block until every document is completed or failed, print only a final summary (NDJSON with
--json), and exit with a code a script can branch on.

Options:
${WATCH_OPTIONS}

${GLOBAL_OPTIONS}

${EXIT_CODES_TEXT}
`,
  simulator: `Usage: neurostatus simulator [--port N] [--time-scale X]

Run a fake Neurolinker API on 127.0.0.1 with demo documents, to try neurostatus without a key.
Prints the environment variables that point neurostatus at it. Stop it with Ctrl-C (exit 0).

Options:
  --port N              TCP port (default: 4010; 0 picks a free one)
  --time-scale X        run simulated time X times faster (default: 1)
  --debug               show stack traces
  -h, --help            show help
`,
} as const;
