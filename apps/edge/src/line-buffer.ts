/** Options of {@link createLineBuffer}. */
export interface LineBufferOptions {
  /** Receives one or more whole lines, each ending in `\n`. A throw keeps them for the next flush. */
  readonly write: (text: string) => void;
  /** How long a line may wait before it is written, ms. Default 50. */
  readonly flushAfterMs?: number;
  /** Written at once when this many characters are waiting. Default 65 536. */
  readonly maxPendingChars?: number;
}

/** See {@link createLineBuffer}. */
export interface LineBuffer {
  /** Queues one line (without its `\n`). */
  push(line: string): void;
  /** Writes every queued line now (on shutdown, before the process exits). */
  flush(): void;
}

const DEFAULTS = { flushAfterMs: 50, maxPendingChars: 65_536 } as const;

/**
 * Batches log lines into few writes: one write per `flushAfterMs`, or as soon as
 * `maxPendingChars` are waiting, instead of one system call per line. No line is dropped: a
 * write that throws (a full pipe) keeps its text for the next flush, and the runtime entries call
 * `flush()` before they exit. The timer is looked up when needed and unref'd where the runtime
 * allows, so a pending flush never keeps a process alive.
 *
 * @throws {TypeError} for a `flushAfterMs` or `maxPendingChars` that is not a positive number.
 * @example
 * ```ts
 * const lines = createLineBuffer({ write: (text) => process.stdout.write(text) });
 * lines.push(JSON.stringify(record));
 * process.on('exit', () => lines.flush());
 * ```
 */
export function createLineBuffer(options: LineBufferOptions): LineBuffer {
  const { write } = options;
  const flushAfterMs = options.flushAfterMs ?? DEFAULTS.flushAfterMs;
  const maxPendingChars = options.maxPendingChars ?? DEFAULTS.maxPendingChars;
  for (const [name, value] of Object.entries({ flushAfterMs, maxPendingChars })) {
    if (!(typeof value === 'number' && value > 0 && Number.isFinite(value))) {
      throw new TypeError(`\`${name}\` must be a positive number, got ${String(value)}.`);
    }
  }
  let pending = '';
  let timer: ReturnType<typeof setTimeout> | undefined;

  const flush = (): void => {
    if (timer !== undefined) {
      clearTimeout(timer);
      timer = undefined;
    }
    if (pending === '') return;
    const text = pending;
    pending = '';
    try {
      write(text);
    } catch (error) {
      // Kept, in order, ahead of what came since; the next push schedules another try.
      pending = text + pending;
      throw error;
    }
  };
  const flushLater = () => {
    try {
      flush();
    } catch {
      schedule();
    }
  };
  const schedule = () => {
    if (timer !== undefined) return;
    timer = setTimeout(flushLater, flushAfterMs);
    (timer as { unref?: () => void }).unref?.();
  };

  return {
    push(line) {
      pending += `${line}\n`;
      if (pending.length >= maxPendingChars) flushLater();
      else schedule();
    },
    flush,
  };
}
