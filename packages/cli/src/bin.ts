#!/usr/bin/env node
// The Node entry of `neurostatus`: the only file that touches `process`. Everything else gets its
// streams, environment and Ctrl-C signal through `runCli`'s `io`.
// biome-ignore lint/correctness/noNodejsModules: this is the Node entry point
import process from 'node:process';
import { EXIT_CODES } from './exit-codes.ts';
import { runCli } from './run-cli.ts';

/** SIGTERM ends like Ctrl-C, with the conventional 128 + 15. */
const EXIT_SIGTERM = 143;

const controller = new AbortController();
let received: NodeJS.Signals | undefined;
const onSignal = (signal: NodeJS.Signals): void => {
  // A second Ctrl-C while cleaning up leaves at once.
  if (received !== undefined) process.exit(EXIT_CODES.interrupted);
  received = signal;
  controller.abort(new Error(`interrupted by ${signal}`));
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
// The reader of our output went away (`neurostatus watch | head -1`): stop quietly, but not
// with 0, which means "all completed"; 141 is what a shell reports for a process killed by SIGPIPE.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(EXIT_CODES.brokenPipe);
  throw error;
});
// Whatever happens, leave the terminal with its cursor shown (the live view hides it).
process.on('exit', () => {
  if (process.stdout.isTTY) process.stdout.write('\u001b[?25h');
});

const code = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  signal: controller.signal,
});
// The last lines (a summary) may have gone into a pipe whose reader left: let that write settle,
// so its EPIPE ends the process with 141 above instead of 0 below.
await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
// Exit now rather than waiting for idle keep-alive sockets; on Linux, writes to pipes and
// terminals are synchronous, so nothing written is lost.
process.exit(received === 'SIGTERM' && code === EXIT_CODES.interrupted ? EXIT_SIGTERM : code);
