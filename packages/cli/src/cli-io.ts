/**
 * Where the CLI writes: `process.stdout` / `process.stderr` fit, and so does a test double.
 *
 * @example
 * ```ts
 * const lines: string[] = [];
 * const stdout: CliOutput = { write: (text) => lines.push(text), isTTY: false };
 * ```
 */
export interface CliOutput {
  write(text: string): unknown;
  /** True when the stream is a terminal: then `watch` draws live progress and may use colour. */
  readonly isTTY?: boolean | undefined;
  /** Terminal width in columns, when known; lines are cut to fit so redraws never wrap. */
  readonly columns?: number | undefined;
  /** Terminal height in rows, when known; a live view never grows taller than this. */
  readonly rows?: number | undefined;
}

/**
 * Everything `runCli` touches outside itself, injected so the same code runs under tests.
 *
 * @example
 * ```ts
 * const controller = new AbortController();
 * process.once('SIGINT', () => controller.abort());
 * const code = await runCli(process.argv.slice(2), {
 *   stdout: process.stdout,
 *   stderr: process.stderr,
 *   env: process.env,
 *   signal: controller.signal,
 * });
 * ```
 */
export interface CliIo {
  readonly stdout: CliOutput;
  readonly stderr: CliOutput;
  /** Environment variables: `NEUROLINKER_API_KEY`, `NEUROLINKER_BASE_URL`, `NO_COLOR`, `TERM`. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Aborted on Ctrl-C: the command stops, restores the terminal and `runCli` resolves to 130. */
  readonly signal?: AbortSignal;
}
