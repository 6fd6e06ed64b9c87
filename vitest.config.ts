import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

// The tiers, by file name (docs/testing.md): each runs alone as `vitest run --project <name>` (npm run test:<name>).
const INTEGRATION = 'test/**/*.int.test.ts';
const END_TO_END = ['test/**/*.e2e.test.ts', 'test/**/*.browser.test.ts'];

export default defineConfig({
  resolve: {
    // Node loads graphql's CommonJS build for Apollo and type-graphql; vitest would load the ESM one for our files,
    // and graphql refuses objects "from another module or realm". One build for everybody.
    alias: { graphql: require.resolve('graphql') },
  },
  test: {
    setupFiles: ['test/setup.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // vitest's default leaves a core free (one worker on CI's two), but most files wait on sockets, child processes
    // and SQLite's disk, not the CPU: one worker per core halved the suite's time there, with the same results.
    maxWorkers: '100%',
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: [INTEGRATION, ...END_TO_END] },
      },
      { extends: true, test: { name: 'int', include: [INTEGRATION] } },
      // Built once before the tier (test/support/build-once.ts): its tests share dist/, and none rebuilds it.
      { extends: true, test: { name: 'e2e', include: END_TO_END, globalSetup: ['test/support/build-once.ts'] } },
    ],
  },
});
