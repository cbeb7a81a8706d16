import { defineConfig } from 'vitest/config';

// CI asks the server suite for a JSON report at VITEST_JSON_REPORT; the SDK writes its own beside it.
const jsonReport = process.env.VITEST_JSON_REPORT?.replace(/\.json$/, '.sdk.json');

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 120_000,
    reporters: jsonReport ? ['default', ['json', { outputFile: jsonReport }]] : ['default'],
  },
});
