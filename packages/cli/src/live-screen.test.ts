import { describe, expect, it } from 'vitest';
import type { CliOutput } from './cli-io.ts';
import { LiveScreen } from './live-screen.ts';

const CLEAR_TO_END = '\u001b[J';

function fakeTerminal(size: { columns?: number; rows?: number } = { columns: 80, rows: 24 }) {
  const writes: string[] = [];
  const output = {
    isTTY: true,
    ...size,
    write: (text: string) => writes.push(text),
  } as unknown as CliOutput;
  return { output, writes };
}

describe('LiveScreen', () => {
  it('redraws lines in place without clearing the screen from the top of the frame', () => {
    const { output, writes } = fakeTerminal();
    const screen = new LiveScreen(output);
    screen.draw(['a', 'b']);
    screen.draw(['a2', 'b2']);
    // tmux pushes the screen into the scrollback whenever a clear starts at the first row:
    // a frame of the same height must not clear at all, only erase each line's end.
    expect(writes.at(-1)).toBe('\r\u001b[2Aa2\u001b[K\nb2\u001b[K\n');
    expect(writes.at(-1)).not.toContain(CLEAR_TO_END);
  });

  it('clears only below the new frame when it shrinks', () => {
    const { output, writes } = fakeTerminal();
    const screen = new LiveScreen(output);
    screen.draw(['a', 'b', 'c']);
    screen.draw(['a']);
    expect(writes.at(-1)).toBe(`\r\u001b[3Aa\u001b[K\n${CLEAR_TO_END}`);
  });

  it('treats a terminal that reports 0 x 0 as 80 x 24', () => {
    const { output, writes } = fakeTerminal({ columns: 0, rows: 0 });
    const screen = new LiveScreen(output);
    expect(screen.maxLines).toBe(23);
    screen.draw(['x'.repeat(60)]);
    expect(writes.at(-1)).toContain('x'.repeat(60));
  });

  it('shows the cursor again on close, once', () => {
    const { output, writes } = fakeTerminal();
    const screen = new LiveScreen(output);
    screen.close(['done']);
    screen.close(['again']);
    expect(writes.join('')).toMatch(/done\u001b\[K\n\u001b\[\?25h$/);
  });
});
