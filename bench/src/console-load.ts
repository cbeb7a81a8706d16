// console-load: the first load of the agent view on the demo, as an operator already signed in opens the console in
// a browser with an empty cache — issue 22's "first load of the agent view ≤ 1 s on the demo".
//
// Causerie: one node running `demo` (SQLite, its month of demo history), headless Chromium (Debian's, as the e2e
// tests use). Each sample is a new browser context (no HTTP cache) holding the signed-in session: from navigation
// to `/admin/` until the agent view is usable — the socket says Connected (its snapshot has drawn the operator's own
// conversations), the list tabs and the conversation pane are drawn. The baseline, in the same run and browser: the same built files
// (console/dist) served by a bare `node:http` static server, timed from navigation to the `load` event — the cost
// of fetching, parsing and running the bundle, with no API, socket or data. Figures: median and p95 of each, and
// the ratio baseline / Causerie.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '@causerie/test-support/browser';
import { startNode } from '@causerie/test-support/processes';
import type { BenchOptions } from './run.js';
import { median, percentile, round } from './stats.js';

const TARGET_MS = 1000;
const CONSOLE_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../console/dist');
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** The console's built files, served as files: the baseline. `/admin/...` maps to console/dist as the node does. */
function staticServer(): Promise<{ base: string; close: () => Promise<void> }> {
  const server = http.createServer((request, response) => {
    const wanted = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname).replace(/^\/admin\/?/, '/');
    const file = path.join(CONSOLE_DIST, wanted === '/' ? 'index.html' : path.normalize(wanted));
    const found = file.startsWith(CONSOLE_DIST) && fs.existsSync(file) && fs.statSync(file).isFile();
    const served = found ? file : path.join(CONSOLE_DIST, 'index.html');
    response.writeHead(200, { 'content-type': TYPES[path.extname(served)] ?? 'application/octet-stream' });
    fs.createReadStream(served).pipe(response);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        close: () => new Promise((done) => server.close(() => done())),
      }),
    ),
  );
}

export async function consoleLoad(options: BenchOptions): Promise<Record<string, unknown>> {
  if (options.postgres) throw new Error('console-load runs the demo on SQLite only.');
  if (!fs.existsSync(path.join(CONSOLE_DIST, 'index.html')))
    throw new Error(`${CONSOLE_DIST} is missing: build the console first (npm run build -w console).`);
  const samples = options.quick ? 5 : 15;
  const node = await startNode({ command: 'demo', timeoutMs: 120_000, readyOutput: /Operator login:\s+\S+ \/ \S+/ });
  const files = await staticServer();
  const browser = await launchChromium();
  try {
    const login = /Operator login:\s+(\S+) \/ (\S+)/.exec(node.output());
    if (!login?.[1] || !login[2]) throw new Error('The demo node printed no operator login.');
    // Signed in once, through the login form; every sample starts from this session with an empty cache.
    const first = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await first.newPage();
    await page.goto(`${node.base}/admin/`);
    await page.getByLabel('Email').fill(login[1]);
    await page.getByLabel('Password').fill(login[2]);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByTestId('connection').filter({ hasText: 'Connected' }).waitFor();
    const session = await first.storageState();
    await first.close();

    const agentView = async (): Promise<number> => {
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, storageState: session });
      const tab = await context.newPage();
      const started = performance.now();
      await tab.goto(`${node.base}/admin/`, { waitUntil: 'commit' });
      await tab.getByTestId('connection').filter({ hasText: 'Connected' }).waitFor();
      await tab.getByRole('tab', { name: /^Mine/ }).waitFor();
      await tab.getByText('Select a conversation.').waitFor();
      const elapsed = performance.now() - started;
      await context.close();
      return elapsed;
    };
    const bareLoad = async (): Promise<number> => {
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
      const tab = await context.newPage();
      const started = performance.now();
      await tab.goto(`${files.base}/admin/`, { waitUntil: 'load' });
      const elapsed = performance.now() - started;
      await context.close();
      return elapsed;
    };
    // One of each first: Chromium's own start-up and the node's first queries are not the console's.
    await agentView();
    await bareLoad();
    const causerie: number[] = [];
    const baseline: number[] = [];
    for (let index = 0; index < samples; index++) {
      causerie.push(await agentView());
      baseline.push(await bareLoad());
    }
    const p95 = percentile(causerie, 0.95);
    return {
      samples,
      agent_view_median_ms: round(median(causerie)),
      agent_view_p95_ms: round(p95),
      target_ms: TARGET_MS,
      meets_target: p95 <= TARGET_MS,
      bare_static_load_median_ms: round(median(baseline)),
      bare_static_load_p95_ms: round(percentile(baseline, 0.95)),
      bare_over_causerie_median: round(median(baseline) / median(causerie), 2),
    };
  } finally {
    await browser.close();
    await files.close();
    await node.stop('SIGTERM');
  }
}
