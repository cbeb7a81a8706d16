// Copies the console's screenshots that docs/CONSOLE.md shows from the last browser-test run (e2e/artifacts/<test>/,
// numbered by the order a test took them) into docs/console/, under stable names. Run after the e2e tests:
// `npm run docs:screenshots -w e2e`. A screenshot missing from the run is named, and the script fails, so the
// documentation never silently keeps an image of an older console.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const artifacts = path.join(here, '..', 'artifacts');
const target = path.join(here, '..', '..', 'docs', 'console');

/** [test file's folder, the name the test gave the shot, the name in docs/console/]. */
const SHOTS = [
  ['search', 'results', 'search-results'],
  ['canned', 'composer-list', 'canned-composer'],
  ['canned', 'admin-list', 'canned-admin'],
  ['supervisor', 'supervisor-waiting', 'supervisor'],
  ['tags', 'tags-page', 'tags-admin'],
  ['tags', 'tagged-open-conversation', 'tags-open-conversation'],
  ['contacts', 'contacts-side-panel', 'contacts-side-panel'],
  ['contacts', 'contacts-detail', 'contacts-detail'],
  ['details', 'closed-conversation-details', 'conversation-details'],
  ['transcript', 'transcript-sent', 'transcript-sent'],
  ['shortcuts', 'shortcut-sheet-fr', 'shortcut-sheet-fr'],
  ['nav', 'header-fr-1280', 'header-fr'],
  ['nav', 'admin-tabs-fr', 'admin-tabs-fr'],
];

fs.mkdirSync(target, { recursive: true });
const missing = [];
for (const [test, name, docName] of SHOTS) {
  const folder = path.join(artifacts, test);
  const found = fs.existsSync(folder)
    ? fs
        .readdirSync(folder)
        .filter((file) => file.replace(/^\d+-/, '') === `${name}.png`)
        .map((file) => path.join(folder, file))
        .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs)
    : [];
  if (found.length === 0) {
    missing.push(`${test}/NN-${name}.png`);
    continue;
  }
  fs.copyFileSync(found[0], path.join(target, `${docName}.png`));
  console.log(`${path.relative(path.join(here, '..', '..'), found[0])} -> docs/console/${docName}.png`);
}
if (missing.length > 0) {
  console.error(`Not in e2e/artifacts (run the e2e tests first): ${missing.join(', ')}`);
  process.exit(1);
}
