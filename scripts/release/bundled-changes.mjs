#!/usr/bin/env node
// Run by `pnpm version-packages` before `changeset version`: a package that bundles others into
// its dist (the CLI bundles core, poller and the simulator) ships their fixes, so every pending
// changeset that releases one of them releases the bundler too (a patch). Changesets cannot do
// this on its own: the bundler lists what it bundles as devDependencies, and changesets bumps no
// package for a change in its devDependencies, so a core fix would never reach `npm i -g`.
import { readdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Each public package that bundles workspace packages, and the packages it bundles. */
export const BUNDLERS = {
  '@neurostatus/cli': ['@neurostatus/core', '@neurostatus/poller', '@neurostatus/simulator'],
};

/**
 * A changeset's text with the bundlers of the packages it releases added to its front matter
 * (as patches), or the text as it is when there is nothing to add.
 *
 * @param {string} text a changeset file: `---`, `"name": bump` lines, `---`, the summary
 * @returns {string}
 */
export function withBundlers(text) {
  const match = /^---\r?\n([\s\S]*?)\r?\n---/.exec(text);
  if (match === null) return text;
  const named = new Set(
    match[1]
      .split(/\r?\n/)
      .map((line) => /^\s*["']?([^"':\s]+)["']?\s*:/.exec(line)?.[1])
      .filter(Boolean),
  );
  const added = Object.entries(BUNDLERS)
    .filter(([bundler, bundled]) => !named.has(bundler) && bundled.some((name) => named.has(name)))
    .map(([bundler]) => `"${bundler}": patch`);
  if (added.length === 0) return text;
  const frontMatter =
    match[1].trim() === '' ? added.join('\n') : `${match[1]}\n${added.join('\n')}`;
  return `---\n${frontMatter}\n---${text.slice(match[0].length)}`;
}

// Run as a script (not imported by its test): paths compared as real file URLs, so that a space
// or a symbolic link on the way cannot make it skip its work silently.
const script =
  process.argv[1] === undefined ? '' : pathToFileURL(realpathSync(process.argv[1])).href;
if (pathToFileURL(realpathSync(fileURLToPath(import.meta.url))).href === script) {
  const dir = fileURLToPath(new URL('../../.changeset', import.meta.url));
  for (const file of readdirSync(dir)) {
    if (!file.endsWith('.md') || file === 'README.md') continue;
    const path = join(dir, file);
    const text = readFileSync(path, 'utf8');
    const updated = withBundlers(text);
    if (updated !== text) writeFileSync(path, updated);
  }
}
