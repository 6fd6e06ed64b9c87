import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // Node loads graphql's CommonJS build for Apollo and type-graphql; vitest would load the ESM one for our files,
    // and graphql refuses objects "from another module or realm". One build for everybody.
    alias: { graphql: require.resolve('graphql') },
  },
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // vitest's default leaves a core free (one worker on CI's two), but most files wait on sockets, child processes
    // and SQLite's disk, not the CPU: one worker per core halved the suite's time there, with the same results.
    maxWorkers: '100%',
  },
});
