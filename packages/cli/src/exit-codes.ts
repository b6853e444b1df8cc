/**
 * The exit codes of `neurostatus`, documented in the README and stable across releases, so shell
 * scripts can branch on them. When several apply (one document failed, another was not found),
 * the most specific wins, in this order: 2, 3, 4, 6, 5, 1.
 *
 * @example
 * ```ts
 * if ((await runCli(['wait', id], io)) === EXIT_CODES.failed) notifyTeam();
 * ```
 */
export const EXIT_CODES = {
  /** Every document (or the request) completed. */
  ok: 0,
  /** At least one document failed, a request ended `failed` or `partial`, or the command failed otherwise. */
  failed: 1,
  /** Bad usage: an unknown command or flag, a bad value, or a malformed id. No request was made. */
  usage: 2,
  /** No API key, or the API refused it (401, 402, 403). */
  auth: 3,
  /** A document or request was not found (404). */
  notFound: 4,
  /** `--timeout` passed before everything finished. */
  timeout: 5,
  /** The network or the API was unavailable after retries (connection errors, 5xx, 429, unusable answers). */
  unavailable: 6,
  /** Interrupted with Ctrl-C (SIGINT). */
  interrupted: 130,
  /** The reader of the output went away (`neurostatus watch | head -1`): 128 + SIGPIPE, as shells report it. */
  brokenPipe: 141,
} as const;

/**
 * One of the {@link EXIT_CODES}.
 *
 * @example
 * ```ts
 * const code: ExitCode = EXIT_CODES.timeout; // 5
 * ```
 */
export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];

/** Precedence when several outcomes apply: earlier entries win. */
const PRECEDENCE: readonly ExitCode[] = [2, 3, 4, 6, 5, 1, 0, 130, 141];

/**
 * The exit code that wins among several outcomes (see {@link EXIT_CODES}).
 *
 * @example
 * ```ts
 * strongestExitCode([0, 1, 4]); // 4
 * ```
 */
export function strongestExitCode(codes: Iterable<ExitCode>): ExitCode {
  let best: ExitCode = EXIT_CODES.ok;
  for (const code of codes) {
    if (PRECEDENCE.indexOf(code) < PRECEDENCE.indexOf(best)) best = code;
  }
  return best;
}
