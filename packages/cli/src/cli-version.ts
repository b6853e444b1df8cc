// Replaced with package.json's version by the esbuild build (`define`) and by vitest's config.
declare const NEUROSTATUS_CLI_VERSION: string | undefined;

/**
 * The version `neurostatus --version` prints.
 *
 * @example
 * ```ts
 * io.stdout.write(`${CLI_VERSION}\n`);
 * ```
 */
export const CLI_VERSION: string =
  typeof NEUROSTATUS_CLI_VERSION === 'string' ? NEUROSTATUS_CLI_VERSION : '0.0.0-dev';
