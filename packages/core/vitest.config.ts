import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'core',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // `client-stalled-body.test.ts` forces garbage collections while a body read stalls (issue 9):
    // the bug it guards against only shows after a collection.
    execArgv: ['--expose-gc'],
    typecheck: { enabled: true, include: ['src/**/*.test-d.ts'] },
  },
});
