// Browser bundle size of the event-stream transport (issue 14): esbuild, platform browser,
// target es2022, minified, code splitting, gzip level 9 (per chunk), each row bundled on its own.
// Run: node packages/poller/bench/transport-size.mjs [--compare <commit>]
// With --compare, the poller's sources at <commit> (before the transport) are measured as well.
import { execSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const compare = process.argv.indexOf('--compare');
const base = compare >= 0 ? process.argv[compare + 1] : undefined;

/**
 * One bundle, split as an app's bundler (Vite, Rollup, webpack) splits it: the transport, loaded
 * by `import()` on first use, becomes a chunk of its own. `entry` is what loads up front.
 */
async function measure(contents, index) {
  const dir = new URL(`../.tmp/size/${index}/`, import.meta.url).pathname;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const entry = new URL('../.tmp/size-entry-' + index + '.ts', import.meta.url).pathname;
  writeFileSync(entry, contents.replaceAll("'./", "'../"));
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    splitting: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    legalComments: 'none',
    outdir: dir,
    write: false,
    metafile: true,
  });
  const size = (files) => ({
    minified: files.reduce((sum, file) => sum + file.contents.length, 0),
    gzipped: files.reduce((sum, file) => sum + gzipSync(file.contents, { level: 9 }).length, 0),
  });
  // Up front: the entry and every chunk it imports statically, transitively (not `import()`).
  const outputs = result.metafile.outputs;
  const byPath = new Map(result.outputFiles.map((file) => [file.path, file]));
  const entryPath = Object.keys(outputs).find((path) => outputs[path].entryPoint !== undefined);
  const upFront = new Set();
  const visit = (path) => {
    if (upFront.has(path)) return;
    upFront.add(path);
    for (const imported of outputs[path].imports) {
      if (imported.kind === 'import-statement') visit(imported.path);
    }
  };
  visit(entryPath);
  const fileOf = (path) => byPath.get(new URL(path, `file://${process.cwd()}/`).pathname);
  return { entry: size([...upFront].map(fileOf)), all: size(result.outputFiles) };
}

const rows = [
  [
    'watchStatus + watchRequest with transport events/auto (client passed in)',
    `import { watchStatus, watchRequest } from './src/index.ts';
     const events = { baseUrl: globalThis.BASE, getToken: globalThis.GET_TOKEN };
     globalThis.a = watchStatus(globalThis.CLIENT, globalThis.ID, { transport: 'auto', events });
     globalThis.b = watchRequest(globalThis.CLIENT, globalThis.ID, { transport: 'auto', events });`,
  ],
  [
    '  the same + createNeurolinkerClient (ky), for the polling fallback',
    `import { watchStatus, watchRequest } from './src/index.ts';
     import { createNeurolinkerClient } from '@neurostatus/core';
     const client = createNeurolinkerClient({ apiKey: globalThis.KEY, baseUrl: globalThis.BASE });
     const events = { baseUrl: globalThis.BASE, getToken: globalThis.GET_TOKEN };
     globalThis.a = watchStatus(client, globalThis.ID, { transport: 'auto', events });
     globalThis.b = watchRequest(client, globalThis.ID, { transport: 'auto', events });`,
  ],
  [
    '  polling only (no transport option used)',
    `import { watchStatus, watchRequest } from './src/index.ts';
     globalThis.a = watchStatus(globalThis.CLIENT, globalThis.ID);
     globalThis.b = watchRequest(globalThis.CLIENT, globalThis.ID);`,
  ],
  [
    '  eventsource-parser alone (createParser)',
    `import { createParser } from 'eventsource-parser'; globalThis.p = createParser({});`,
  ],
];

if (base !== undefined) {
  // Inside the package, so that its dependencies resolve as they do for its own sources.
  const dir = new URL('../.tmp/before/', import.meta.url).pathname;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  execSync(`git archive ${base}:packages/poller/src | tar -x -C ${dir}`, {
    cwd: new URL('../../../', import.meta.url).pathname,
  });
  rows.push([
    `  polling only, at ${base.slice(0, 7)} (before the transport)`,
    `import { watchStatus, watchRequest } from './.tmp/before/index.ts';
     globalThis.a = watchStatus(globalThis.CLIENT, globalThis.ID);
     globalThis.b = watchRequest(globalThis.CLIENT, globalThis.ID);`,
  ]);
  rows.push([
    `  polling only + createNeurolinkerClient, at ${base.slice(0, 7)}`,
    `import { watchStatus, watchRequest } from './.tmp/before/index.ts';
     import { createNeurolinkerClient } from '@neurostatus/core';
     const client = createNeurolinkerClient({ apiKey: globalThis.KEY, baseUrl: globalThis.BASE });
     globalThis.a = watchStatus(client, globalThis.ID);
     globalThis.b = watchRequest(client, globalThis.ID);`,
  ]);
}

console.log(`${''.padEnd(80)} up front (min / gzip)   all chunks (min / gzip)`);
for (const [index, [label, contents]] of rows.entries()) {
  const { entry, all } = await measure(contents, index);
  const pair = ({ minified, gzipped }) =>
    `${String(minified).padStart(6)} / ${String(gzipped).padStart(6)} B`;
  console.log(`${label.padEnd(80)} ${pair(entry).padEnd(24)} ${pair(all)}`);
}
