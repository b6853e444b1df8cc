#!/usr/bin/env node
// Type-checks every `@example` in the TSDoc of the published packages (core, poller, simulator,
// cli), so that an example cannot drift from the code it documents.
//
// Each example becomes one module under packages/<pkg>/node_modules/.examples/ (ignored by git
// and biome; there, bare imports resolve as in the package itself). Its body runs inside an
// `async function`, so `await` works and its names shadow nothing. Names it uses but does not
// declare are imported, in this order: from the module that holds the example (internal helpers
// are documented too), from the public API of any @neurostatus package, `v` from valibot, or
// from ./context.ts: the placeholders a reader supplies (a `client`, an `id`, a caught `error`).
// Then tsc checks them all with the package's own compiler options.
//
// Usage: node scripts/examples/check-examples.mjs   (exit 1 with tsc's errors, mapped to the source)
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;
const PACKAGES = ['core', 'poller', 'simulator', 'cli'];
const ENTRIES = {
  '@neurostatus/core': 'packages/core/src/index.ts',
  '@neurostatus/core/json-schema': 'packages/core/src/json-schema.ts',
  '@neurostatus/poller': 'packages/poller/src/index.ts',
  '@neurostatus/simulator': 'packages/simulator/src/index.ts',
  '@neurostatus/simulator/node': 'packages/simulator/src/node.ts',
  '@neurostatus/cli': 'packages/cli/src/index.ts',
};
// Names examples may use from outside the workspace, and where they come from.
const THIRD_PARTY = {
  Hono: 'hono',
  HttpBindings: '@hono/node-server',
  writeFileSync: 'node:fs',
  expect: 'vitest',
};
const EXAMPLE =
  /@example[^\n]*\n(?:\s*\*[^\n]*\n)*?(\s*\*\s*```(?:ts|typescript)?\n)((?:\s*\*(?!\s*```)[^\n]*\n)*)/g;
const IDENTIFIER = /(?<![.\w$'"`])[A-Za-z_$][\w$]*/g;

/** Names a module exports, read from its source (`export function X`, `export { X, type Y }`). */
function exportedNames(file) {
  const text = readFileSync(join(root, file), 'utf8');
  const names = new Set();
  for (const [, name] of text.matchAll(
    /^export (?:declare )?(?:async )?(?:function\*?|const|let|class|interface|type|abstract class) ([\w$]+)/gm,
  )) {
    names.add(name);
  }
  for (const [, list] of text.matchAll(/^export (?:type )?\{([^}]*)\}/gm)) {
    for (const item of list.split(',')) {
      const name = item
        .trim()
        .replace(/^type /, '')
        .split(/\s+as\s+/)
        .at(-1)
        ?.trim();
      if (name) names.add(name);
    }
  }
  return names;
}

const publicNames = Object.entries(ENTRIES).map(([specifier, file]) => [
  specifier,
  exportedNames(file),
]);

function sourceFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory())
      return ['test-support', 'fixtures'].includes(name) ? [] : sourceFiles(path);
    return name.endsWith('.ts') && !/\.test(-d)?\.ts$/.test(name) ? [path] : [];
  });
}

/** The example as a module; `lines` maps its line numbers back to the source. */
function exampleModule(source, code, outDir, packageNames, contextNames) {
  const explicitImports = code.match(/^import [^;]*;?$/gm) ?? [];
  const body = code.replace(/^import [^;]*;?$/gm, '').trimEnd();
  const imported = new Set(
    explicitImports.flatMap((line) =>
      [...line.replace(/from .*$/, '').matchAll(/[\w$]+/g)].map(([name]) => name),
    ),
  );
  // `...spread` is a name, not a property access.
  const used = new Set(
    [...body.replaceAll('...', '   ').matchAll(IDENTIFIER)].map(([name]) => name),
  );
  const own = exportedNames(relative(root, source));
  const imports = new Map();
  const add = (from, name) => imports.set(from, [...(imports.get(from) ?? []), name]);
  for (const name of used) {
    if (imported.has(name)) continue;
    const publicEntry = publicNames.find(([, names]) => names.has(name));
    if (own.has(name)) add(relative(outDir, source), name);
    else if (publicEntry) add(publicEntry[0], name);
    else if (packageNames.has(name)) add(relative(outDir, packageNames.get(name)), name);
    else if (THIRD_PARTY[name]) add(THIRD_PARTY[name], name);
    else if (contextNames.has(name)) add('./context.ts', name);
  }
  const header = [...imports].map(
    ([from, names]) => `import { ${names.join(', ')} } from '${from}';`,
  );
  if (used.has('v') && !imported.has('v')) header.push("import * as v from 'valibot';");
  const head = [...header, ...explicitImports, 'export async function example() {'];
  return { text: `${head.join('\n')}\n${body}\n}\n`, offset: head.length };
}

let count = 0;
const files = [];
const allOrigins = new Map();
const tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');
for (const pkg of PACKAGES) {
  const packageDir = join(root, 'packages', pkg);
  const outDir = join(packageDir, 'node_modules/.examples');
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const context = join(root, 'scripts/examples/context', `${pkg}.ts`);
  cpSync(context, join(outDir, 'context.ts'));
  const contextNames = exportedNames(relative(root, context));
  // Every name any module of the package exports (its internal modules document each other).
  const sources = sourceFiles(join(packageDir, 'src'));
  const packageNames = new Map();
  for (const source of sources) {
    for (const name of exportedNames(relative(root, source))) {
      if (!packageNames.has(name)) packageNames.set(name, source);
    }
  }
  const origins = new Map();
  for (const source of sources) {
    const text = readFileSync(source, 'utf8');
    let index = 0;
    for (const match of text.matchAll(EXAMPLE)) {
      const startLine = text
        .slice(0, match.index + match[0].length - match[2].length)
        .split('\n').length;
      const code = match[2].replace(/^\s*\* ?/gm, '');
      const name = `${relative(join(packageDir, 'src'), source).replace(/[/.]/g, '_')}--${++index}.ts`;
      const { text: moduleText, offset } = exampleModule(
        source,
        code,
        outDir,
        packageNames,
        contextNames,
      );
      writeFileSync(join(outDir, name), moduleText);
      origins.set(name, { source: relative(root, source), startLine, offset });
      count++;
    }
  }
  for (const [name, origin] of origins) allOrigins.set(join(outDir, name), origin);
  files.push(...[...origins.keys(), 'context.ts'].map((name) => join(outDir, name)));
}

// One tsc program for all packages: the libraries' types are read once.
const paths = Object.fromEntries(
  Object.entries(ENTRIES).map(([specifier, file]) => [specifier, [join(root, file)]]),
);
const tsconfig = join(root, '.tmp/examples.tsconfig.json');
mkdirSync(dirname(tsconfig), { recursive: true });
writeFileSync(
  tsconfig,
  JSON.stringify({
    extends: join(root, 'tsconfig.base.json'),
    // Examples are never emitted: no need to spell `import type` in the generated imports.
    compilerOptions: { noEmit: true, paths, types: ['node'], verbatimModuleSyntax: false },
    files,
  }),
);
const result = spawnSync(process.execPath, [tsc, '-p', tsconfig, '--pretty', 'false'], {
  encoding: 'utf8',
  cwd: root,
});
const failed = result.status !== 0;
for (const line of result.stdout.split('\n').filter(Boolean)) {
  const match = /^([^(]+)\((\d+),(\d+)\): (.*)$/.exec(line);
  const origin = match && allOrigins.get(join(root, match[1]));
  if (origin) {
    console.log(
      `${origin.source}:${origin.startLine + Number(match[2]) - origin.offset - 1}: @example: ${match[4]}`,
    );
  } else console.log(line);
}
console.log(
  `${count} examples type-checked in ${PACKAGES.join(', ')}${failed ? ': some do not compile' : ''}`,
);
process.exit(failed ? 1 : 0);
