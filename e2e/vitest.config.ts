// Real-browser tests: one file at a time (each starts its own server and Chromium), generous timeouts for a 2-core machine.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// CI asks the server suite for a JSON report at VITEST_JSON_REPORT; the browser tests write theirs beside it.
const jsonReport = process.env.VITEST_JSON_REPORT?.replace(/\.json$/, '.e2e.json');

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
    globalSetup: ['./global-setup.ts'],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // expect.poll waits 1 s by default: under four CI passes on two cores a server's answer (an availability frame) can
    // take longer. Locators already wait 30 s.
    expect: { poll: { timeout: 10_000 } },
    // CI (CAUSERIE_TEST_RETRY=1) runs a failed test once more: timing under four parallel passes on two cores can fail
    // a test once; one that fails twice fails the run, and .ci/count-reports.mjs names every test that needed the retry.
    retry: Number(process.env.CAUSERIE_TEST_RETRY ?? 0),
    reporters: jsonReport ? ['default', ['json', { outputFile: jsonReport }]] : ['default'],
  },
});
