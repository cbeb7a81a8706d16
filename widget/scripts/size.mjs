// Prints the gzipped sizes of the built widget and fails above budget (design.md convention 10): loader ≤ 5 KB, iframe app ≤ 30 KB.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const dist = new URL('../dist/', import.meta.url).pathname;
const KB = 1024;
// The budgets of convention 10; the environment may lower them only to prove the check fails (scripts/size.test.ts).
const lowered = (name, budget) => Math.min(budget, Number(process.env[name] ?? budget));
const BUDGETS = {
  loader: lowered('WIDGET_LOADER_BUDGET_BYTES', 5 * KB),
  app: lowered('WIDGET_APP_BUDGET_BYTES', 30 * KB),
};

/** @param {string} file */
const gzipped = (file) => gzipSync(readFileSync(file), { level: 9 }).length;

if (!existsSync(join(dist, 'widget.js')) || !existsSync(join(dist, 'widget', 'frame.html'))) {
  console.error('widget/dist is missing: run `npm run build -w widget` first.');
  process.exit(2);
}
const loader = gzipped(join(dist, 'widget.js'));
// The app is everything the iframe downloads: its HTML and every asset it references.
const appFiles = [
  join(dist, 'widget', 'frame.html'),
  ...readdirSync(join(dist, 'widget', 'assets')).map((name) => join(dist, 'widget', 'assets', name)),
];
const parts = appFiles.map((file) => ({ file: file.slice(dist.length), bytes: gzipped(file) }));
const app = parts.reduce((sum, part) => sum + part.bytes, 0);
const format = (bytes) => `${(bytes / KB).toFixed(2)} KB`;
for (const part of parts) console.log(`  ${part.file.padEnd(40)} ${format(part.bytes)} gz`);
const rows = [
  ['loader (widget.js)', loader, BUDGETS.loader],
  ['iframe app (total)', app, BUDGETS.app],
];
let over = false;
for (const [name, bytes, budget] of rows) {
  const ok = bytes <= budget;
  over ||= !ok;
  console.log(
    `${ok ? 'ok  ' : 'OVER'} ${name.padEnd(22)} ${format(bytes).padStart(9)} gzipped (budget ${format(budget)})`,
  );
}
console.log(
  JSON.stringify({
    loader_gzip_bytes: loader,
    app_gzip_bytes: app,
    loader_budget: BUDGETS.loader,
    app_budget: BUDGETS.app,
  }),
);
process.exit(over ? 1 : 0);
