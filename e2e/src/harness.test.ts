// The harness itself: a demo node starts, Chromium renders one of its pages, and the node's demo data is reachable.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type RunningServer, shot, startServer } from './harness.js';

describe('e2e harness', () => {
  let server: RunningServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('serves the API reference to a real browser and exposes the demo login', async () => {
    const page = await browser.newPage();
    const response = await page.goto(`${server.url}/docs`);
    expect(response?.status()).toBe(200);
    // The reference renders in the browser from /openapi.json: its heading proves scripts ran and the document loaded.
    await page.getByRole('heading', { name: 'Causerie API' }).first().waitFor({ timeout: 20_000 });
    await shot(page, 'api-reference');
    expect(server.demo.login.email).toMatch(/@/);
    const session = await fetch(`${server.url}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(server.demo.login),
    });
    expect(session.status).toBe(200);
  });
});
