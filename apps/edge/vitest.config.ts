import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: {
    alias: {
      // Test support of the poller, outside its published API (see tsconfig.json `paths`).
      '@neurostatus/poller/test-support/idle-drive': fileURLToPath(
        new URL('../../packages/poller/src/test-support/idle-drive.ts', import.meta.url),
      ),
    },
  },
  test: {
    name: 'edge',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Forced collections in the stalled-upstream tests (issue 9: a lost abort after a GC).
    execArgv: ['--expose-gc'],
  },
});
