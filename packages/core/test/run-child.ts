import { type ChildProcess, spawn } from 'node:child_process';

/** How a child process ended and what it printed. */
export interface ChildOutcome {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** True when `timeoutMs` ran out and the child was killed. */
  readonly timedOut: boolean;
}

export interface RunChildOptions {
  readonly cwd: string;
  readonly timeoutMs: number;
  readonly env?: NodeJS.ProcessEnv;
}

const running = new Set<ChildProcess>();

/**
 * Runs `command` directly (no shell, no wrapper script, so the pid is the process doing the work)
 * and resolves when it exits. On timeout it kills that pid and still resolves, with `timedOut`.
 *
 * @example
 * ```ts
 * const { exitCode, stdout } = await runChild(denoPath, ['--version'], { cwd, timeoutMs: 10_000 });
 * ```
 */
export function runChild(
  command: string,
  args: readonly string[],
  options: RunChildOptions,
): Promise<ChildOutcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.add(child);
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      running.delete(child);
      reject(error);
    });
    child.once('close', (exitCode, signal) => {
      clearTimeout(timer);
      running.delete(child);
      resolve({ exitCode, signal, stdout, stderr, timedOut });
    });
  });
}

/** Kills, by pid, every child started by {@link runChild} that is still running. */
export function killRunningChildren(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}
