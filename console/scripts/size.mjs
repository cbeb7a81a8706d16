// Prints the gzip size of the built console (JS and CSS): the first load and the chunks loaded on demand, each under
// its budget, so growth is noticed in review.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/**
 * React 19 alone is about 60 KB gzipped; the console's own code gets the rest. What the first page load fetches. 112 KB
 * (was 110) for issue 22's support-team features that the agent view needs at once: the canned responses' `/` picker
 * and matching (about 1.4 KB), the side panel's contact card and the conversation tags' chips and filter words; their
 * pages and dialogs load on demand.
 */
const BUDGET_BYTES = 112 * 1024;
/**
 * Chunks fetched only when a page needs them, all pages summed (the reports page and its chart library, uPlot, about
 * 29 KB; the Flows pages, about 12 KB, grown by the schedule and event triggers and flow deletion; the partner area
 * and the chat environments pages, about 13 KB, half of it their strings in English and French): no page fetches
 * them all, so the sum is an upper bound. 56 KB (was 48) for the partner area; +7 KB for the Campaigns page (about
 * 7 KB, a third of it its strings in English and French); +7 KB for the message template editor of the Campaigns area
 * (about 7.3 KB with its CSS: the form, the preview per channel, its strings in English and French); +6 KB for the Apps
 * pages (about 5.5 KB with their CSS: the marketplace cards, the install wizard, their strings in English and French);
 * +14 KB for the developer area (about 9.4 KB with its CSS: activation, login, the app editor, its strings in English
 * and French) and the platform admin's app review and developer invitations in the partner area. +28 KB for issue
 * 22's pages and on-demand pieces (each with its strings in English and French): supervisor 5.9, canned responses
 * 5.7 (page, list, API calls), contacts 5.4 (page, contact form), full-text search 3.4, tags 3.4 (page, API calls),
 * conversation details 2.4, the shortcut sheet 0.9.
 */
const LAZY_BUDGET_BYTES = 118 * 1024;
const assets = new URL('../dist/assets/', import.meta.url);
// What index.html names is the first load; every other asset is a chunk a page imports dynamically.
const html = readFileSync(new URL('../dist/index.html', import.meta.url), 'utf8');
let total = 0;
let lazy = 0;
for (const name of readdirSync(assets)) {
  if (!/\.(js|css)$/.test(name)) continue;
  const size = gzipSync(readFileSync(join(assets.pathname, name)), { level: 9 }).length;
  const initial = html.includes(`/assets/${name}`);
  if (initial) total += size;
  else lazy += size;
  console.log(`${name}: ${(size / 1024).toFixed(1)} KB gzip${initial ? '' : ' (loaded on demand)'}`);
}
console.log(
  JSON.stringify({
    console_gzip_bytes: total,
    budget_bytes: BUDGET_BYTES,
    lazy_gzip_bytes: lazy,
    lazy_budget_bytes: LAZY_BUDGET_BYTES,
  }),
);
if (total > BUDGET_BYTES) {
  console.error(`The console is ${(total / 1024).toFixed(1)} KB gzipped, over its ${BUDGET_BYTES / 1024} KB budget.`);
  process.exit(1);
}
if (lazy > LAZY_BUDGET_BYTES) {
  console.error(
    `The console's on-demand chunks are ${(lazy / 1024).toFixed(1)} KB gzipped, over their ${LAZY_BUDGET_BYTES / 1024} KB budget.`,
  );
  process.exit(1);
}
