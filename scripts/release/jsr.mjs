#!/usr/bin/env node
// Publishes @neurostatus/core and @neurostatus/poller to JSR, or checks that it would work:
//   node scripts/release/jsr.mjs --dry-run     (the test command runs this)
//   node scripts/release/jsr.mjs               (a maintainer, after `pnpm release`)
//
// Each package's jsr.json describes it for JSR (TypeScript sources, no tests). The poller imports
// `@neurostatus/core`, which pnpm links as `workspace:^` and Deno cannot resolve from a pnpm
// workspace, so both are staged in a temporary Deno workspace (deno.json from jsr.json, a
// package.json holding only their npm dependencies) and published together: Deno then rewrites
// the poller's import to `jsr:@neurostatus/core@^<version>`.
//
// Slow types: core's valibot schemas (`export const XSchema = v.object(...)`) have inferred types
// that nobody would write by hand, so they are published with --allow-slow-types (JSR then ships
// no .d.ts for Node users, who install from npm anyway). Every other slow type fails this script.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const PACKAGES = ['core', 'poller'];
const dryRun = process.argv.includes('--dry-run');
const deno = join(
  dirname(createRequire(join(root, 'packages/core/package.json')).resolve('deno/package.json')),
  'deno',
);
const readJson = (path) => JSON.parse(readFileSync(path, 'utf8'));

const stage = mkdtempSync(join(tmpdir(), 'neurostatus-jsr-'));
let exitCode = 1;
try {
  for (const name of PACKAGES) {
    const dir = join(root, 'packages', name);
    const manifest = readJson(join(dir, 'package.json'));
    const jsr = readJson(join(dir, 'jsr.json'));
    if (jsr.name !== manifest.name || jsr.version !== manifest.version) {
      throw new Error(
        `${name}/jsr.json says ${jsr.name}@${jsr.version}, package.json ${manifest.name}@${manifest.version}: run \`pnpm version-packages\``,
      );
    }
    // JSR users must be able to import every entry npm users can (the sources npm's point at).
    const npmEntries = Object.entries(manifest.exports).filter(
      ([entry]) => entry !== './package.json',
    );
    for (const [entry, source] of npmEntries) {
      if (jsr.exports[entry] !== source)
        throw new Error(
          `${name}/jsr.json exports ${entry} as ${jsr.exports[entry]}, package.json as ${source}`,
        );
    }
    const target = join(stage, name);
    cpSync(join(dir, 'src'), join(target, 'src'), { recursive: true });
    cpSync(join(dir, 'README.md'), join(target, 'README.md'));
    cpSync(join(dir, 'LICENSE'), join(target, 'LICENSE'));
    writeFileSync(join(target, 'deno.json'), `${JSON.stringify(jsr, null, 2)}\n`);
    const npmDependencies = Object.fromEntries(
      Object.entries(manifest.dependencies ?? {}).filter(
        ([dep]) => !dep.startsWith('@neurostatus/'),
      ),
    );
    writeFileSync(
      join(target, 'package.json'),
      `${JSON.stringify({ name: manifest.name, version: manifest.version, type: 'module', dependencies: npmDependencies }, null, 2)}\n`,
    );
  }
  writeFileSync(
    join(stage, 'deno.json'),
    `${JSON.stringify({ workspace: PACKAGES.map((name) => `./${name}`) })}\n`,
  );

  const publish = (extra) =>
    spawnSync(deno, ['publish', ...(dryRun ? ['--dry-run'] : []), '--allow-dirty', ...extra], {
      cwd: stage,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1' },
      timeout: 5 * 60_000,
    });

  // First without --allow-slow-types (always a dry run): list what JSR calls slow.
  const strict = spawnSync(deno, ['publish', '--dry-run', '--allow-dirty'], {
    cwd: stage,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1' },
    timeout: 5 * 60_000,
  });
  const output = `${strict.stdout}${strict.stderr}`;
  const errors = [
    ...output.matchAll(
      /^error\[([\w-]+)\][^\n]*\n\s*--> ([^\n]+)\n(?:[^\n]*\n){0,2}?\s*\d+ \| ([^\n]*)/gm,
    ),
  ];
  const allowed = (match) =>
    match[1] === 'missing-explicit-type' &&
    /\/core\/src\/[\w-]+-schema\.ts:/.test(match[2]) &&
    /^(export )?const \w+Schema = v\./.test(match[3].trim());
  const other = errors.filter((match) => !allowed(match));
  const problems = Number(/Found (\d+) problems?/.exec(output)?.[1] ?? 0);
  if (strict.status !== 0 && (other.length > 0 || problems !== errors.length)) {
    console.error(output);
    console.error(
      `JSR: ${other.length || problems - errors.length} problem(s) besides valibot schemas' inferred types; fix them (an explicit type where it reads well).`,
    );
  } else {
    exitCode = finish(publish, strict.status === 0 ? [] : ['--allow-slow-types'], errors.length);
  }
} finally {
  rmSync(stage, { recursive: true, force: true });
}
process.exit(exitCode);

/** The real run (or the dry run) with the flags the strict run showed are needed. */
function finish(publish, flags, slowSchemas) {
  const result = publish(flags);
  const text = `${result.stdout}${result.stderr}`;
  console.log(
    text
      .split('\n')
      .filter((line) => !/^\s+file:\/\//.test(line))
      .join('\n')
      .trim(),
  );
  console.log(
    `(${slowSchemas} valibot schema(s) published with inferred types: --allow-slow-types)`,
  );
  return result.status === 0 ? 0 : 1;
}
