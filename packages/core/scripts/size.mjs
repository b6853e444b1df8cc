// Bundles what a browser app needs to read one document status (createNeurolinkerClient +
// getDocumentStatus, with ky and valibot), minified, and reports the gzipped size against the
// 7 kB budget, with what ky and valibot weigh on their own for comparison.
// Run: pnpm size (or pnpm bench). With --check it exits 1 over budget.
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const BUDGET_BYTES = 7 * 1024;
const resolveDir = new URL('..', import.meta.url).pathname;

async function measure(contents) {
  const result = await build({
    stdin: { contents, resolveDir, loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
  });
  const code = result.outputFiles[0].contents;
  return { minified: code.length, gzipped: gzipSync(code, { level: 9 }).length };
}

const rows = [
  [
    'createNeurolinkerClient + getDocumentStatus',
    `import { createNeurolinkerClient } from './src/index.ts';
     globalThis.result = createNeurolinkerClient({ apiKey: globalThis.KEY }).getDocumentStatus(globalThis.ID);`,
  ],
  ['  of which ky alone (ky.create)', `import ky from 'ky'; globalThis.k = ky.create({});`],
  [
    '  of which valibot alone (DocumentStatusSchema + safeParse)',
    `import * as v from 'valibot'; import { DocumentStatusSchema } from './src/document-status-schema.ts';
     globalThis.r = v.safeParse(DocumentStatusSchema, globalThis.X);`,
  ],
];

const results = [];
for (const [label, contents] of rows) results.push([label, await measure(contents)]);
for (const [label, { minified, gzipped }] of results) {
  console.log(
    `${label.padEnd(60)} ${String(minified).padStart(6)} B min  ${String(gzipped).padStart(6)} B gzip`,
  );
}
const total = results[0][1].gzipped;
const verdict =
  total > BUDGET_BYTES
    ? `OVER the ${BUDGET_BYTES} B budget by ${total - BUDGET_BYTES} B`
    : `within the ${BUDGET_BYTES} B budget`;
console.log(`browser bundle, gzipped: ${total} B (${(total / 1024).toFixed(2)} kB): ${verdict}`);
if (process.argv.includes('--check') && total > BUDGET_BYTES) process.exit(1);
