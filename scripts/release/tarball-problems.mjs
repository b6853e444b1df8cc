// What is wrong with a package tarball as users would install it, read from the tarball itself
// (not from the repository): its manifest's entries (exports, types, bin) must be files in the
// tarball under dist, every export must have types, nothing of the tests may ship, no
// `workspace:` protocol may leak, and runtime dependencies must be ranges, not exact pins.
import { spawnSync } from 'node:child_process';

function tar(args) {
  const result = spawnSync('tar', args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`tar ${args.join(' ')}: ${result.stderr.trim()}`);
  return result.stdout;
}

function* targets(value, at) {
  if (typeof value === 'string') yield [at, value];
  else if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) yield* targets(inner, `${at} > ${key}`);
  }
}

const TEST_SUPPORT =
  /(^|\/)(test-support|fixtures|__tests__)\/|\.test(-d)?\.[cm]?[jt]s$|\.spec\.[cm]?[jt]s$/;

/**
 * @param {string} tarball path to a `.tgz` made by `pnpm pack` or downloaded from a registry
 * @returns {{ manifest: object, problems: string[] }}
 */
export function tarballProblems(tarball) {
  const files = new Set(
    tar(['-tzf', tarball])
      .split('\n')
      .filter(Boolean)
      .map((path) => path.replace(/^package\//, '')),
  );
  const manifest = JSON.parse(tar(['-xzOf', tarball, 'package/package.json']));
  const problems = [];
  const has = (target) => files.has(target.replace(/^\.\//, ''));

  if (!manifest.exports) problems.push('no "exports"');
  for (const [at, target] of targets(manifest.exports, 'exports')) {
    if (target === './package.json') continue;
    if (!target.startsWith('./dist/')) problems.push(`${at} points at ${target}, not at ./dist`);
    else if (!has(target)) problems.push(`${at} points at ${target}, which is not in the tarball`);
  }
  for (const [subpath, conditions] of Object.entries(manifest.exports ?? {})) {
    if (subpath === './package.json') continue;
    const types = typeof conditions === 'object' ? conditions.types : undefined;
    if (!types) problems.push(`exports > ${subpath} has no types`);
  }
  const bins =
    typeof manifest.bin === 'string' ? { [manifest.name]: manifest.bin } : (manifest.bin ?? {});
  for (const [name, target] of Object.entries(bins)) {
    if (!has(target)) problems.push(`bin ${name} points at ${target}, which is not in the tarball`);
  }
  for (const file of files) {
    if (TEST_SUPPORT.test(file)) problems.push(`ships test code: ${file}`);
  }
  for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
    for (const [name, spec] of Object.entries(manifest[field] ?? {})) {
      if (spec.startsWith('workspace:')) problems.push(`${field} > ${name} is ${spec}`);
      else if (/^\d+\.\d+\.\d+$/.test(spec))
        problems.push(`${field} > ${name} is pinned to ${spec}: use a range`);
    }
  }
  if (![...files].some((file) => /^LICEN[CS]E(\.md|\.txt)?$/i.test(file)))
    problems.push("no LICENSE file: the license's notice must ship with the code");
  for (const field of ['repository', 'homepage', 'bugs', 'license']) {
    if (!manifest[field]) problems.push(`no "${field}"`);
  }
  if (manifest.repository && !manifest.repository.directory)
    problems.push('repository has no directory');
  return { manifest, problems };
}
