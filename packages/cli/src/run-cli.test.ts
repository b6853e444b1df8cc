import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { MISSING_KEY_MESSAGE } from './create-api-client.ts';
import { cliEnv, ESCAPE_CODE, runCliToEnd, stopStartedClis } from './test-support/cli-process.ts';

afterEach(stopStartedClis);

/** Modules a `--help` must not load: the network stack and the command code. */
const NETWORK_MARKERS = ['ky@1', 'valibot@1', '../poller/src', '../simulator/src'];

/**
 * Of core, the argument parser loads only the option rules (`@neurostatus/core/option-rules`, one
 * set of rules for every package), none of the client.
 */
const CORE_RULE_MODULES = new Set([
  'assert-api-key.ts',
  'assert-base-url.ts',
  'assert-duration.ts',
  'invalid-option-error.ts',
  'option-rules.ts',
]);

function loadedModules(args: readonly string[]): { urls: string[]; status: number | null } {
  const dir = mkdtempSync(join(tmpdir(), 'neurostatus-load-'));
  const log = join(dir, 'loaded.txt');
  try {
    const hook = new URL('./test-support/load-log-hook.mjs', import.meta.url).href;
    const result = spawnSync(process.execPath, ['--import', hook, inject('cliBinPath'), ...args], {
      env: cliEnv({ NEUROSTATUS_LOAD_LOG: log }),
      encoding: 'utf8',
      timeout: 15_000,
    });
    const urls = readFileSync(log, 'utf8')
      .split('\n')
      .filter((url) => url.startsWith('file:') && !url.endsWith('load-log-hook.mjs'));
    return { urls, status: result.status };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('neurostatus without a command to run', () => {
  it('prints its version and exits 0 for --version and -v', async () => {
    const { version } = JSON.parse(
      readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
    );
    for (const flag of ['--version', '-v']) {
      const result = await runCliToEnd([flag]);
      expect(result).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
    }
  });

  it('prints help listing every command and the exit codes for --help', async () => {
    const { code, stdout, stderr } = await runCliToEnd(['--help']);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    for (const word of ['status', 'watch', 'wait', 'simulator', 'NEUROLINKER_API_KEY', '130']) {
      expect(stdout).toContain(word);
    }
    expect(stdout).not.toMatch(ESCAPE_CODE);
  });

  it.each(['status', 'watch', 'wait', 'simulator'])(
    'prints the help of %s for --help',
    async (command) => {
      const { code, stdout } = await runCliToEnd([command, '--help']);
      expect(code).toBe(0);
      expect(stdout).toContain(`Usage: neurostatus ${command}`);
      expect((await runCliToEnd(['help', command])).stdout).toBe(stdout);
    },
  );

  it('loads none of the network code for --help and --version, but does for a command', () => {
    for (const args of [['--help'], ['--version'], ['watch', '--help']]) {
      const { urls, status } = loadedModules(args);
      expect(status).toBe(0);
      for (const url of urls) {
        const source = readFileSync(new URL(url), 'utf8');
        for (const marker of NETWORK_MARKERS)
          expect(source, `${url} for ${args}`).not.toContain(marker);
        for (const [, module] of source.matchAll(/\.\.\/core\/src\/([\w./-]+)/g))
          expect(CORE_RULE_MODULES, `${url} for ${args}`).toContain(module);
      }
    }
    const { urls } = loadedModules(['status', 'doc-1']); // exits 3 (no key) after loading
    expect(urls.some((url) => url.includes('status-command'))).toBe(true);
  });
});

describe('usage errors', () => {
  it.each([
    [[], 'no command given'],
    [['frobnicate'], 'unknown command "frobnicate"'],
    [['watch', 'doc-1', '--bogus'], 'unknown flag --bogus'],
    [['watch', 'doc-1', '--timeout', 'soon'], '--timeout must be a duration'],
    [['watch', 'doc-1', '--timeout'], '--timeout needs a value'],
    [['wait', 'doc-1', '--interval', '5ms'], '--interval must be at least 50ms'],
    [['wait', 'doc-1', '--request', 'req-1'], 'not both'],
    [['wait'], 'needs at least one document id'],
    [['status', 'doc-1', '--port', '1'], '--port does not apply'],
    [['status', 'doc-1', '--base-url', 'ftp://x'], '--base-url must be an absolute http(s) URL'],
    [['simulator', '--port', '70000'], '--port must be an integer'],
    [['status', '../etc/passwd'], 'invalid document id "../etc/passwd"'],
    [['wait', '--request', 'a b'], 'invalid request id "a b"'],
    [['status', 'ok-id', 'bad\u001b[2Jid'], 'invalid document id "bad\\u{1b}[2Jid"'],
  ])('exits 2 with one line on stderr for %j', async (args, message) => {
    const { code, stdout, stderr } = await runCliToEnd(args, {
      NEUROLINKER_API_KEY: 'nl_demo0000000000000000000000000001',
    });
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^neurostatus: [^\n]+\n$/);
    expect(stderr).toContain(message);
  });

  it('rejects a bad NEUROLINKER_BASE_URL naming the variable', async () => {
    const { code, stderr } = await runCliToEnd(['status', 'doc-1'], {
      NEUROLINKER_BASE_URL: 'not a url',
    });
    expect(code).toBe(2);
    expect(stderr).toContain('NEUROLINKER_BASE_URL must be an absolute http(s) URL');
  });
});

describe('a missing API key', () => {
  it.each(['status', 'watch', 'wait'])(
    'says exactly how to provide one and exits 3 (%s)',
    async (command) => {
      const { code, stdout, stderr } = await runCliToEnd([command, 'doc-1']);
      expect(code).toBe(3);
      expect(stdout).toBe('');
      expect(stderr).toBe(`neurostatus: ${MISSING_KEY_MESSAGE}\n`);
      expect(stderr).toContain('export NEUROLINKER_API_KEY=');
      expect(stderr).toContain('--api-key');
    },
  );

  it('treats an empty NEUROLINKER_API_KEY as missing', async () => {
    expect((await runCliToEnd(['status', 'doc-1'], { NEUROLINKER_API_KEY: '' })).code).toBe(3);
  });
});
