import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const jsonReport = process.env.VITEST_JSON_REPORT;

export default defineConfig({
  // Tests run test-support from its TypeScript sources, so it needs no build first (only the benchmarks run its dist/).
  resolve: {
    alias: [
      {
        find: /^@causerie\/test-support\/(.+)$/,
        replacement: fileURLToPath(new URL('../test-support/src/$1.ts', import.meta.url)),
      },
    ],
  },
  test: {
    include: ['src/**/*.test.ts'],
    globalSetup: ['./src/test/global-setup.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: two files at a time; each file has its own database.
    maxWorkers: 2,
    // Files share a worker's loaded modules instead of importing the whole server again each (import time over the
    // suite: 450 s → 15 s). Safe because nothing here is module-level per test: each file makes its own database,
    // app and servers, and no file mocks modules (vi.mock); a file that needs a fresh module graph must say so.
    isolate: false,
    // CI asks for a JSON report as well, to total passes and failures over the SQLite and PostgreSQL runs.
    // CI (CAUSERIE_TEST_RETRY=1) runs a failed test once more: timing under four parallel passes on two cores can fail
    // a test once; one that fails twice fails the run, and .ci/count-reports.mjs names every test that needed the retry.
    retry: Number(process.env.CAUSERIE_TEST_RETRY ?? 0),
    reporters: jsonReport ? ['default', ['json', { outputFile: jsonReport }]] : ['default'],
  },
});
