// Before any browser test: the server, console and widget must be built, since the tests run the real bundles.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

export default function buildEverything(): void {
  // CI builds once before the suites; a developer running `npm test -w e2e` alone gets fresh bundles.
  if (process.env.CAUSERIE_E2E_SKIP_BUILD === '1') return;
  for (const workspace of ['server', 'console', 'widget']) {
    if (!fs.existsSync(path.join(root, workspace, 'package.json'))) continue;
    // vitest sets NODE_ENV=test, which would make Vite build the console's development bundle (and fail its size
    // check afterwards): the browser tests run what ships.
    execFileSync('npm', ['run', 'build', '-w', workspace], {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, NODE_ENV: 'production' },
    });
  }
}
