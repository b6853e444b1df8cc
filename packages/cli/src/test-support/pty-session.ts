import pty from '@lydell/node-pty';
import headless from '@xterm/headless';
import { inject } from 'vitest';
import { cliEnv } from './cli-process.ts';

const { Terminal } = headless;

/** `neurostatus` running on a pseudo-terminal, its output rendered by a headless xterm. */
export interface PtySession {
  /** Every byte the CLI wrote, as text. */
  raw(): string;
  /** The visible screen, one string per row, right-trimmed. */
  screen(): Promise<string[]>;
  /** Every line that scrolled off the top plus the screen (the scrollback). */
  allLines(): Promise<string[]>;
  /** Resolves when the rendered screen satisfies `test`; rejects after `timeoutMs` or on exit. */
  waitForScreen(test: (lines: string[]) => boolean, timeoutMs?: number): Promise<string[]>;
  /** Types Ctrl-C: the terminal sends SIGINT to the CLI, as for a person at the keyboard. */
  pressCtrlC(): void;
  exited(timeoutMs?: number): Promise<number>;
}

const sessions = new Set<{ kill(): void; done: boolean }>();

/** Starts the built bin on an 80x24 pseudo-terminal. */
export function startPtySession(
  args: readonly string[],
  env: Record<string, string> = {},
  size = { cols: 80, rows: 24 },
): PtySession {
  const terminal = new Terminal({ ...size, allowProposedApi: true, scrollback: 1000 });
  const child = pty.spawn(process.execPath, [inject('cliBinPath'), ...args], {
    name: 'xterm-256color',
    ...size,
    env: cliEnv({ TERM: 'xterm-256color', ...env }) as Record<string, string>,
  });
  const entry = { kill: () => child.kill('SIGKILL'), done: false };
  sessions.add(entry);
  let raw = '';
  let written = Promise.resolve();
  child.onData((data) => {
    raw += data;
    written = written.then(() => new Promise<void>((resolve) => terminal.write(data, resolve)));
  });
  const exit = new Promise<number>((resolve) => {
    child.onExit(({ exitCode, signal }) => {
      entry.done = true;
      sessions.delete(entry);
      resolve(signal ? 128 + signal : exitCode);
    });
  });
  let exitedAlready = false;
  exit.then(() => {
    exitedAlready = true;
  });
  const lines = (from: number, to: number) => {
    const buffer = terminal.buffer.active;
    const out: string[] = [];
    for (let row = from; row < to; row++)
      out.push(buffer.getLine(row)?.translateToString(true) ?? '');
    return out;
  };
  const screen = async () => {
    await written;
    const buffer = terminal.buffer.active;
    return lines(buffer.baseY, buffer.baseY + terminal.rows);
  };
  return {
    raw: () => raw,
    screen,
    allLines: async () => {
      await written;
      return lines(0, terminal.buffer.active.length);
    },
    waitForScreen: async (test, timeoutMs = 10_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const current = await screen();
        if (test(current)) return current;
        if (exitedAlready || Date.now() > deadline) {
          throw new Error(`screen never matched:\n${current.join('\n')}`);
        }
        // Poll the rendered screen; the assertion does not depend on this pace.
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    pressCtrlC: () => child.write('\u0003'),
    exited: async (timeoutMs = 15_000) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`still running:\n${raw}`)), timeoutMs);
      });
      try {
        const code = await Promise.race([exit, timeout]);
        await written;
        return code;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** Kills every pty child still running (the ones this module started). */
export function stopPtySessions(): void {
  for (const session of sessions) if (!session.done) session.kill();
  sessions.clear();
}
