#!/usr/bin/env node
// The project's one test command (`pnpm test`, run by `.ci/run`). It runs, in order:
//   0. redis-server present (installed with apt-get as root where missing, or a one-line stop),
//   1. typecheck and build of every package (turbo), 2. lint (biome), and every TSDoc @example
//      of the published packages type-checked (scripts/examples/check-examples.mjs), and the
//      API reference built by TypeDoc with every public export documented (typedoc.json),
//   3. every vitest project (unit, real-HTTP, real-process and runtime smoke tests),
//   4. publint, attw and a tarball inspection (entries in dist with types, no test code, ranges)
//      on each publishable package, packed exactly as it would be published,
//   5. the release through a local registry (scripts/release/registry-smoke.mjs): changeset
//      version and `pnpm release` in a throwaway copy, into Verdaccio on 127.0.0.1, then installs
//      with npm, pnpm and bun and the consumer smokes (Node ESM, require, tsc, Bun, Deno, esbuild,
//      the installed CLI),
//   6. `deno publish --dry-run` of core and poller (JSR).
// Then it prints what ran and one closing line: `N passed, N failed` (", N skipped" if any).
// Steps 1, 2, 4, 5 and 6 count one check per line they print; vitest counts each test.
// Exit 1 if anything failed.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { runRegistrySmoke } from './release/registry-smoke.mjs';
import { tarballProblems } from './release/tarball-problems.mjs';

const root = new URL('..', import.meta.url).pathname;
const tmp = join(root, '.tmp');
let passed = 0;
let failed = 0;
let skipped = 0;
const failures = [];

function run(label, command, args, options = {}) {
  console.log(`\n▶ ${label}: ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', ...options });
  const ok = result.status === 0;
  return ok;
}

function check(label, command, args, options) {
  record(label, run(label, command, args, options));
}

/** One check with a result computed here; `detail` is printed when it failed. */
function record(label, ok, detail) {
  console.log(`${ok ? '✓' : '✗'} ${label}`);
  if (ok) {
    passed++;
  } else {
    failed++;
    failures.push(label);
    if (detail) console.log(`    ${String(detail).trim().split('\n').slice(-40).join('\n    ')}`);
  }
}

/**
 * Real parts some tests need, from Debian's packages: the edge's fleet tests start a redis-server
 * of their own, and the live page's test drives Chromium. Where one is missing, install it when we
 * can (root with apt-get, refreshing the package lists if the first try fails), or stop with one
 * line saying how.
 */
function ensureDebianPackage({ pkg, present, neededBy }) {
  if (present()) return;
  const isRoot = process.getuid?.() === 0;
  const apt = spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0;
  if (isRoot && apt) {
    console.log(`\n▶ ${pkg} is missing: installing Debian's ${pkg} package`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const install = () =>
      spawnSync('apt-get', ['install', '-y', '-qq', pkg], { stdio: 'inherit', env }).status === 0;
    if (!install()) {
      spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
      install();
    }
    if (present()) return;
  }
  console.error(
    `${neededBy} needs Debian's ${pkg}: run \`sudo apt-get install -y ${pkg}\`, then \`pnpm test\` again.`,
  );
  process.exit(1);
}

ensureDebianPackage({
  pkg: 'redis-server',
  present: () => spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0,
  neededBy: 'The edge fleet tests (a real Redis)',
});
ensureDebianPackage({
  pkg: 'chromium',
  present: () => existsSync('/usr/bin/chromium'),
  neededBy: 'The live page test (headless Chromium)',
});
rmSync(tmp, { recursive: true, force: true });
mkdirSync(tmp, { recursive: true });

check('typecheck', 'pnpm', ['exec', 'turbo', 'run', 'typecheck', '--output-logs=errors-only']);
const built = run('build', 'pnpm', ['exec', 'turbo', 'run', 'build', '--output-logs=errors-only']);
if (built) passed++;
else {
  failed++;
  failures.push('build');
}
check('lint', 'pnpm', ['exec', 'biome', 'check', '.']);
check('TSDoc @example blocks type-check', process.execPath, [
  'scripts/examples/check-examples.mjs',
]);
check('API reference (TypeDoc): every public export documented, no broken link', 'pnpm', [
  'exec',
  'typedoc',
  '--emit',
  'none',
]);

const report = join(tmp, 'vitest.json');
const vitestOk = run('vitest', 'pnpm', [
  'exec',
  'vitest',
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${report}`,
]);
try {
  const results = JSON.parse(readFileSync(report, 'utf8'));
  passed += results.numPassedTests;
  failed += results.numFailedTests;
  skipped += results.numPendingTests + results.numTodoTests;
  for (const file of results.testResults) {
    for (const test of file.assertionResults) {
      if (test.status === 'failed') failures.push(`vitest: ${test.fullName}`);
    }
    // A file that failed to load has no test results but did fail.
    if (file.status === 'failed' && file.assertionResults.length === 0) {
      failed++;
      failures.push(`vitest: ${file.name} (${file.message?.split('\n')[0] ?? 'failed to run'})`);
    }
  }
  if (!vitestOk && results.numFailedTests === 0 && !failures.some((f) => f.startsWith('vitest'))) {
    failed++;
    failures.push('vitest exited non-zero');
  }
} catch {
  failed++;
  failures.push('vitest produced no report');
}

const packs = join(tmp, 'packs');
mkdirSync(packs, { recursive: true });
for (const dir of readdirSync(join(root, 'packages'))) {
  const cwd = join(root, 'packages', dir);
  const manifest = JSON.parse(readFileSync(join(cwd, 'package.json'), 'utf8'));
  if (manifest.private) continue;
  if (!built) {
    // tsc may leave a dist behind even when it reports errors: never lint a broken build.
    failed += 2;
    failures.push(
      `publint ${manifest.name} (not run: the build failed)`,
      `attw ${manifest.name} (not run: the build failed)`,
    );
    continue;
  }
  if (
    !run(`pack ${manifest.name}`, 'pnpm', ['pack', '--pack-destination', packs], {
      cwd,
      stdio: 'ignore',
    })
  ) {
    failed++;
    failures.push(`pack ${manifest.name}`);
    continue;
  }
  const tarball = join(
    packs,
    `${manifest.name.replace('@', '').replace('/', '-')}-${manifest.version}.tgz`,
  );
  const { problems } = tarballProblems(tarball);
  record(
    `tarball ${manifest.name}: entries in dist with types, no test code`,
    problems.length === 0,
    problems.join('\n'),
  );
  check(`publint ${manifest.name}`, 'pnpm', ['exec', 'publint', 'run', tarball, '--strict']);
  check(`attw ${manifest.name}`, 'pnpm', [
    'exec',
    'attw',
    tarball,
    '--profile',
    'esm-only',
    '--no-emoji',
  ]);
}

if (built) {
  console.log(
    '\n▶ release through a local registry (Verdaccio), installed with npm, pnpm, bun, deno',
  );
  await runRegistrySmoke({ root, record });
} else {
  record('release through a local registry (not run: the build failed)', false);
}

check('JSR: deno publish --dry-run of core and poller', process.execPath, [
  'scripts/release/jsr.mjs',
  '--dry-run',
]);

console.log('');
if (failures.length > 0) {
  console.log('Failed:');
  for (const failure of failures) console.log(`  - ${failure}`);
}
console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 ? 1 : 0);
