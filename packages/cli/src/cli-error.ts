import type { ExitCode } from './exit-codes.ts';

/**
 * A failure the CLI explains itself (a missing key, a port in use): one line on stderr and a
 * chosen exit code.
 *
 * @example
 * ```ts
 * throw new CliError('port 4010 is in use. Pick another with --port', EXIT_CODES.failed);
 * ```
 */
export class CliError extends Error {
  override readonly name = 'CliError';
  readonly code = 'CLI_ERROR';
  readonly exitCode: ExitCode;

  constructor(message: string, exitCode: ExitCode, options?: ErrorOptions) {
    super(message, options);
    this.exitCode = exitCode;
  }
}
