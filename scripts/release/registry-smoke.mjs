// The release, for real, against a local npm registry: part of the test command.
//
//  1. A throwaway copy of the repository (the checkout is never touched) runs the maintainers'
//     flow: `changeset version` (0.0.0 -> 0.1.0 from the committed changesets, with changelogs),
//     then `pnpm release` (build, then `changeset publish`, which publishes through pnpm so that
//     `publishConfig` applies) into Verdaccio on 127.0.0.1, with its own storage and config.
//  2. Every published tarball, downloaded back from the registry, is inspected (tarball-problems).
//  3. Fresh projects install the packages from the registry with npm, pnpm and bun, then run the
//     consumer smokes (./consumer): Node ESM, require(), tsc (node16 and bundler), Bun, an esbuild
//     browser bundle, and the installed CLI (`--help`, `--version`, `status` against the installed
//     simulator). Deno runs its smoke once, with npm: specifiers.
//
// Each step is one check. Every child is bounded by a timeout; Verdaccio and the simulators are
// ended by pid; the temporary directory is removed (kept with NEUROSTATUS_KEEP_RELEASE_TMP=1).
import { spawn, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { tarballProblems } from './tarball-problems.mjs';

const VERSION = '0.1.0';
const CONSUMER = join(dirname(new URL(import.meta.url).pathname), 'consumer');
const COPY_SKIP = new Set(['node_modules', '.git', '.tmp', '.turbo', 'dist']);
const MINUTE = 60_000;

/**
 * Runs the whole flow and reports each step through `record(label, ok, detail)`.
 * @param {{ root: string, record: (label: string, ok: boolean, detail?: string) => void }} options
 */
export async function runRegistrySmoke({ root, record }) {
  const work = mkdtempSync(join(tmpdir(), 'neurostatus-release-'));
  const tools = findTools(root);
  let registry;
  try {
    const repo = join(work, 'repo');
    const publicPackages = prepareCopy(root, repo, record);
    if (!publicPackages) return;
    registry = await startRegistry(join(work, 'registry'), tools);
    record('registry: Verdaccio 6.8.0 on 127.0.0.1', true, registry.url);
    if (!publish(repo, registry, publicPackages, record)) return;
    await inspectPublished(work, registry, publicPackages, record);
    for (const manager of ['npm', 'pnpm', 'bun'])
      await consumer(work, manager, registry, tools, record);
    denoSmoke(work, registry, tools, record);
  } catch (error) {
    record('registry: the flow ran to its end', false, error?.stack ?? String(error));
  } finally {
    registry?.stop();
    // biome-ignore lint/suspicious/noUndeclaredEnvVars: read by this script, not by a turbo task
    if (process.env.NEUROSTATUS_KEEP_RELEASE_TMP === '1') console.log(`kept ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
}

/** bun, deno, tsc and esbuild come from the workspace's own devDependencies (exact pins). */
function findTools(root) {
  const fromCore = createRequire(join(root, 'packages/core/package.json'));
  const fromRoot = createRequire(join(root, 'package.json'));
  return {
    bun: join(dirname(fromCore.resolve('bun/package.json')), 'bin/bun.exe'),
    // The real binary, not the Node wrapper in .bin (killing the wrapper orphans deno).
    deno: join(dirname(fromCore.resolve('deno/package.json')), 'deno'),
    tsc: fromRoot.resolve('typescript/bin/tsc'),
    esbuild: fromRoot.resolve('esbuild'),
    verdaccio: verdaccioBin(fromRoot),
  };
}

function verdaccioBin(fromRoot) {
  const manifestPath = fromRoot.resolve('verdaccio/package.json');
  const { bin } = readJson(manifestPath);
  return join(dirname(manifestPath), typeof bin === 'string' ? bin : bin.verdaccio);
}

/** This process's environment plus `extra`, without the registry settings pnpm passes down. */
function environment(extra = {}) {
  const env = { ...process.env, ...extra };
  for (const key of Object.keys(env)) {
    if (/^npm_config_(registry|user_agent)$/i.test(key)) delete env[key];
  }
  return env;
}

function sh(command, args, { cwd, env = environment(), timeout = 2 * MINUTE } = {}) {
  const result = spawnSync(command, args, {
    cwd,
    env,
    encoding: 'utf8',
    timeout,
    killSignal: 'SIGKILL',
    maxBuffer: 32 * 1024 * 1024,
  });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim();
  const ok = result.status === 0;
  const why = result.error
    ? result.error.message
    : result.signal
      ? `killed (${result.signal}, timeout ${timeout} ms)`
      : `exit ${result.status}`;
  return { ok, output, detail: ok ? output : `${why}\n${output}` };
}

/** The copy, installed from the local store, and `changeset version` run in it. */
function prepareCopy(root, repo, record) {
  cpSync(root, repo, { recursive: true, filter: (source) => !COPY_SKIP.has(basename(source)) });
  // A repository of its own, so that `changeset publish` tags there and nowhere else.
  const git = { GIT_AUTHOR_NAME: 'release test', GIT_AUTHOR_EMAIL: 'release@test.invalid' };
  const gitEnv = {
    ...git,
    GIT_COMMITTER_NAME: git.GIT_AUTHOR_NAME,
    GIT_COMMITTER_EMAIL: git.GIT_AUTHOR_EMAIL,
  };
  sh('git', ['init', '-q', '-b', 'main'], { cwd: repo });
  sh('git', ['add', '-A'], { cwd: repo });
  sh('git', ['commit', '-q', '-m', 'copy', '--no-verify'], { cwd: repo, env: gitEnv });
  // The store of the checkout's own install, named explicitly: pnpm would otherwise pick a store
  // on the copy's filesystem, where --offline finds nothing.
  const store = spawnSync('pnpm', ['store', 'path'], { cwd: root, encoding: 'utf8' })
    .stdout.trim()
    .split('\n')
    .at(-1);
  const install = sh(
    'pnpm',
    [
      'install',
      '--offline',
      '--frozen-lockfile',
      '--ignore-scripts',
      '--filter',
      './packages/*',
      '--filter',
      '.',
      '--store-dir',
      store,
    ],
    { cwd: repo },
  );
  if (!install.ok) {
    record('release: install the copy from the local pnpm store', false, install.detail);
    return undefined;
  }
  const version = sh('pnpm', ['version-packages'], { cwd: repo });
  const publicPackages = readdirSync(join(repo, 'packages'))
    .map((dir) => ({
      dir: join(repo, 'packages', dir),
      ...readJson(join(repo, 'packages', dir, 'package.json')),
    }))
    .filter((manifest) => !manifest.private);
  const jsrVersion = (pkg) =>
    existsSync(join(pkg.dir, 'jsr.json')) ? readJson(join(pkg.dir, 'jsr.json')).version : VERSION;
  const wrong = publicPackages.filter(
    (pkg) =>
      pkg.version !== VERSION ||
      jsrVersion(pkg) !== VERSION ||
      !existsSync(join(pkg.dir, 'CHANGELOG.md')),
  );
  const ok = version.ok && wrong.length === 0 && publicPackages.length > 0;
  record(
    `release: changeset version gives ${publicPackages.map((pkg) => `${pkg.name}@${pkg.version}`).join(', ')} with changelogs (and jsr.json)`,
    ok,
    ok
      ? undefined
      : `${version.detail}\nnot ${VERSION} (package.json or jsr.json) or no CHANGELOG.md: ${wrong.map((pkg) => pkg.name).join(', ')}`,
  );
  return ok ? publicPackages : undefined;
}

function readJson(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Verdaccio with its own storage and config, no uplinks: it serves only what we publish. */
async function startRegistry(dir, tools) {
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  writeFileSync(
    join(dir, 'config.yaml'),
    [
      `storage: ${join(dir, 'storage')}`,
      'auth:',
      `  htpasswd: { file: ${join(dir, 'htpasswd')}, max_users: 10 }`,
      'uplinks: {}',
      'packages:',
      "  '@neurostatus/*': { access: $all, publish: $authenticated, unpublish: $authenticated }",
      'log: { type: stdout, format: pretty, level: error }',
      '',
    ].join('\n'),
  );
  const child = spawn(
    process.execPath,
    [tools.verdaccio, '--config', join(dir, 'config.yaml'), '--listen', `127.0.0.1:${port}`],
    { stdio: ['ignore', 'pipe', 'pipe'], detached: false },
  );
  let log = '';
  child.stdout.on('data', (chunk) => (log += chunk));
  child.stderr.on('data', (chunk) => (log += chunk));
  const stop = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`Verdaccio exited: ${log}`);
    const up = await fetch(`${url}-/ping`).then(
      (response) => response.ok,
      () => false,
    );
    if (up) {
      const response = await fetch(`${url}-/user/org.couchdb.user:release`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'release', password: 'release-test-only' }),
      });
      const { token } = await response.json();
      if (!token) throw new Error(`Verdaccio gave no token (${response.status})`);
      return { url, port, token, stop };
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  stop();
  throw new Error(`Verdaccio did not answer within 30 s: ${log}`);
}

/** `pnpm release` in the copy: the maintainers' command, pointed at the local registry. */
function publish(repo, registry, publicPackages, record) {
  const host = registry.url.replace(/^http:/, '');
  writeFileSync(
    join(repo, '.npmrc'),
    `registry=${registry.url}\n${host}:_authToken=${registry.token}\n`,
  );
  const release = sh('pnpm', ['release'], {
    cwd: repo,
    env: environment({
      npm_config_registry: registry.url,
      TURBO_TELEMETRY_DISABLED: '1',
      TURBO_NO_UPDATE_NOTIFIER: '1',
      DO_NOT_TRACK: '1',
    }),
    timeout: 5 * MINUTE,
  });
  const published = publicPackages.filter((pkg) =>
    release.output.includes(`${pkg.name}@${VERSION}`),
  );
  const ok = release.ok && published.length === publicPackages.length;
  record(
    `release: pnpm release publishes ${publicPackages.length} packages to the local registry`,
    ok,
    ok ? undefined : release.detail,
  );
  return ok;
}

/** Each tarball as the registry serves it: entries in dist, types, no tests, ranges. */
async function inspectPublished(work, registry, publicPackages, record) {
  for (const pkg of publicPackages) {
    const label = `published ${pkg.name}@${VERSION}: entries in dist with types, no test code`;
    try {
      const packument = JSON.parse(
        await download(`${registry.url}${pkg.name.replace('/', '%2f')}`),
      );
      const tarballUrl = packument.versions?.[VERSION]?.dist?.tarball;
      if (!tarballUrl) throw new Error(`${VERSION} is not in the registry`);
      const file = join(work, `${basename(pkg.dir)}.tgz`);
      writeFileSync(file, await download(tarballUrl));
      const { problems } = tarballProblems(file);
      record(label, problems.length === 0, problems.join('\n'));
    } catch (error) {
      record(label, false, error.message);
    }
  }
}

/**
 * GET, tried again once on a network error: fetch's pool may hand out a kept-alive socket that
 * Verdaccio closed while `pnpm release` ran (its keep-alive timeout is 5 s).
 */
async function download(url, attempt = 1) {
  let response;
  try {
    response = await fetch(url);
  } catch (error) {
    if (attempt < 3) return download(url, attempt + 1);
    throw error;
  }
  if (!response.ok) throw new Error(`GET ${url}: ${response.status}`);
  return Buffer.from(await response.arrayBuffer());
}

const INSTALLERS = {
  // Strict about engines: a dependency that needs a newer Node than ours declares fails here.
  npm: (dir) => [
    'npm',
    ['install', '--engine-strict', '--no-audit', '--no-fund', '--cache', join(dir, '.cache')],
  ],
  pnpm: (dir) => [
    'pnpm',
    ['install', '--store-dir', join(dir, '.store'), '--state-dir', join(dir, '.state')],
  ],
  bun: (_dir, tools) => [tools.bun, ['install', '--no-progress']],
};

/** One fresh project installed with `manager`, then every consumer smoke run in it. */
async function consumer(work, manager, registry, tools, record) {
  const dir = join(work, `consumer-${manager}`);
  mkdirSync(dir, { recursive: true });
  for (const file of readdirSync(CONSUMER)) copyFileSync(join(CONSUMER, file), join(dir, file));
  writeFileSync(
    join(dir, 'package.json'),
    `${JSON.stringify(
      {
        name: `consumer-${manager}`,
        private: true,
        type: 'module',
        dependencies: {
          '@neurostatus/cli': VERSION,
          '@neurostatus/core': VERSION,
          '@neurostatus/poller': VERSION,
          '@neurostatus/simulator': VERSION,
          '@types/node': '^20.19.0',
        },
      },
      null,
      2,
    )}\n`,
  );
  // Only our scope comes from the local registry; everything else from the usual one.
  writeFileSync(join(dir, '.npmrc'), `@neurostatus:registry=${registry.url}\n`);
  const [command, args] = INSTALLERS[manager](dir, tools);
  const env = environment({ BUN_INSTALL_CACHE_DIR: join(dir, '.bun-cache') });
  const install = sh(command, args, { cwd: dir, env, timeout: 3 * MINUTE });
  record(
    `${manager}: install the published packages into a fresh project`,
    install.ok,
    install.detail,
  );
  if (!install.ok) return;

  const smoke = (label, command, args, expect) => {
    const result = sh(command, args, { cwd: dir, timeout: MINUTE });
    const ok = result.ok && (expect === undefined || expect.test(result.output));
    record(`${manager}: ${label}`, ok, ok ? result.output.split('\n').at(-1) : result.detail);
  };
  smoke(
    'Node ESM import and a poll against the simulator',
    process.execPath,
    ['node-esm.mjs'],
    /smoke ok/,
  );
  smoke(
    'require() on Node 20.19+',
    process.execPath,
    ['--no-warnings', 'node-require.cjs'],
    /require ok/,
  );
  for (const resolution of ['node16', 'bundler']) {
    writeFileSync(join(dir, `tsconfig.${resolution}.json`), tsconfigFor(resolution));
    smoke(`tsc --noEmit with moduleResolution ${resolution}`, process.execPath, [
      tools.tsc,
      '-p',
      `tsconfig.${resolution}.json`,
    ]);
  }
  smoke('Bun runs the smoke', tools.bun, ['node-esm.mjs'], /bun .* smoke ok/);
  await browserBundle(dir, tools, (ok, detail) =>
    record(`${manager}: esbuild browser bundle of core and poller`, ok, detail),
  );
  const bin = join(dir, 'node_modules/.bin/neurostatus');
  const help =
    manager === 'npm' ? ['npx', ['--no-install', 'neurostatus', '--help']] : [bin, ['--help']];
  smoke(
    `${help[0] === 'npx' ? 'npx ' : ''}neurostatus --help`,
    help[0],
    help[1],
    /Usage: neurostatus/,
  );
  smoke('neurostatus --version', bin, ['--version'], new RegExp(VERSION.replaceAll('.', '\\.')));
  await cliStatus(dir, bin, (ok, detail) =>
    record(`${manager}: neurostatus status against the installed simulator`, ok, detail),
  );
}

function tsconfigFor(resolution) {
  const module = resolution === 'bundler' ? 'preserve' : 'node16';
  return `${JSON.stringify(
    {
      compilerOptions: {
        module,
        moduleResolution: resolution,
        target: 'es2022',
        lib: ['es2022', 'dom'],
        types: ['node'],
        strict: true,
        noEmit: true,
        // The .d.ts files of hono and @types/node take a minute to check on a busy 2-core
        // machine; types.ts instead proves ours resolved (any type from a broken one fails it).
        skipLibCheck: true,
      },
      files: ['types.ts'],
    },
    null,
    2,
  )}\n`;
}

async function browserBundle(dir, tools, done) {
  try {
    const { build } = await import(tools.esbuild);
    const result = await build({
      absWorkingDir: dir,
      entryPoints: ['browser.mjs'],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      logLevel: 'silent',
    });
    const text = result.outputFiles[0].text;
    const nodeImport = /from\s*["']node:|require\(["']node:/.test(text);
    done(!nodeImport, nodeImport ? 'the bundle imports a node: module' : `${text.length} bytes`);
  } catch (error) {
    done(false, error.message);
  }
}

/** The installed `neurostatus-simulator --demo`, then the installed `neurostatus status`. */
async function cliStatus(dir, bin, done) {
  const simulator = spawn(
    join(dir, 'node_modules/.bin/neurostatus-simulator'),
    ['--demo', '--port', '0'],
    {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  try {
    const apiBaseUrl = await new Promise((resolve, reject) => {
      let out = '';
      const timer = setTimeout(
        () => reject(new Error(`the simulator printed no URL: ${out}`)),
        20_000,
      );
      simulator.stdout.on('data', (chunk) => {
        out += chunk;
        const match = /API base URL: (\S+)/.exec(out);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
      simulator.once('exit', (code) => reject(new Error(`the simulator exited ${code}: ${out}`)));
    });
    const key = 'nl_demo0000000000000000000000000001';
    const result = sh(
      bin,
      [
        'status',
        '1d6986aa-80ac-4a4d-9009-5a323c9046b1',
        '--base-url',
        apiBaseUrl,
        '--api-key',
        key,
        '--no-color',
      ],
      {
        cwd: dir,
        timeout: MINUTE,
      },
    );
    const ok = result.ok && /completed/.test(result.output) && !result.output.includes(key);
    done(ok, ok ? result.output.split('\n')[0] : result.detail);
  } catch (error) {
    done(false, error.message);
  } finally {
    simulator.kill('SIGTERM');
  }
}

/** Deno with npm: specifiers, from a scoped .npmrc, with a DENO_DIR of its own. */
function denoSmoke(work, registry, tools, record) {
  const dir = join(work, 'consumer-deno');
  mkdirSync(dir, { recursive: true });
  for (const file of ['smoke-body.mjs', 'deno-smoke.ts'])
    copyFileSync(join(CONSUMER, file), join(dir, file));
  writeFileSync(join(dir, '.npmrc'), `@neurostatus:registry=${registry.url}\n`);
  writeFileSync(
    join(dir, 'deno.json'),
    '{ "lock": false, "nodeModulesDir": "none", "minimumDependencyAge": 0 }\n',
  );
  const result = sh(
    tools.deno,
    ['run', '--allow-net=127.0.0.1', '--allow-env', '--allow-read', '--no-prompt', 'deno-smoke.ts'],
    {
      cwd: dir,
      env: environment({ DENO_DIR: join(dir, '.deno'), DENO_NO_UPDATE_CHECK: '1' }),
      timeout: 2 * MINUTE,
    },
  );
  const ok = result.ok && /deno .* smoke ok/.test(result.output);
  record(
    'deno: npm: specifiers from the registry, served by Deno.serve',
    ok,
    ok ? result.output.split('\n').at(-1) : result.detail,
  );
}
