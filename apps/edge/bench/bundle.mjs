// esbuild bundles for the benchmark: the proxy's Node entry and the simulator child run as plain
// JavaScript, as users would ship them, so no TypeScript loader (tsx) is measured.
import { build } from 'esbuild';

/**
 * Bundles `entry` (TypeScript or JavaScript, workspace packages included) into `outfile` as one
 * Node ESM file. Optional dynamic imports that do not resolve (hono-openapi's `effect`, `sury`,
 * ...) are left as runtime imports instead of failing the build.
 *
 * @example
 * ```js
 * await bundleForNode({ entry: 'src/runtimes/node.ts', outfile: '/tmp/x/proxy.mjs' });
 * ```
 */
export async function bundleForNode({ entry, outfile, cwd }) {
  await build({
    entryPoints: [entry],
    absWorkingDir: cwd,
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'bundle',
    logLevel: 'error',
    // CommonJS dependencies bundled into ESM still call require() for Node built-ins.
    banner: {
      js: "import { createRequire as __benchCreateRequire } from 'node:module'; const require = __benchCreateRequire(import.meta.url);",
    },
    plugins: [externalizeUnresolvable],
  });
}

/** Marks bare imports that cannot be resolved as external, instead of failing the bundle. */
const externalizeUnresolvable = {
  name: 'externalize-unresolvable',
  setup(builder) {
    builder.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.pluginData === 'retry') return undefined;
      const result = await builder.resolve(args.path, {
        importer: args.importer,
        kind: args.kind,
        resolveDir: args.resolveDir,
        pluginData: 'retry',
      });
      if (result.errors.length > 0) return { path: args.path, external: true };
      return result;
    });
  },
};
