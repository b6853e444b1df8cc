#!/usr/bin/env node

import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
// Builds the `neurostatus` bin and the `runCli` entry with esbuild: ESM for Node 20, everything
// bundled (core, poller, ky, valibot, the simulator), with code splitting so that each command's
// module (and the network stack it pulls in) is a separate chunk, loaded by a dynamic import()
// only when that command runs: `neurostatus --help` and `--version` load only the small bin.
// Then tsc emits the declarations of the public entry (src/index.ts).
//
// Usage: node scripts/build.mjs [--outdir DIR] [--no-types]
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const packageDir = new URL('..', import.meta.url).pathname;
const { values } = parseArgs({
  options: { outdir: { type: 'string', default: 'dist' }, 'no-types': { type: 'boolean' } },
});
const outdir = resolve(packageDir, values.outdir);
const { version } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));

rmSync(outdir, { recursive: true, force: true });
await build({
  absWorkingDir: packageDir,
  entryPoints: { bin: 'src/bin.ts', index: 'src/index.ts' },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: 'chunks/[name]-[hash]',
  define: { NEUROSTATUS_CLI_VERSION: JSON.stringify(version) },
  logLevel: 'warning',
  legalComments: 'none',
});

if (!values['no-types']) {
  // tsc declares every module it reaches (the commands too); publish only the public API's.
  const typesDir = join(outdir, '.types');
  // The TypeScript compiler from node_modules, run with this Node: no PATH lookup, so
  // `node scripts/build.mjs` works outside pnpm too.
  const tscBin = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const tsc = spawnSync(
    process.execPath,
    [tscBin, '-p', 'tsconfig.build.json', '--outDir', typesDir],
    {
      cwd: packageDir,
      stdio: 'inherit',
    },
  );
  if (tsc.error) console.error(`could not run tsc: ${tsc.error.message}`);
  if (tsc.status !== 0) process.exit(tsc.status ?? 1);
  const rewrite = spawnSync(
    process.execPath,
    [join(packageDir, '../../scripts/rewrite-dts-extensions.mjs'), typesDir],
    { stdio: 'inherit' },
  );
  if (rewrite.status !== 0) process.exit(rewrite.status ?? 1);
  const pending = ['index.d.ts'];
  const copied = new Set();
  while (pending.length > 0) {
    const file = pending.pop();
    if (copied.has(file)) continue;
    copied.add(file);
    const source = readFileSync(join(typesDir, file), 'utf8');
    writeFileSync(join(outdir, file), source);
    for (const [, specifier] of source.matchAll(/from\s+['"](\.\/[^'"]+)\.js['"]/g)) {
      pending.push(`${specifier.slice(2)}.d.ts`);
    }
  }
  rmSync(typesDir, { recursive: true, force: true });
}
