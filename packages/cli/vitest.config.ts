import { readFileSync } from 'node:fs';
import { defineProject } from 'vitest/config';

const { version } = JSON.parse(readFileSync(new URL('package.json', import.meta.url), 'utf8'));

export default defineProject({
  define: { NEUROSTATUS_CLI_VERSION: JSON.stringify(version) },
  test: {
    name: 'cli',
    include: ['src/**/*.test.ts'],
    // Builds the real bin (esbuild, into a temporary folder) once, for the tests that spawn it.
    globalSetup: ['./vitest.global-setup.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
