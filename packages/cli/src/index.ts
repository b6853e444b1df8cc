// The public API of @neurostatus/cli, by name. The `neurostatus` command itself is `dist/bin.js`.
export type { CliIo, CliOutput } from './cli-io.ts';
export { EXIT_CODES, type ExitCode } from './exit-codes.ts';
export { runCli } from './run-cli.ts';
