import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ESCAPE_CODE, runCliToEnd, spawnCli, stopStartedClis } from './test-support/cli-process.ts';
import { type SimulatorFixture, startSimulatorFixture } from './test-support/simulator-fixture.ts';

let sim: SimulatorFixture;
beforeAll(async () => {
  sim = await startSimulatorFixture();
});
afterAll(() => sim.server.close());
afterEach(() => {
  stopStartedClis();
  sim.server.simulator.clearFaults();
});

const FAST = ['--interval', '50ms'];
const events = (stdout: string) =>
  stdout
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe('neurostatus watch, not on a terminal', () => {
  it('writes NDJSON, one event per change, ending with a summary, and exits 0', async () => {
    const { documentIds } = sim.submit([{}, {}]);
    const cli = spawnCli(['watch', ...documentIds, ...FAST], sim.env);
    await cli.waitForStdout((out) => out.split('\n').length > 2); // both seen processing
    sim.clock.advance(10_001);
    expect(await cli.exited()).toBe(0);
    expect(cli.stdout()).not.toMatch(ESCAPE_CODE);
    const all = events(cli.stdout());
    expect(all.map((event) => [event.type, event.document_id, event.status])).toEqual(
      expect.arrayContaining([
        ['document', documentIds[0], 'processing'],
        ['document', documentIds[1], 'processing'],
        ['document', documentIds[0], 'completed'],
        ['document', documentIds[1], 'completed'],
      ]),
    );
    expect(all).toHaveLength(5);
    const first = all[0]!;
    expect(Object.keys(first)).toEqual([
      'type',
      'document_id',
      'status',
      'elapsed_ms',
      'eta_ms',
      'payload',
    ]);
    expect(first.payload).toMatchObject({ document_id: first.document_id, status: 'processing' });
    expect(typeof first.elapsed_ms).toBe('number');
    expect(all.at(-1)).toEqual({
      type: 'summary',
      total: 2,
      completed: 2,
      failed: 0,
      errors: 0,
      elapsed_ms: expect.any(Number),
      exit_code: 0,
    });
    expect(cli.stderr()).toBe('');
  });

  it('exits 1 when a document failed', async () => {
    const { documentIds } = sim.submit([{}, { outcome: 'failed' }]);
    sim.clock.advance(10_001);
    const { code, stdout } = await runCliToEnd(
      ['watch', '--json', ...documentIds, ...FAST],
      sim.env,
    );
    expect(code).toBe(1);
    expect(events(stdout).at(-1)).toMatchObject({
      type: 'summary',
      completed: 1,
      failed: 1,
      exit_code: 1,
    });
  });

  it('writes request progress events with --request and exits 1 for a partial request', async () => {
    const { requestId, documentIds } = sim.submit([
      {},
      { outcome: 'failed', processingMs: 30_000 },
    ]);
    const cli = spawnCli(['watch', '--request', requestId, ...FAST], sim.env);
    await cli.waitForStdout((out) => out.includes('"type":"request"'));
    sim.clock.advance(10_001);
    await cli.waitForStdout((out) => out.includes('"completed":1'));
    sim.clock.advance(20_000);
    expect(await cli.exited()).toBe(1);
    const all = events(cli.stdout());
    expect(all[0]).toMatchObject({
      type: 'request',
      request_id: requestId,
      total: 2,
      completed: 0,
      terminal: false,
    });
    expect(Object.keys(all[0]!)).toEqual([
      'type',
      'request_id',
      'status',
      'total',
      'completed',
      'failed',
      'processing',
      'fraction',
      'eta_ms',
      'newly_completed',
      'newly_failed',
      'terminal',
      'elapsed_ms',
    ]);
    expect(all.at(-2)).toMatchObject({
      status: 'partial',
      fraction: 1,
      newly_failed: [documentIds[1]],
      terminal: true,
    });
    expect(all.at(-1)).toMatchObject({
      type: 'summary',
      request_id: requestId,
      status: 'partial',
      exit_code: 1,
    });
  });

  it('exits 5 when --timeout passes first', async () => {
    const { documentIds } = sim.submit([{}]);
    const { code, stdout, stderr } = await runCliToEnd(
      ['watch', documentIds[0]!, '--timeout', '300ms', ...FAST],
      sim.env,
    );
    expect(code).toBe(5);
    expect(events(stdout).at(-2)).toMatchObject({
      type: 'error',
      code: 'WATCH_TIMEOUT',
      exit_code: 5,
    });
    expect(stderr).toMatch(/^neurostatus: [^\n]+Raise --timeout[^\n]*\n$/);
  });

  it('exits 4 for an unknown document once the not-found grace has passed', async () => {
    const { code, stdout } = await runCliToEnd(
      ['watch', 'no-such-doc', '--not-found-grace', '0', ...FAST],
      sim.env,
    );
    expect(code).toBe(4);
    expect(events(stdout)[0]).toMatchObject({
      type: 'error',
      document_id: 'no-such-doc',
      code: 'NOT_FOUND',
    });
  });

  it('exits 4 for an unknown request', async () => {
    const { code, stdout } = await runCliToEnd(
      ['watch', '--request', 'no-such-req', '--not-found-grace', '0', ...FAST],
      sim.env,
    );
    expect(code).toBe(4);
    // An error line, then, as always, the closing summary with the exit code.
    expect(events(stdout)).toEqual([
      expect.objectContaining({ type: 'error', request_id: 'no-such-req', exit_code: 4 }),
      expect.objectContaining({ type: 'summary', exit_code: 4 }),
    ]);
  });

  it('exits 6 when the API is unreachable after retries', async () => {
    const { code, stderr } = await runCliToEnd(['watch', 'doc-1', ...FAST], {
      ...sim.env,
      NEUROLINKER_BASE_URL: 'http://127.0.0.1:9/api/v1',
    });
    expect(code).toBe(6);
    expect(stderr).toMatch(/^neurostatus: doc-1: [^\n]+Check your network[^\n]*\n$/);
  });

  it('exits 3 when the key is rejected, and never prints the key, even with --debug', async () => {
    const key = 'nl_wrong000000000000000000000000009';
    const { documentIds } = sim.submit([{}]);
    const { code, stdout, stderr } = await runCliToEnd(
      ['watch', documentIds[0]!, '--debug', ...FAST],
      {
        ...sim.env,
        NEUROLINKER_API_KEY: key,
      },
    );
    expect(code).toBe(3);
    expect(stderr).toContain('neurostatus: debug: 401 GET');
    expect(`${stdout}${stderr}`).not.toContain(key);
  });

  it('exits 130 on SIGINT, writing nothing more', async () => {
    const { documentIds } = sim.submit([{}]);
    const cli = spawnCli(['watch', documentIds[0]!, ...FAST], sim.env);
    const before = await cli.waitForStdout((out) => out.includes('"processing"'));
    cli.child.kill('SIGINT');
    expect(await cli.exited()).toBe(130);
    expect(cli.stdout()).toBe(before);
    expect(cli.stderr()).toBe('');
  });

  it('exits 143 on SIGTERM', async () => {
    const { documentIds } = sim.submit([{}]);
    const cli = spawnCli(['watch', documentIds[0]!, ...FAST], sim.env);
    await cli.waitForStdout((out) => out.includes('"processing"'));
    cli.child.kill('SIGTERM');
    expect(await cli.exited()).toBe(143);
  });
});

describe('neurostatus wait', () => {
  it('prints nothing but a final summary and exits 0 when every document completed', async () => {
    const { documentIds } = sim.submit([{}, { processingMs: 20_000 }]);
    const cli = spawnCli(['wait', ...documentIds, ...FAST], sim.env);
    sim.clock.advance(10_001);
    sim.clock.advance(10_000);
    expect(await cli.exited()).toBe(0);
    const lines = cli.stdout().trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(new RegExp(`^${documentIds[0]}\\s+completed\\s+\\S+$`));
    expect(lines[2]).toMatch(/^2 completed of 2 in \S+$/);
    expect(cli.stdout()).not.toMatch(ESCAPE_CODE);
  });

  it('prints only final events and the summary with --json', async () => {
    const { documentIds } = sim.submit([{}, { outcome: 'failed' }]);
    const cli = spawnCli(['wait', '--json', ...documentIds, ...FAST], sim.env);
    sim.clock.advance(10_001);
    expect(await cli.exited()).toBe(1);
    const all = events(cli.stdout());
    expect(all.map((event) => event.status ?? event.type)).toEqual(
      expect.arrayContaining(['completed', 'failed', 'summary']),
    );
    expect(all).toHaveLength(3);
  });

  it('waits for a request and exits 0 when it completed', async () => {
    const { requestId } = sim.submit([{}, {}]);
    const cli = spawnCli(['wait', '--request', requestId, ...FAST], sim.env);
    sim.clock.advance(10_001);
    expect(await cli.exited()).toBe(0);
    expect(cli.stdout()).toMatch(
      new RegExp(`^Request ${requestId}  completed\\n\\S+  2/2 done · \\S+\\n$`),
    );
  });

  it('exits 5 with a timeout, and 2 for a bad duration', async () => {
    const { documentIds } = sim.submit([{}]);
    expect(
      (await runCliToEnd(['wait', documentIds[0]!, '--timeout', '200ms', ...FAST], sim.env)).code,
    ).toBe(5);
    expect((await runCliToEnd(['wait', documentIds[0]!, '--timeout', '-1s'], sim.env)).code).toBe(
      2,
    );
  });
});
