import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startPtySession, stopPtySessions } from './test-support/pty-session.ts';
import { type SimulatorFixture, startSimulatorFixture } from './test-support/simulator-fixture.ts';

let sim: SimulatorFixture;
beforeAll(async () => {
  sim = await startSimulatorFixture();
});
afterAll(() => sim.server.close());
afterEach(stopPtySessions);

const FAST = ['--interval', '50ms'];
const SGR_COLOUR = /\u001b\[3\dm/;
const HIDE_CURSOR = '\u001b[?25l';
const SHOW_CURSOR = '\u001b[?25h';
const nonEmpty = (lines: string[]) => lines.filter((line) => line.trim() !== '');

describe('neurostatus watch on a terminal', () => {
  it('redraws one line per document in place and leaves a clean final summary', async () => {
    const { documentIds } = sim.submit([{}, { outcome: 'failed' }, {}]);
    const session = startPtySession(['watch', ...documentIds, ...FAST], sim.env);
    const live = await session.waitForScreen(
      (lines) => lines.filter((l) => l.includes('processing')).length === 3,
    );
    expect(live.find((line) => line.includes(documentIds[0]!))).toMatch(
      /^[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] \S+\s+processing\s+\S+/,
    );
    expect(nonEmpty(live).at(-1)).toMatch(/^0 completed, 3 unfinished of 3 in /);

    sim.clock.advance(10_001);
    expect(await session.exited()).toBe(1);
    const screen = nonEmpty(await session.screen());
    expect(screen).toHaveLength(4);
    expect(screen[0]).toMatch(new RegExp(`^✔ ${documentIds[0]}\\s+completed\\s+\\S+$`));
    expect(screen[1]).toMatch(new RegExp(`^✖ ${documentIds[1]}\\s+failed\\s+\\S+`));
    expect(screen[2]).toMatch(new RegExp(`^✔ ${documentIds[2]}\\s+completed`));
    expect(screen[3]).toMatch(/^2 completed, 1 failed of 3 in \S+$/);
    // Redrawn in place: nothing scrolled into the scrollback, however many frames were drawn.
    expect(nonEmpty(await session.allLines())).toEqual(screen);
    expect(session.raw()).toMatch(SGR_COLOUR);
    expect(session.raw().startsWith(HIDE_CURSOR)).toBe(true);
    expect(session.raw().endsWith(SHOW_CURSOR)).toBe(true);
  });

  it('draws a progress bar with done / total and the failed count for --request', async () => {
    const { requestId } = sim.submit([{}, { outcome: 'failed' }, { processingMs: 60_000 }]);
    const session = startPtySession(['watch', '--request', requestId, ...FAST], sim.env);
    await session.waitForScreen((lines) => lines.some((line) => line.includes('0/3 done')));
    sim.clock.advance(10_001);
    const middle = await session.waitForScreen((lines) =>
      lines.some((line) => line.includes('2/3 done')),
    );
    expect(middle.find((line) => line.includes('2/3 done'))).toMatch(
      /^ {2}█+░+ {2}2\/3 done · 1 failed · /,
    );
    sim.clock.advance(50_000);
    expect(await session.exited()).toBe(1);
    const screen = nonEmpty(await session.screen());
    expect(screen[0]).toBe(`Request ${requestId}  partial`);
    expect(screen[1]).toMatch(/^█{24} {2}3\/3 done · 1 failed · \S+$/);
    expect(screen[2]).toMatch(/^failed: \S+$/);
    expect(nonEmpty(await session.allLines())).toEqual(screen);
  });

  it('uses no colour with NO_COLOR, but still redraws in place', async () => {
    const { documentIds } = sim.submit([{}]);
    const session = startPtySession(['watch', documentIds[0]!, ...FAST], {
      ...sim.env,
      NO_COLOR: '1',
    });
    await session.waitForScreen((lines) => lines.some((line) => line.includes('processing')));
    sim.clock.advance(10_001);
    expect(await session.exited()).toBe(0);
    expect(session.raw()).not.toMatch(SGR_COLOUR);
    expect(nonEmpty(await session.screen())).toEqual([
      expect.stringMatching(/^✔ \S+\s+completed/),
      expect.stringMatching(/^1 completed of 1 in /),
    ]);
  });

  it('exits 130 on Ctrl-C with the cursor shown again and nothing printed after', async () => {
    const { documentIds } = sim.submit([{}]);
    const session = startPtySession(['watch', documentIds[0]!, ...FAST], sim.env);
    await session.waitForScreen((lines) => lines.some((line) => line.includes('processing')));
    session.pressCtrlC();
    expect(await session.exited()).toBe(130);
    const raw = session.raw();
    expect(raw.lastIndexOf(SHOW_CURSOR)).toBeGreaterThan(raw.lastIndexOf(HIDE_CURSOR));
    // After restoring the cursor: at most the terminal's own echo of ^C, no message, no frame.
    expect(raw.slice(raw.lastIndexOf(SHOW_CURSOR) + SHOW_CURSOR.length).replace('^C', '')).toBe('');
    const screen = nonEmpty(await session.screen()).filter((line) => line !== '^C');
    expect(screen.at(-1)).toMatch(/^(\^C)?0 completed, 1 unfinished of 1 in /);
  });

  it('cuts lines to the terminal width and never grows taller than the terminal', async () => {
    const { documentIds } = sim.submit(Array.from({ length: 12 }, () => ({})));
    const session = startPtySession(['watch', ...documentIds, ...FAST], sim.env, {
      cols: 40,
      rows: 8,
    });
    const live = await session.waitForScreen((lines) =>
      lines.some((line) => line.includes('more')),
    );
    expect(live.every((line) => line.length <= 39)).toBe(true);
    expect(live.some((line) => /… \d+ more/.test(line))).toBe(true);
    expect(nonEmpty(await session.allLines()).length).toBeLessThanOrEqual(8);
    sim.clock.advance(10_001);
    expect(await session.exited()).toBe(0);
  });
});
