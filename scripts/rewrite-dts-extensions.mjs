#!/usr/bin/env node
// tsc's `rewriteRelativeImportExtensions` turns `./x.ts` into `./x.js` in emitted JavaScript but
// leaves declaration files importing `./x.ts`, which consumers without `allowImportingTsExtensions`
// (and without skipLibCheck) reject. Rewrite relative `.ts` specifiers in dist/**/*.d.ts to `.js`.
// Usage: node ../../scripts/rewrite-dts-extensions.mjs dist
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2] ?? 'dist';
const specifier = /((?:from|import)\s*\(?\s*['"])(\.{1,2}\/[^'"]+?)\.ts(['"])/g;
let files = 0;
for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !entry.name.endsWith('.d.ts')) continue;
  const path = join(entry.parentPath, entry.name);
  const source = readFileSync(path, 'utf8');
  const rewritten = source.replace(specifier, '$1$2.js$3');
  if (rewritten !== source) {
    writeFileSync(path, rewritten);
    files++;
  }
}
console.log(`rewrote .ts import specifiers in ${files} declaration files under ${dir}`);
