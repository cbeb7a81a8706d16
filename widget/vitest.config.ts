// Unit tests of the widget's logic (state machine, i18n, storage, rendering with a fake document, the size check); no browser needed.
import { defineConfig } from 'vitest/config';

// CI asks the server suite for a JSON report at VITEST_JSON_REPORT; the widget writes its own beside it.
const jsonReport = process.env.VITEST_JSON_REPORT?.replace(/\.json$/, '.widget.json');

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'scripts/**/*.test.ts'],
    environment: 'node',
    reporters: jsonReport ? ['default', ['json', { outputFile: jsonReport }]] : ['default'],
  },
});
