import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ESCAPE_CODE, runCliToEnd, spawnCli, stopStartedClis } from './test-support/cli-process.ts';
import { startPtySession, stopPtySessions } from './test-support/pty-session.ts';
import { type SimulatorFixture, startSimulatorFixture } from './test-support/simulator-fixture.ts';

const FAST = ['--interval', '50ms'];
const SGR_COLOUR = /\u001b\[3\dm/;

let sim: SimulatorFixture;
beforeAll(async () => {
  sim = await startSimulatorFixture();
});
afterAll(() => sim.server.close());
afterEach(() => {
  stopStartedClis();
  stopPtySessions();
});

describe('text from the server', () => {
  it('never reaches a pipe or a terminal with its control characters', async () => {
    const { documentIds } = sim.submit([
      {
        fileName: '\u001b[31mRED\u001b]0;pwned\u0007.pdf',
        outcome: 'failed',
        errorMessage: '\u001b[2Jcleared',
      },
    ]);
    sim.clock.advance(10_001);
    const status = await runCliToEnd(['status', documentIds[0]!], sim.env);
    expect(status.stdout).toContain('RED');
    expect(status.stdout).not.toMatch(ESCAPE_CODE);
    const wait = await runCliToEnd(['wait', documentIds[0]!, ...FAST], sim.env);
    expect(wait.code).toBe(1);
    expect(wait.stdout + wait.stderr).not.toMatch(ESCAPE_CODE);
  });
});

describe('colours on a terminal', () => {
  it.each([
    ['NO_COLOR', [], { NO_COLOR: '1' }],
    ['--no-color', ['--no-color'], {}],
  ])('are off with %s for status and wait', async (_label, flags, env) => {
    const { documentIds } = sim.submit([{}]);
    sim.clock.advance(10_001);
    for (const command of ['status', 'wait']) {
      const args = [command, documentIds[0]!, ...flags, ...(command === 'wait' ? FAST : [])];
      const session = startPtySession(args, { ...sim.env, ...env });
      expect(await session.exited(), `${command}: ${session.raw()}`).toBe(0);
      expect(session.raw()).toContain('completed');
      expect(session.raw()).not.toMatch(SGR_COLOUR);
    }
  });

  it('are on by default, so the two checks above can fail', async () => {
    const { documentIds } = sim.submit([{}]);
    sim.clock.advance(10_001);
    const session = startPtySession(['status', documentIds[0]!], sim.env);
    expect(await session.exited()).toBe(0);
    expect(session.raw()).toMatch(SGR_COLOUR);
  });
});

describe('credentials and addresses', () => {
  it('exits 3 for a key with whitespace, naming where it came from, never echoing it', async () => {
    const key = 'nl_demo0000000000000000000000000001\n';
    const { code, stderr, stdout } = await runCliToEnd(['status', 'doc-1'], {
      ...sim.env,
      NEUROLINKER_API_KEY: key,
    });
    expect(code).toBe(3);
    expect(stderr).toContain('NEUROLINKER_API_KEY');
    expect(stderr + stdout).not.toContain(key.trim());
  });

  it('exits 2 for a base URL that is not an http(s) URL', async () => {
    const { code, stderr } = await runCliToEnd(
      ['status', 'doc-1', '--base-url', 'ftp://example.test/v1'],
      sim.env,
    );
    expect(code).toBe(2);
    expect(stderr).toContain('--base-url');
  });
});

describe('a reader that goes away', () => {
  it('ends watch with 141, not 0, when its pipe closes before the end', async () => {
    const { documentIds } = sim.submit([{ processingMs: 5_000 }, { processingMs: 600_000 }]);
    const cli = spawnCli(['watch', ...documentIds, ...FAST], sim.env);
    await cli.waitForStdout((out) => out.includes('\n'));
    cli.child.stdout?.destroy();
    // The first document completing makes it write into the closed pipe; the second keeps it running.
    sim.clock.advance(10_000);
    expect(await cli.exited()).toBe(141);
  });

  it('ends with 141 too when only its final lines meet the closed pipe', async () => {
    const { documentIds } = sim.submit([{ processingMs: 5_000 }]);
    const cli = spawnCli(['watch', documentIds[0]!, ...FAST], sim.env);
    await cli.waitForStdout((out) => out.includes('\n'));
    cli.child.stdout?.destroy();
    sim.clock.advance(10_000);
    expect(await cli.exited()).toBe(141);
  });
});
