// Browser bundle size of the event-stream transport (issue 14): esbuild, platform browser,
// target es2022, minified, gzip level 9, each row bundled on its own.
// Run: node packages/poller/bench/transport-size.mjs [--compare <commit>]
// With --compare, the poller's sources at <commit> (before the transport) are measured as well.
import { execSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const resolveDir = new URL('..', import.meta.url).pathname;
const compare = process.argv.indexOf('--compare');
const base = compare >= 0 ? process.argv[compare + 1] : undefined;

async function measure(contents) {
  const result = await build({
    stdin: { contents, resolveDir, loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    legalComments: 'none',
    write: false,
  });
  const code = result.outputFiles[0].contents;
  return { minified: code.length, gzipped: gzipSync(code, { level: 9 }).length };
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
    '  polling only (no transport option used: the code is in the bundle all the same)',
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

for (const [label, contents] of rows) {
  const { minified, gzipped } = await measure(contents);
  console.log(
    `${label.padEnd(78)} ${String(minified).padStart(6)} B min  ${String(gzipped).padStart(6)} B gzip`,
  );
}
