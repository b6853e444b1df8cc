import { type ChildProcess, spawn } from 'node:child_process';
import { inject } from 'vitest';

/** Environment variables a developer's shell may set that would change what the CLI does. */
const SCRUBBED = ['NEUROLINKER_API_KEY', 'NEUROLINKER_BASE_URL', 'NO_COLOR', 'FORCE_COLOR'];

/** Every child started through this module, so `stopStartedClis()` can end the stragglers. */
const started = new Set<ChildProcess>();

/** The environment for a spawned CLI: the current one without our variables, plus `env`. */
export function cliEnv(env: Record<string, string> = {}): NodeJS.ProcessEnv {
  const base = { ...process.env };
  for (const name of SCRUBBED) delete base[name];
  return { ...base, ...env };
}

/** A running `neurostatus` (the real built bin) with its output collected as it arrives. */
export interface CliProcess {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves when stdout satisfies `test`; rejects if the process exits first or after `timeoutMs`. */
  waitForStdout(test: (stdout: string) => boolean, timeoutMs?: number): Promise<string>;
  /** The exit code (or 128 + signal number); rejects after `timeoutMs`. */
  exited(timeoutMs?: number): Promise<number>;
}

/** Spawns the built bin with pipes for stdout and stderr (so not a terminal). */
export function spawnCli(args: readonly string[], env: Record<string, string> = {}): CliProcess {
  const child = spawn(process.execPath, [inject('cliBinPath'), ...args], {
    env: cliEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.add(child);
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk;
  });
  const exit = new Promise<number>((resolve) => {
    child.once('close', (code, signal) => {
      started.delete(child);
      resolve(code ?? 128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 9));
    });
  });
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    waitForStdout: (test, timeoutMs = 10_000) =>
      new Promise<string>((resolve, reject) => {
        const check = () => {
          if (!test(out)) return;
          cleanup();
          resolve(out);
        };
        const onExit = () => {
          cleanup();
          if (test(out)) resolve(out);
          else reject(new Error(`exited first; stdout: ${out}\nstderr: ${err}`));
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`timed out; stdout: ${out}\nstderr: ${err}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          child.stdout.off('data', check);
          child.off('close', onExit);
        };
        child.stdout.on('data', check);
        child.once('close', onExit);
        check();
      }),
    exited: (timeoutMs = 15_000) =>
      new Promise<number>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`still running; stdout: ${out}\nstderr: ${err}`)),
          timeoutMs,
        );
        exit.then((code) => {
          clearTimeout(timer);
          resolve(code);
        });
      }),
  };
}

/** Runs the bin to completion. */
export async function runCliToEnd(
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const cli = spawnCli(args, env);
  const code = await cli.exited();
  return { code, stdout: cli.stdout(), stderr: cli.stderr() };
}

/** Kills (by pid, via the handle) every child this module started that is still running. */
export function stopStartedClis(): void {
  for (const child of started) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  started.clear();
}

/** Any ANSI/ECMA-48 escape or control sequence. */
export const ESCAPE_CODE = /\u001b|\u009b/;
