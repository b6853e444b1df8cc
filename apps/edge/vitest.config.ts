import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'edge',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Forced collections in the stalled-upstream tests (issue 9: a lost abort after a GC).
    execArgv: ['--expose-gc'],
  },
});
