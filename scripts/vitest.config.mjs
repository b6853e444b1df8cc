import { defineProject } from 'vitest/config';

// The repository's own scripts (release tooling), tested beside their code.
export default defineProject({
  test: {
    name: 'scripts',
    include: ['**/*.test.mjs'],
  },
});
