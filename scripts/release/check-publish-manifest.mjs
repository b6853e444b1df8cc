#!/usr/bin/env node
// `prepack` of every published package: refuses to pack (and so to publish) a package whose
// published manifest would be wrong. During development `exports` point at `./src/*.ts` and
// `publishConfig.exports` at `./dist`; only pnpm applies `publishConfig.exports` when it packs
// (npm ignores it, and its tarball would point Node, `require` and tsc at TypeScript sources).
// So: pack with pnpm only, and every published entry (exports, types, bin) must be a built file
// under dist that exists now. Run in the package directory; exit 1 with one line per problem.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.cwd();
const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
const problems = [];

// biome-ignore lint/suspicious/noUndeclaredEnvVars: set by the package manager running prepack
const agent = process.env.npm_config_user_agent ?? '';
if (!agent.startsWith('pnpm/')) {
  problems.push(
    `packed by "${agent.split(' ')[0] || 'an unknown tool'}": npm ignores publishConfig.exports, so its tarball would point at src. Use pnpm (\`pnpm release\`, \`pnpm pack\`).`,
  );
}

/** Every file path a manifest's `exports` value names, with the condition path that leads to it. */
function* targets(value, at) {
  if (typeof value === 'string') yield [at, value];
  else if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) yield* targets(inner, `${at} > ${key}`);
  }
}

const exportsField = manifest.publishConfig?.exports ?? manifest.exports;
for (const [at, target] of targets(exportsField, 'exports')) {
  if (target === './package.json') continue;
  if (!target.startsWith('./dist/'))
    problems.push(`${at} is ${target}: published entries must be in ./dist`);
  else if (!existsSync(join(dir, target)))
    problems.push(`${at} is ${target}, which is not built: run the build first`);
}
for (const [subpath, conditions] of Object.entries(exportsField ?? {})) {
  if (subpath === './package.json') continue;
  if (typeof conditions !== 'object' || !conditions.types) {
    problems.push(`exports > ${subpath} has no "types" condition`);
  }
}
const bins =
  typeof manifest.bin === 'string' ? { [manifest.name]: manifest.bin } : (manifest.bin ?? {});
for (const [name, target] of Object.entries(bins)) {
  const file = join(dir, target);
  if (!existsSync(file)) problems.push(`bin ${name} is ${target}, which is not built`);
  else if (!readFileSync(file, 'utf8').startsWith('#!'))
    problems.push(`bin ${name} (${target}) has no #! line`);
}

if (problems.length > 0) {
  for (const problem of problems) console.error(`${manifest.name}: will not pack: ${problem}`);
  process.exit(1);
}
