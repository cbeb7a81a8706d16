// Starts a real Causerie node (the built server, demo data, its own SQLite file) and Debian's Chromium for browser tests.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { type Browser, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MAIN = path.join(ROOT, 'server', 'dist', 'main.js');
/** Where screenshots go: kept by CI as artifacts, ignored by git. */
export const ARTIFACTS = path.join(ROOT, 'e2e', 'artifacts');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ADMIN_KEY = 'cau_e2e_platform_admin_key_0123456789abcdef';

export interface RunningServer {
  url: string;
  adminKey: string;
  demo: { apiKey: string; websiteId: number; clientId: number; login: { email: string; password: string } };
  /** Everything the node printed, for failure messages. */
  output: () => string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * A fresh database for one node: a SQLite file, or — when TEST_DATABASE_URL names a PostgreSQL server, as in CI's
 * second pass — a new database on it, dropped afterwards.
 */
async function freshDatabase(directory: string): Promise<{ url: string; drop(): Promise<void> }> {
  const server = process.env.TEST_DATABASE_URL;
  if (!server?.startsWith('postgres'))
    return { url: `sqlite:${path.join(directory, 'causerie.db')}`, drop: async () => undefined };
  const name = `causerie_e2e_${Date.now().toString(36)}_${process.pid}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(server);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const cleaner = new pg.Client({ connectionString: server });
      await cleaner.connect();
      await cleaner.query(`drop database if exists ${name} with (force)`);
      await cleaner.end();
    },
  };
}

/** Runs `node server/dist/main.js demo` on a free port with a fresh database and waits for its banner. */
export async function startServer(options: { env?: Record<string, string> } = {}): Promise<RunningServer> {
  if (!fs.existsSync(MAIN)) throw new Error(`${MAIN} is missing: build the server first (npm run build -w server).`);
  const port = await freePort();
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'causerie-e2e-'));
  const database = await freshDatabase(directory);
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [MAIN, 'demo'], {
    env: {
      PATH: process.env.PATH ?? '',
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_URL: url,
      DATABASE_URL: database.url,
      CAUSERIE_ADMIN_KEY: ADMIN_KEY,
      CAUSERIE_OUTBOUND_ALLOWLIST: '127.0.0.0/8,::1',
      LOG_LEVEL: 'warn',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const stop = async () => {
    await stopChild(child);
    await database.drop();
    fs.rmSync(directory, { recursive: true, force: true });
  };
  const deadline = Date.now() + 30_000;
  while (!/Demo API key:\s+\S+/.test(output)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`The demo node did not start:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const apiKey = /Demo API key:\s+(\S+)/.exec(output)?.[1] ?? '';
  const login = /Operator login:\s+(\S+) \/ (\S+)/.exec(output);
  const websites = (await (await fetch(`${url}/api/2/website`, { headers: { 'X-API-Key': apiKey } })).json()) as {
    data: { id: number; client_id: number }[];
  };
  const website = websites.data[0];
  if (!website || !login?.[1] || !login[2]) {
    await stop();
    throw new Error(`The demo node printed no demo website or login:\n${output}`);
  }
  return {
    url,
    adminKey: ADMIN_KEY,
    demo: {
      apiKey,
      websiteId: website.id,
      clientId: website.client_id,
      login: { email: login[1], password: login[2] },
    },
    output: () => output,
    stop,
  };
}

/** Headless Chromium from Debian, with the flags it needs in a container. */
export async function launchBrowser(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM))
    throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH).`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage'],
  });
}

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
  // The box follows the server's answer (the availability frame), so it is clicked, then awaited.
  await chat.click();
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
