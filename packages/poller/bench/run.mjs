// Bundles each benchmark with esbuild (so it runs the code as users ship it: no TypeScript loader
// adding helpers to every function) and runs it with node --expose-gc. Usage: node bench/run.mjs
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { build } from 'esbuild';

const out = new URL('../.tmp/bench/', import.meta.url).pathname;
mkdirSync(out, { recursive: true });
await build({
  entryPoints: ['policies.ts', 'batches.ts', 'scale.ts', 'simulator-worker.ts'].map(
    (name) => new URL(name, import.meta.url).pathname,
  ),
  outdir: out,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'warning',
  banner: {
    js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
  },
});
for (const name of process.argv.slice(2).length > 0
  ? process.argv.slice(2)
  : ['policies', 'batches', 'scale']) {
  const result = spawnSync(process.execPath, ['--expose-gc', `${out}${name}.mjs`], {
    stdio: 'inherit',
  });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
