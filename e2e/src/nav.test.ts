// The console's header in Chromium (issue 22, defect): an admin's header holds on one line at 1280×800 in French and
// in English (the administration pages — canned responses, tags, chat environments — are tabs of Administration, not
// header links), and those pages open from the Administration tabs and from their own URLs.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type RunningServer, shot, startServer } from './harness.js';

let server: RunningServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  context = await browser.newContext({ locale: 'fr-FR', viewport: { width: 1280, height: 800 } });
  page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(`${server.url}/admin/`);
  await page.getByLabel('E-mail').fill(server.demo.login.email);
  await page.getByLabel('Mot de passe').fill(server.demo.login.password);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.getByTestId('connection').filter({ hasText: 'Connecté' }).waitFor();
}, 180_000);
afterAll(async () => {
  await context?.close().catch(() => undefined);
  await browser?.close();
  await server?.stop();
});

/** The top of each of the header's links and controls, in pixels, with the link's name (to name the one that wraps). */
async function headerTops(): Promise<{ name: string; top: number; middle: number }[]> {
  const header = page.locator('header.topbar');
  const items = header.locator('nav[aria-label="Main"] a, select, button');
  const result: { name: string; top: number; middle: number }[] = [];
  for (const item of await items.all()) {
    const box = await item.boundingBox();
    if (box === null) continue;
    result.push({ name: (await item.textContent()) ?? '', top: Math.round(box.y), middle: box.y + box.height / 2 });
  }
  return result;
}

/** Every header link has the same top, and the controls beside them sit on that line too: the header is one line. */
async function expectOneLine(): Promise<void> {
  const tops = await headerTops();
  const links = tops.slice(0, await page.locator('header.topbar nav[aria-label="Main"] a').count());
  expect(links.length).toBeGreaterThanOrEqual(7);
  const firstTop = links[0]?.top ?? -1;
  expect(links.filter((link) => link.top !== firstTop).map((link) => link.name)).toEqual([]);
  const middle = links[0]?.middle ?? 0;
  expect(tops.filter((item) => Math.abs(item.middle - middle) > 6).map((item) => item.name)).toEqual([]);
}

describe('header navigation', () => {
  it('holds on one line at 1280×800 in French and English, the administration pages as tabs of Administration', async () => {
    const main = page.getByRole('navigation', { name: 'Main' });
    // The admin sees every area, so this is the longest header there is.
    await main.getByRole('link', { name: 'Campagnes' }).waitFor();
    expect(await main.getByRole('link', { name: 'Réponses types' }).count()).toBe(0);
    expect(await main.getByRole('link', { name: 'Étiquettes' }).count()).toBe(0);
    await expectOneLine();
    await shot(page, 'header-fr-1280');

    // Canned responses and tags are reached from Administration, in its tab row.
    await main.getByRole('link', { name: 'Administration' }).click();
    const tabs = page.getByRole('navigation', { name: 'Administration' });
    await tabs.getByRole('link', { name: 'Réponses types' }).click();
    await page.getByRole('heading', { name: 'Réponses types', level: 1 }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/admin/canned-responses');
    expect(await main.getByRole('link', { name: 'Administration' }).getAttribute('aria-current')).toBe('page');
    await tabs.getByRole('link', { name: 'Étiquettes' }).click();
    await page.getByRole('heading', { name: 'Étiquettes', level: 1 }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/admin/tags');
    expect(await tabs.getByRole('link', { name: 'Étiquettes' }).getAttribute('aria-current')).toBe('page');
    await tabs.getByRole('link', { name: 'Environnements de chat' }).click();
    await page.getByRole('heading', { name: 'Environnements de chat' }).first().waitFor();
    await expectOneLine();
    await shot(page, 'admin-tabs-fr');

    // Their URLs still open them, with the tab row.
    await page.goto(`${server.url}/admin/tags`);
    await page.getByRole('heading', { name: 'Étiquettes', level: 1 }).waitFor();
    await page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'Opérateurs' }).waitFor();
    await page.goto(`${server.url}/admin/canned-responses`);
    await page.getByRole('heading', { name: 'Réponses types', level: 1 }).waitFor();

    // English, same width.
    await page.getByRole('combobox', { name: 'Langue' }).first().selectOption('en');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Campaigns' }).waitFor();
    await expectOneLine();
    await page
      .getByRole('navigation', { name: 'Administration' })
      .getByRole('link', { name: 'Canned responses' })
      .waitFor();
    await page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'Tags' }).waitFor();
    expect(pageErrors).toEqual([]);
  });
});
