import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // graphql 16 ships CJS (index.js, what Node loads for every package) and ESM (index.mjs, what Vite
    // would pick for our sources): two copies of graphql-js in one process fail with "Cannot use
    // GraphQLObjectType from another module or realm". Resolve our imports to the copy Node loads.
    alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Server tests bind ephemeral ports and PostgreSQL tests use their own schemas, so files may run in parallel.
    pool: 'forks',
  },
});
