import { defineConfig } from 'vitest/config';

// CI asks the server suite for a JSON report at VITEST_JSON_REPORT; the SDK writes its own beside it.
const jsonReport = process.env.VITEST_JSON_REPORT?.replace(/\.json$/, '.sdk.json');

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // CI (CAUSERIE_TEST_RETRY=1) runs a failed test once more: timing under four parallel passes on two cores can fail
    // a test once; one that fails twice fails the run, and .ci/count-reports.mjs names every test that needed the retry.
    retry: Number(process.env.CAUSERIE_TEST_RETRY ?? 0),
    reporters: jsonReport ? ['default', ['json', { outputFile: jsonReport }]] : ['default'],
  },
});
