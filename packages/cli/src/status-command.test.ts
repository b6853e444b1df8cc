import { DEMO_API_KEY, SECOND_API_KEY } from '@neurostatus/simulator';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ESCAPE_CODE, runCliToEnd, stopStartedClis } from './test-support/cli-process.ts';
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

describe('neurostatus status', () => {
  it('prints a plain table without escape codes when stdout is not a terminal, and exits 0', async () => {
    const { documentIds } = sim.submit([{}, { totalPages: 3 }]);
    const { code, stdout, stderr } = await runCliToEnd(['status', ...documentIds], sim.env);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).not.toMatch(ESCAPE_CODE);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^DOCUMENT\s+STATUS\s+FILE\s+PAGES/);
    expect(lines.slice(1).map((line) => line.split(/\s+/).slice(0, 2))).toEqual([
      [documentIds[0], 'processing'],
      [documentIds[1], 'processing'],
    ]);
  });

  it('prints one parsed payload per line with --json', async () => {
    const { documentIds } = sim.submit([{}, {}]);
    sim.clock.advance(10_001);
    const { code, stdout } = await runCliToEnd(['status', '--json', ...documentIds], sim.env);
    expect(code).toBe(0);
    const payloads = stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(payloads.map((payload) => [payload.document_id, payload.status])).toEqual([
      [documentIds[0], 'completed'],
      [documentIds[1], 'completed'],
    ]);
    expect(payloads[0].results.storage_path).toContain(documentIds[0]);
  });

  it('exits 1 when a document failed', async () => {
    const { documentIds } = sim.submit([{}, { outcome: 'failed' }]);
    sim.clock.advance(10_001);
    const { code, stdout } = await runCliToEnd(['status', ...documentIds], sim.env);
    expect(code).toBe(1);
    expect(stdout).toMatch(/failed/);
  });

  it('exits 4 for an unknown id with one line and a hint, still printing the others', async () => {
    const { documentIds } = sim.submit([{}]);
    const { code, stdout, stderr } = await runCliToEnd(
      ['status', documentIds[0]!, 'no-such-doc'],
      sim.env,
    );
    expect(code).toBe(4);
    expect(stdout).toContain(documentIds[0]);
    expect(stderr).toMatch(/^neurostatus: no-such-doc: [^\n]*404[^\n]*Check the id[^\n]*\n$/);
  });

  it('exits 4 when the document belongs to another account', async () => {
    const { documentIds } = sim.submit([{}]);
    const { code } = await runCliToEnd(['status', documentIds[0]!], {
      ...sim.env,
      NEUROLINKER_API_KEY: SECOND_API_KEY,
    });
    expect(code).toBe(4);
  });

  it('exits 3 when the API rejects the key, which never appears in the output, even with --debug', async () => {
    const { documentIds } = sim.submit([{}]);
    const key = 'nl_wrong000000000000000000000000009';
    const { code, stdout, stderr } = await runCliToEnd(['status', '--debug', documentIds[0]!], {
      ...sim.env,
      NEUROLINKER_API_KEY: key,
    });
    expect(code).toBe(3);
    expect(stdout).toBe('');
    expect(stderr).toContain('neurostatus: debug: GET ');
    expect(stderr).toMatch(/401/);
    expect(stderr).toContain('Check NEUROLINKER_API_KEY');
    expect(`${stdout}${stderr}`).not.toContain(key);
  });

  it('exits 3 for a 403 too', async () => {
    const { documentIds } = sim.submit([{}]);
    sim.server.simulator.setFault({ kind: 'status', status: 403 });
    expect((await runCliToEnd(['status', documentIds[0]!], sim.env)).code).toBe(3);
  });

  it('exits 6 when the API stays unavailable after retries', async () => {
    const { documentIds } = sim.submit([{}]);
    sim.server.simulator.setFault({ kind: 'status', status: 503, body: 'html' });
    const { code, stderr } = await runCliToEnd(['status', documentIds[0]!], sim.env);
    expect(code).toBe(6);
    expect(stderr).toMatch(/^neurostatus: [^\n]*503[^\n]*try again later\n$/);
  });

  it('exits 6 when nothing listens at the base URL, naming how to change it', async () => {
    const { code, stderr } = await runCliToEnd(
      ['status', 'doc-1', '--base-url', 'http://127.0.0.1:9/api/v1'],
      { NEUROLINKER_API_KEY: DEMO_API_KEY },
    );
    expect(code).toBe(6);
    expect(stderr).toContain('--base-url or NEUROLINKER_BASE_URL');
  });

  it('takes the key and base URL from flags as well as from the environment', async () => {
    const { documentIds } = sim.submit([{}]);
    const { code, stdout } = await runCliToEnd([
      'status',
      documentIds[0]!,
      '--api-key',
      DEMO_API_KEY,
      '--base-url',
      sim.server.apiBaseUrl,
    ]);
    expect(code).toBe(0);
    expect(stdout).toContain(documentIds[0]);
    expect(stdout).not.toContain(DEMO_API_KEY);
  });

  it('prints a request with --request, exiting 1 once it ended partial', async () => {
    const { requestId } = sim.submit([{}, { outcome: 'failed' }]);
    sim.clock.advance(10_001);
    const { code, stdout } = await runCliToEnd(['status', '--request', requestId], sim.env);
    expect(code).toBe(1);
    expect(stdout).toContain(`Request ${requestId}: partial (completed 1, failed 1`);
  });
});
