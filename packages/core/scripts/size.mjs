// Bundles what a browser app needs to read one document status (createNeurolinkerClient +
// getDocumentStatus, with ky and valibot), minified, and reports the gzipped size against the
// 7 kB budget. Run: pnpm size (or pnpm bench). Exits 1 over budget.
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const BUDGET_BYTES = 7 * 1024;
const entry = `
import { createNeurolinkerClient } from './src/index.ts';
const client = createNeurolinkerClient({ apiKey: globalThis.KEY });
globalThis.result = client.getDocumentStatus(globalThis.ID);
`;

const result = await build({
  stdin: { contents: entry, resolveDir: new URL('..', import.meta.url).pathname, loader: 'ts' },
  bundle: true,
  minify: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  write: false,
  metafile: true,
});
const code = result.outputFiles[0].contents;
const gzipped = gzipSync(code, { level: 9 }).length;
const inputs = Object.entries(result.metafile.outputs)[0][1].inputs;
const byPackage = {};
for (const [file, { bytesInOutput }] of Object.entries(inputs)) {
  const name =
    file.match(/node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/)?.[1] ??
    '@neurostatus/core';
  byPackage[name] = (byPackage[name] ?? 0) + bytesInOutput;
}
console.log(`browser bundle: createNeurolinkerClient + getDocumentStatus (ky, valibot)`);
for (const [name, bytes] of Object.entries(byPackage))
  console.log(`  ${name}: ${bytes} B minified`);
console.log(
  `minified: ${code.length} B, gzipped: ${gzipped} B (${(gzipped / 1024).toFixed(2)} kB), budget ${BUDGET_BYTES / 1024} kB`,
);
if (gzipped > BUDGET_BYTES) {
  console.error('over budget');
  process.exit(1);
}
