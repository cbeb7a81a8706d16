// Before any browser test: the server, console and widget must be built, since the tests run the real bundles. Then
// the demo's database is made once (a month of history takes 5–10 s, more under CI's parallel passes) and each test
// file's server starts on a copy of it (harness.ts startServer), minting its own demo key.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, type DatabaseConfig } from '@causerie/test-support/database';
import { startNode } from '@causerie/test-support/processes';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The demo's database, filled once; undefined when CAUSERIE_E2E_FRESH_DEMO=1 asks each file for a fresh demo. */
    demoTemplate: DatabaseConfig | undefined;
  }
}

const root = fileURLToPath(new URL('..', import.meta.url));

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  buildEverything();
  if (process.env.CAUSERIE_E2E_FRESH_DEMO === '1') {
    project.provide('demoTemplate', undefined);
    return async () => {};
  }
  const template = await createTestDatabase();
  const node = await startNode({
    database: template,
    command: 'demo',
    timeoutMs: 90_000,
    readyOutput: /Operator login:\s+\S+ \/ \S+/,
  });
  await node.stop();
  project.provide('demoTemplate', template.config);
  return () => template.drop();
}

function buildEverything(): void {
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
