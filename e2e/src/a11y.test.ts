// Accessibility in Chromium with axe-core (WCAG 2.1 A and AA rules): every console view the demo's admin reaches — the
// agent view with a conversation open, each administration tab, reports, apps, flows, campaigns, templates, canned
// responses, tags, contacts, the supervisor view — the login page, the partner area (signed in with the platform key),
// and the visitor's widget open with a message. A `critical` or `serious` violation fails the test, named with its
// rule, its help and the elements concerned.
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, makeAvailable, type RunningServer, startServer } from './harness.js';

let server: RunningServer;
let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
  await server?.stop();
});

const WCAG = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const BLOCKING = new Set(['critical', 'serious']);

/** Every element axe checked and found right, as JSON of its selector (frames and shadow roots included). */
let lastChecked: string[] = [];

/**
 * The critical and serious violations axe finds on the page as it is now (its frames included), one line each. With
 * `covering`, axe runs again (up to four times) until an element whose selector contains it was checked: the axe
 * builder gives a frame one second to take axe's source and silently leaves out a frame that took longer, which a
 * loaded machine does now and then.
 */
async function violations(page: Page, view: string, covering?: string): Promise<string[]> {
  let results = await new AxeBuilder({ page }).withTags(WCAG).analyze();
  const checked = () => results.passes.flatMap((rule) => rule.nodes.map((node) => JSON.stringify(node.target)));
  for (let attempt = 1; covering !== undefined && attempt < 4; attempt += 1) {
    if (checked().some((target) => target.includes(covering))) break;
    results = await new AxeBuilder({ page }).withTags(WCAG).analyze();
  }
  lastChecked = checked();
  return results.violations
    .filter((violation) => BLOCKING.has(violation.impact ?? ''))
    .map(
      (violation) =>
        `${view}: ${violation.id} (${violation.impact}) ${violation.help} — ${violation.nodes
          .slice(0, 5)
          .map((node) => node.target.join(' '))
          .join(' | ')}`,
    );
}

async function newPage(locale = 'en-US'): Promise<Page> {
  const context = await browser.newContext({ locale, viewport: { width: 1440, height: 900 } });
  contexts.push(context);
  return context.newPage();
}

/** Fails with every violation on the error's first line: a CI summary shows only that line. */
function failOn(found: string[]): void {
  if (found.length > 0) throw new Error(`${found.length} violation(s): ${found.join(' ;; ')}`);
}

/** A console page once drawn: its first heading or tab list shown, nothing loading any more. */
async function settled(page: Page): Promise<void> {
  await page.locator('h1:visible, h2:visible, [role="tablist"]:visible').first().waitFor();
  await page.waitForLoadState('networkidle');
  await expect.poll(() => page.getByText(/^(Loading…|Chargement…)$/).count()).toBe(0);
}

async function logIn(page: Page): Promise<void> {
  await page.goto(`${server.url}/admin/`);
  await page.getByLabel('Email').fill(server.demo.login.email);
  await page.getByLabel('Password').fill(server.demo.login.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByTestId('connection').filter({ hasText: 'Connected' }).waitFor();
}

const CONSOLE_VIEWS = [
  '/admin/operators',
  '/admin/groups',
  '/admin/skills',
  '/admin/websites',
  '/admin/channels',
  '/admin/targeting',
  '/admin/keys',
  '/admin/webhooks',
  '/admin/reports',
  '/admin/apps',
  '/admin/flows',
  '/admin/campaigns',
  '/admin/campaigns/templates',
  '/admin/canned-responses',
  '/admin/tags',
  '/admin/contacts',
  '/admin/supervisor',
];

describe('axe itself', () => {
  it('reports a serious violation on a page made to have one (the check is not silently empty)', async () => {
    const page = await newPage();
    await page.setContent('<!doctype html><html lang="en"><title>Broken</title><main><button></button></main></html>');
    expect((await violations(page, 'broken')).join('\n')).toMatch(/button-name \(critical\)/);
  });
});

describe('axe in the console', () => {
  it('finds no critical or serious violation on the login page', async () => {
    const page = await newPage();
    await page.goto(`${server.url}/admin/`);
    await page.getByRole('button', { name: 'Log in' }).waitFor();
    expect(await violations(page, 'login')).toEqual([]);
  });

  it('finds none in the agent view, its tabs and an open conversation', async () => {
    const page = await newPage();
    await logIn(page);
    await settled(page);
    const found = await violations(page, 'agent view');
    // An open conversation, with its composer: a visitor writes while the admin is available.
    await makeAvailable(page);
    const started = await fetch(`${server.url}/realtime/visitor/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: server.url },
      body: JSON.stringify({ website_id: server.demo.websiteId, text: 'Is the blue bike in stock?' }),
    });
    const conversationId = ((await started.json()) as { data: { conversation_id: number } }).data.conversation_id;
    try {
      await page.getByTestId(`conversation-${conversationId}`).click();
      await page.getByText('Is the blue bike in stock?').first().waitFor();
      await page.waitForLoadState('networkidle');
      found.push(...(await violations(page, 'agent view, an open conversation')));
      // The demo's closed conversation, once its pane shows it (its status badge says closed): checking as soon as
      // the network is idle could check the previous pane instead.
      await page.getByRole('tab', { name: /^Closed/ }).click();
      const closed = page.getByTestId('list-closed').locator('[data-conversation-id]').first();
      await closed.waitFor();
      await closed.click();
      await page.getByTestId('status').filter({ hasText: 'closed' }).waitFor();
      await page.waitForLoadState('networkidle');
      found.push(...(await violations(page, 'agent view, a closed conversation')));
    } finally {
      // Closed again, so that a retry (or the widget test) does not find the admin's chat slots taken.
      await fetch(`${server.url}/api/2/conversation/${conversationId}/close`, {
        method: 'POST',
        headers: { 'x-api-key': server.demo.apiKey, 'content-type': 'application/json' },
        body: '{}',
      });
    }
    failOn(found);
  });

  it('finds none on each page of the administration, reports and apps', { timeout: 300_000 }, async () => {
    const page = await newPage();
    await logIn(page);
    const found: string[] = [];
    for (const path of CONSOLE_VIEWS) {
      await page.goto(`${server.url}${path}`);
      await settled(page).catch((error: unknown) => {
        throw new Error(`${path} did not settle: ${String(error)}`);
      });
      found.push(...(await violations(page, path)));
    }
    failOn(found);
  });

  it('finds none in French either (the agent view and the operators page)', async () => {
    const page = await newPage('fr-FR');
    await page.goto(`${server.url}/admin/`);
    await page.getByLabel('E-mail').fill(server.demo.login.email);
    await page.getByLabel('Mot de passe').fill(server.demo.login.password);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await settled(page);
    const found = await violations(page, 'vue agent');
    await page.goto(`${server.url}/admin/operators`);
    await settled(page);
    found.push(...(await violations(page, '/admin/operators (fr)')));
    failOn(found);
  });

  it('finds none in the partner area signed in with the platform key', async () => {
    const page = await newPage();
    await page.goto(`${server.url}/admin/partner`);
    const found = await violations(page, 'partner sign-in');
    await page.getByLabel('API key').fill(server.adminKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('partner-scope').waitFor();
    await settled(page);
    found.push(...(await violations(page, 'partner area')));
    failOn(found);
  });
});

describe('axe in the widget', () => {
  it('finds none with the chat open, then with a message sent', async () => {
    const page = await newPage();
    await page.goto(`${server.url}/demo`);
    await page.getByRole('button', { name: 'Open the chat' }).click();
    const frame = page.frameLocator('#causerie-frame');
    await frame.locator('#cz-input').waitFor();
    await expect.poll(() => frame.locator('.cz-log .cz-system').count()).toBeGreaterThan(0);
    const found = await violations(page, 'widget open', 'cz-input');
    // axe went into the loader's shadow root and the chat's frame.
    expect(lastChecked.some((target) => target.includes('cz-input'))).toBe(true);
    await frame.locator('#cz-input').fill('Do you deliver to Lyon?');
    await frame.locator('#cz-input').press('Enter');
    // The message shows; then the conversation is assigned (the admin of the agent view test is available), queued
    // (its banner says the place in the queue) or, with nobody available, the offline form shows: whichever, the chat
    // as the visitor now sees it is checked.
    await frame.locator('.cz-log').getByText('Do you deliver to Lyon?').waitFor();
    await frame.locator('.cz-offline:not([hidden]), .cz-banner:not([hidden]), .cz-log .cz-system').first().waitFor();
    found.push(...(await violations(page, 'widget with a message', 'cz-input')));
    expect(lastChecked.some((target) => target.includes('cz-input'))).toBe(true);
    failOn(found);
  });
});
