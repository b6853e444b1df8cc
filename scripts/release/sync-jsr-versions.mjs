#!/usr/bin/env node
// After `changeset version` (part of `pnpm version-packages`): copies each package's new version
// into its jsr.json, so that JSR and npm publish the same version. Changesets knows only package.json.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const packages = new URL('../../packages', import.meta.url).pathname;
for (const dir of readdirSync(packages)) {
  const jsrPath = join(packages, dir, 'jsr.json');
  if (!existsSync(jsrPath)) continue;
  const { version } = JSON.parse(readFileSync(join(packages, dir, 'package.json'), 'utf8'));
  const jsr = JSON.parse(readFileSync(jsrPath, 'utf8'));
  if (jsr.version === version) continue;
  jsr.version = version;
  writeFileSync(jsrPath, `${JSON.stringify(jsr, null, 2)}\n`);
  console.log(`${jsr.name}: jsr.json now at ${version}`);
}
