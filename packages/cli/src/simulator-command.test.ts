import { createServer } from 'node:net';
import { DEMO_API_KEY, DEMO_REQUEST_ID } from '@neurostatus/simulator';
import { afterEach, describe, expect, it } from 'vitest';
import { runCliToEnd, spawnCli, stopStartedClis } from './test-support/cli-process.ts';

afterEach(stopStartedClis);

describe('neurostatus simulator', () => {
  it('serves the demo data, prints how to point neurostatus at it, and exits 0 on Ctrl-C', async () => {
    const cli = spawnCli(['simulator', '--port', '0', '--time-scale', '600']);
    const stdout = await cli.waitForStdout((out) => out.includes('Or in one line'));
    const baseUrl = /export NEUROLINKER_BASE_URL=(\S+)/.exec(stdout)?.[1];
    expect(baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/v1$/);
    expect(stdout).toContain(`export NEUROLINKER_API_KEY=${DEMO_API_KEY}`);
    expect(stdout).toContain(`neurostatus watch --request ${DEMO_REQUEST_ID}`);

    const wait = await runCliToEnd(['wait', '--request', DEMO_REQUEST_ID, '--interval', '100ms'], {
      NEUROLINKER_BASE_URL: baseUrl!,
      NEUROLINKER_API_KEY: DEMO_API_KEY,
    });
    expect(wait.code).toBe(1); // the demo request ends partial: one scan fails
    expect(wait.stdout).toContain('partial');

    cli.child.kill('SIGINT');
    expect(await cli.exited()).toBe(0);
    expect(cli.stderr()).toBe('');
  });

  it('defaults to port 4010 and exits 1 with one line when the port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as { port: number };
    try {
      const { code, stderr } = await runCliToEnd(['simulator', '--port', String(port)]);
      expect(code).toBe(1);
      expect(stderr).toBe(
        `neurostatus: port ${port} is in use. Pick another with --port (0 picks a free one)\n`,
      );
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
    expect((await runCliToEnd(['simulator', '--help'])).stdout).toContain('default: 4010');
  });
});
