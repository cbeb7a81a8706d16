// Unit tests of the console's logic (no DOM needed): run with `npm test -w console`.
import { defineConfig } from 'vitest/config';
import { sdkAlias } from './vite.config';

// CI asks the server suite for a JSON report at VITEST_JSON_REPORT; the console writes its own beside it.
const jsonReport = process.env.VITEST_JSON_REPORT?.replace(/\.json$/, '.console.json');

export default defineConfig({
  resolve: { alias: sdkAlias },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
    reporters: jsonReport ? ['default', ['json', { outputFile: jsonReport }]] : ['default'],
  },
});
