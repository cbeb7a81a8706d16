// Starts a real Causerie node (the built server, demo data, its own database) and Debian's Chromium for browser tests.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '@causerie/test-support/browser';
import { copyTestDatabase } from '@causerie/test-support/database';
import { ADMIN_KEY, startNode } from '@causerie/test-support/processes';
import type { Browser, Page } from 'playwright-core';
import { expect, inject } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Where screenshots go: kept by CI as artifacts, ignored by git. */
export const ARTIFACTS = path.join(ROOT, 'e2e', 'artifacts');

export interface RunningServer {
  url: string;
  adminKey: string;
  demo: { apiKey: string; websiteId: number; clientId: number; login: { email: string; password: string } };
  /** Everything the node printed, for failure messages. */
  output: () => string;
  stop(): Promise<void>;
}

/**
 * Runs `node server/dist/main.js demo` on a free port with its own database (SQLite, or PostgreSQL when
 * TEST_DATABASE_URL names a server) and waits for its banner. The database is a copy of the demo's, made once by
 * global-setup.ts (or made by this node when CAUSERIE_E2E_FRESH_DEMO=1); the node mints its own demo key.
 */
export async function startServer(options: { env?: Record<string, string> } = {}): Promise<RunningServer> {
  const template = inject('demoTemplate');
  const database = template === undefined ? undefined : await copyTestDatabase(template);
  const node = await startNode({
    ...(database && { database }),
    command: 'demo',
    env: { CAUSERIE_OUTBOUND_ALLOWLIST: '127.0.0.0/8,::1', ...options.env },
    // A node on a copy boots in about 3 s; making the demo month (a fresh demo) takes 5–15 s on a quiet machine, and
    // has taken over 30 s under CI's two passes at once.
    timeoutMs: 90_000,
    readyOutput: /Operator login:\s+\S+ \/ \S+/,
  }).catch(async (error: unknown) => {
    await database?.drop();
    throw error;
  });
  // A node started on a database it was given leaves it behind: the copy goes when the node does.
  const stop = async () => {
    await node.stop();
    await database?.drop();
  };
  const output = node.output();
  const apiKey = /Demo API key:\s+(\S+)/.exec(output)?.[1] ?? '';
  const login = /Operator login:\s+(\S+) \/ (\S+)/.exec(output);
  const websites = (await (await fetch(`${node.base}/api/2/website`, { headers: { 'X-API-Key': apiKey } })).json()) as {
    data: { id: number; client_id: number }[];
  };
  const website = websites.data[0];
  if (!website || !login?.[1] || !login[2]) {
    await stop();
    throw new Error(`The demo node printed no demo website or login:\n${output}`);
  }
  return {
    url: node.base,
    adminKey: ADMIN_KEY,
    demo: {
      apiKey,
      websiteId: website.id,
      clientId: website.client_id,
      login: { email: login[1], password: login[2] },
    },
    output: node.output,
    stop,
  };
}

/** Headless Chromium from Debian, with the flags it needs in a container. */
/**
 * A caller of the demo's API with its key, under `base` (REST v2 unless told: `/api/commerce/v1`, or '' for whole
 * paths): answers the envelope's `data`, or throws naming the method, the path, the status and the body. `server` is
 * read at each call (it is started in a `beforeAll`).
 */
export function demoApi(server: () => RunningServer, base = '/api/2') {
  return async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const running = server();
    const response = await fetch(`${running.url}${base}${path}`, {
      method,
      headers: {
        'x-api-key': running.demo.apiKey,
        ...(body !== undefined && { 'content-type': 'application/json' }),
      },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const answer = (await response.json()) as { data: T };
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(answer)}`);
    return answer.data;
  };
}

/** Headless Chromium (test-support/browser.ts). */
export const launchBrowser = launchChromium;

/** An operator's console in its own browser context, logged in with a password and connected. */
export async function openConsole(
  browser: Browser,
  server: RunningServer,
  email: string,
  password: string,
): Promise<Page> {
  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1366, height: 820 } });
  // The notification permission is granted, as an operator who allowed it would have.
  await context.grantPermissions(['notifications'], { origin: server.url });
  const page = await context.newPage();
  await page.goto(`${server.url}/admin/`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByTestId('connection').filter({ hasText: 'Connected' }).waitFor();
  return page;
}

/** Ticks the console's chat availability and waits for the server to confirm it. */
export async function makeAvailable(page: Page): Promise<void> {
  const chat = page.locator('input[name="available-chat"]');
  // The box follows the server's answer (the availability frame), so it is clicked, then awaited. An operator already
  // available (a retried test finds the first attempt's state) is left so: a click would make them unavailable.
  if (!(await chat.isChecked())) await chat.click();
  await expect.poll(() => chat.isChecked()).toBe(true);
}

const shotCounters = new Map<string, number>();

/** Saves a numbered full-page screenshot under e2e/artifacts/<test file>/ for people to look at after a run. */
export async function shot(page: Page, name: string): Promise<void> {
  const test =
    (expect.getState().testPath ?? 'unknown')
      .split('/')
      .pop()
      ?.replace(/\.test\.ts$/, '') ?? 'unknown';
  const count = (shotCounters.get(test) ?? 0) + 1;
  shotCounters.set(test, count);
  const directory = path.join(ARTIFACTS, test);
  fs.mkdirSync(directory, { recursive: true });
  await page.screenshot({
    path: path.join(directory, `${String(count).padStart(2, '0')}-${name.replace(/[^a-z0-9-]+/gi, '-')}.png`),
    fullPage: true,
  });
}
