import { defineConfig } from 'vitest/config';

/**
 * The Ray suites: each starts a real two-node Ray cluster, whose raylets give up when their
 * agents start slowly on a busy machine — so they run after the other suites (scripts/test.sh),
 * one file at a time.
 */
export default defineConfig({
  test: {
    root: new URL('../../..', import.meta.url).pathname,
    include: ['tests/integration/ray/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 400_000,
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
  },
});
