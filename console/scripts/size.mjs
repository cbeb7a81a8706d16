// Prints the gzip size of the built console (JS and CSS) and fails above the budget, so growth is noticed in review.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** React 19 alone is about 60 KB gzipped; the console's own code gets the rest. */
const BUDGET_BYTES = 110 * 1024;
const assets = new URL('../dist/assets/', import.meta.url);
let total = 0;
for (const name of readdirSync(assets)) {
  if (!/\.(js|css)$/.test(name)) continue;
  const size = gzipSync(readFileSync(join(assets.pathname, name)), { level: 9 }).length;
  total += size;
  console.log(`${name}: ${(size / 1024).toFixed(1)} KB gzip`);
}
console.log(JSON.stringify({ console_gzip_bytes: total, budget_bytes: BUDGET_BYTES }));
if (total > BUDGET_BYTES) {
  console.error(`The console is ${(total / 1024).toFixed(1)} KB gzipped, over its ${BUDGET_BYTES / 1024} KB budget.`);
  process.exit(1);
}
