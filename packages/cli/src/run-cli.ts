import type { CliIo } from './cli-io.ts';
import { CLI_VERSION } from './cli-version.ts';
import { describeError } from './describe-error.ts';
import { EXIT_CODES } from './exit-codes.ts';
import { type Invocation, parseInvocation } from './parse-invocation.ts';
import { redactingOutput } from './redacting-output.ts';
import { COMMAND_USAGE, MAIN_USAGE } from './usage-text.ts';

/**
 * Runs `neurostatus` with the given arguments (without `node` and the script) and resolves to its
 * exit code; it never throws and never calls `process.exit`. `--help` and `--version` answer
 * without loading any network code: each command's module is imported only when it runs.
 *
 * @example
 * ```ts
 * import { runCli } from '@neurostatus/cli';
 *
 * const code = await runCli(['wait', documentId, '--timeout', '10m'], {
 *   stdout: process.stdout,
 *   stderr: process.stderr,
 *   env: process.env,
 * });
 * process.exitCode = code;
 * ```
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let invocation: Invocation;
  try {
    invocation = parseInvocation(argv, io);
  } catch (error) {
    return report(error, io, argv.includes('--debug'));
  }
  if (invocation.command === 'version') {
    io.stdout.write(`${CLI_VERSION}\n`);
    return EXIT_CODES.ok;
  }
  if (invocation.command === 'help') {
    io.stdout.write(invocation.topic === undefined ? MAIN_USAGE : COMMAND_USAGE[invocation.topic]);
    return EXIT_CODES.ok;
  }
  const secrets =
    'apiKey' in invocation && invocation.apiKey !== undefined ? [invocation.apiKey] : [];
  const safeIo: CliIo = {
    ...io,
    stdout: redactingOutput(io.stdout, secrets),
    stderr: redactingOutput(io.stderr, secrets),
  };
  try {
    switch (invocation.command) {
      case 'simulator': {
        const { runSimulatorCommand } = await import('./simulator-command.ts');
        return await runSimulatorCommand(invocation, safeIo);
      }
      case 'status': {
        const { runStatusCommand } = await import('./status-command.ts');
        return await runStatusCommand(invocation, safeIo);
      }
      default: {
        const { runWatchCommand } = await import('./watch-command.ts');
        return await runWatchCommand(invocation, safeIo);
      }
    }
  } catch (error) {
    // Ctrl-C: the command has restored the terminal; say nothing more.
    if (io.signal?.aborted === true) return EXIT_CODES.interrupted;
    return report(error, safeIo, invocation.debug);
  }
}

function report(error: unknown, io: CliIo, debug: boolean): number {
  const { message, exitCode } = describeError(error);
  io.stderr.write(`neurostatus: ${message}\n`);
  if (debug && error instanceof Error && error.stack !== undefined) {
    io.stderr.write(`${error.stack}\n`);
  }
  return exitCode;
}
