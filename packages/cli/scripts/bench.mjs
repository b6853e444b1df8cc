#!/usr/bin/env node
// Cold start of the built `neurostatus` (run `pnpm build` first), measured with hyperfine (from
// apt: `apt-get install -y hyperfine`). Compares `--help` and `--version` with a bare
// `node -e 0`, the floor no Node CLI can beat, and with a command that loads the network stack. Target: under 150 ms on Node 20.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const packageDir = new URL('..', import.meta.url).pathname;
if (!existsSync(join(packageDir, 'dist/bin.js'))) {
  console.error('bench: dist/bin.js is missing: run `pnpm build` first');
  process.exit(1);
}
// The last command loads the status command's chunk (core, ky, valibot) and stops at the missing
// key (exit 3, hence --ignore-failure): what --help would cost without the lazy import.
const commands = [
  'node -e 0',
  'node dist/bin.js --help',
  'node dist/bin.js --version',
  'node dist/bin.js status 00000000-0000-0000-0000-000000000000',
];
const env = { ...process.env };
delete env.NEUROLINKER_API_KEY;
const dir = mkdtempSync(join(tmpdir(), 'neurostatus-bench-'));
const exported = join(dir, 'hyperfine.json');
try {
  const run = spawnSync(
    'hyperfine',
    [
      '--warmup',
      '5',
      '--runs',
      '40',
      '--shell=none',
      '--ignore-failure',
      '--export-json',
      exported,
      ...commands,
    ],
    { cwd: packageDir, stdio: 'inherit', env },
  );
  if (run.error !== undefined || run.status !== 0) {
    console.error('bench: hyperfine failed (install it with `apt-get install -y hyperfine`)');
    process.exit(1);
  }
  const { results } = JSON.parse(readFileSync(exported, 'utf8'));
  console.log(`\nNode ${process.version}, ${new Date().toISOString().slice(0, 10)}\n`);
  console.log('| command | mean ± σ | min | max |\n|---|---:|---:|---:|');
  const ms = (seconds) => `${(seconds * 1000).toFixed(1)} ms`;
  for (const result of results) {
    console.log(
      `| \`${result.command}\` | ${ms(result.mean)} ± ${ms(result.stddev)} | ${ms(result.min)} | ${ms(result.max)} |`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
