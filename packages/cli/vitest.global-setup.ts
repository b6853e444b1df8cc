import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

const packageDir = new URL('.', import.meta.url).pathname;

declare module 'vitest' {
  export interface ProvidedContext {
    /** Absolute path of the freshly built `bin.js`. */
    cliBinPath: string;
  }
}

/**
 * Builds the bin exactly as `pnpm build` does (without the declarations) into a temporary folder,
 * so `vitest run` needs no prior build and never tests a stale `dist`.
 */
export default function setup(project: TestProject): () => void {
  const outdir = mkdtempSync(join(tmpdir(), 'neurostatus-cli-'));
  const result = spawnSync(
    process.execPath,
    ['scripts/build.mjs', '--no-types', '--outdir', outdir],
    { cwd: packageDir, encoding: 'utf8' },
  );
  if (result.status !== 0) {
    rmSync(outdir, { recursive: true, force: true });
    throw new Error(`building the neurostatus bin failed:\n${result.stderr}`);
  }
  project.provide('cliBinPath', join(outdir, 'bin.js'));
  return () => rmSync(outdir, { recursive: true, force: true });
}
