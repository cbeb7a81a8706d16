// Real-browser tests: one file at a time (each starts its own server and Chromium), generous timeouts for a 2-core machine.
import { defineConfig } from 'vitest/config';

// CI asks the server suite for a JSON report at VITEST_JSON_REPORT; the browser tests write theirs beside it.
const jsonReport = process.env.VITEST_JSON_REPORT?.replace(/\.json$/, '.e2e.json');

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    globalSetup: ['./global-setup.ts'],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: jsonReport ? ['default', ['json', { outputFile: jsonReport }]] : ['default'],
  },
});
