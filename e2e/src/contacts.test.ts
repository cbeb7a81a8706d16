// Contacts in Chromium (issue 22, item 5), a visitor's browser, a WhatsApp customer (local Cloud API) and Ada's console:
// the visitor chats in the widget, Ada names them in the side panel (a bad phone number refused beside the field
// first), finds them on the Contacts page, merges the WhatsApp contact into them after a confirmation, and the contact
// then shows both identities and both conversations; a conversation link opens the agent view, whose side panel shows
// the surviving contact for the merged one's conversation. The page in French,
// keyboard only, and axe finds no critical or serious issue on it. Its chunk is loaded on demand.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { AxeBuilder } from '@axe-core/playwright';
import { FakeWhatsApp } from '@causerie/test-support/fakes/whatsapp';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  demoApi,
  launchBrowser,
  makeAvailable,
  openConsole,
  type RunningServer,
  shot,
  startServer,
} from './harness.js';

const ASSETS = fileURLToPath(new URL('../../console/dist/assets', import.meta.url));
const run = Math.random().toString(36).slice(2, 7);
const CREDENTIALS = {
  phone_number_id: '123456789012346',
  access_token: 'EAAG-e2e-contacts',
  app_secret: 'e2e-contacts-secret',
  verify_token: 'e2e-contacts',
};
// Unique per attempt, so that a retry meets a new customer.
const CUSTOMER = `+3361${Math.floor(1_000_000 + Math.random() * 8_999_999)}`;
const LASTNAME = `Lovelace${run}`;

let server: RunningServer;
let browser: Browser;
let fake: FakeWhatsApp;
const contexts: BrowserContext[] = [];
const pageErrors: string[] = [];

const api = demoApi(() => server);

/** The WhatsApp customer's conversation, once the node has processed the webhook. */
async function whatsappConversation(): Promise<{ id: number; visitor_id: number }> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const found = (
      await api<Array<{ id: number; phone_number: string | null; visitor_id: number }>>(
        'GET',
        '/conversation?full=1&limit=50',
      )
    ).find((item) => item.phone_number === CUSTOMER);
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`No conversation for ${CUSTOMER}:\n${server.output().slice(-2000)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function blockingViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return results.violations
    .filter((violation) => violation.impact === 'critical' || violation.impact === 'serious')
    .map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(' | ')}`);
}

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  fake = await new FakeWhatsApp({
    phoneNumberId: CREDENTIALS.phone_number_id,
    accessToken: CREDENTIALS.access_token,
    appSecret: CREDENTIALS.app_secret,
  }).start();
  const channel = await api<{ webhook_url: string }>('POST', '/channel', {
    type: 'whatsapp',
    website_id: server.demo.websiteId,
    base_url: fake.url,
    credentials: CREDENTIALS,
  });
  fake.webhookUrl = channel.webhook_url;
}, 180_000);
afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await fake?.settle();
  await fake?.stop();
  await browser?.close();
  await server?.stop();
});

describe('contacts', () => {
  it('names a web visitor in the side panel, finds them, and merges their WhatsApp contact into them', async () => {
    const ada = await openConsole(browser, server, server.demo.login.email, server.demo.login.password);
    contexts.push(ada.context());
    ada.on('pageerror', (error) => pageErrors.push(error.message));
    await makeAvailable(ada);

    // 1. The same person writes on WhatsApp (profile name "Ada L.")…
    await fake.customerSends(CUSTOMER, { type: 'text', text: { body: 'Hello from WhatsApp' } }, 'Ada L.');
    const whatsapp = await whatsappConversation();

    // …and chats in the widget on the demo site.
    const before = new Set(
      (await api<Array<{ id: number }>>('GET', '/conversation?full=1&limit=100')).map((row) => row.id),
    );
    const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 800 } });
    contexts.push(context);
    const visitor = await context.newPage();
    await visitor.goto(`${server.url}/demo`);
    await visitor.getByRole('button', { name: 'Open the chat' }).click();
    const chat = visitor.frameLocator('#causerie-frame');
    await chat.locator('#cz-input').fill(`Hello, about my order ${run}`);
    await chat.locator('#cz-input').press('Enter');
    let webConversation = 0;
    await expect
      .poll(
        async () => {
          const rows = await api<Array<{ id: number; source: string }>>('GET', '/conversation?full=1&limit=100');
          webConversation = rows.find((row) => row.source === 'web' && !before.has(row.id))?.id ?? 0;
          return webConversation;
        },
        { timeout: 10_000 },
      )
      .toBeGreaterThan(0);
    const item = ada.getByTestId(`conversation-${webConversation}`);
    await item.waitFor({ timeout: 10_000 });
    await item.click();
    await ada.getByTestId('history').getByText(`Hello, about my order ${run}`).waitFor();

    // 2. The side panel says "Anonymous visitor"; Ada names them there (a wrong phone number is refused first).
    const card = ada.getByTestId('contact-card');
    await card.getByTestId('contact-name').filter({ hasText: 'Anonymous visitor' }).waitFor();
    await card.getByRole('button', { name: 'Edit contact' }).click();
    const form = ada.getByTestId('contact-form');
    await form.getByLabel('First name').fill('Ada');
    await form.getByLabel('Last name').fill(LASTNAME);
    await form.getByLabel('Email').fill(`ada.${run}@example.com`);
    const phone = form.getByLabel('Phone');
    await phone.fill('call me');
    await form.getByRole('button', { name: 'Save' }).click();
    await form.getByRole('alert').filter({ hasText: 'international format' }).waitFor();
    expect(await phone.getAttribute('aria-invalid')).toBe('true');
    expect(await phone.evaluate((input) => input === document.activeElement)).toBe(true);
    await phone.fill('');
    await phone.press('Enter');
    await card
      .getByTestId('contact-name')
      .filter({ hasText: `Ada ${LASTNAME}` })
      .waitFor();
    await card
      .getByTestId('contact-email')
      .filter({ hasText: `ada.${run}@example.com` })
      .waitFor();
    await shot(ada, 'contacts-side-panel');

    // 3. The Contacts page finds them by a part of the name.
    await ada.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Contacts' }).click();
    await ada.getByRole('heading', { name: 'Contacts', level: 1 }).waitFor();
    await ada.getByLabel('Search contacts').fill(LASTNAME.toLowerCase());
    await ada.getByLabel('Search contacts').press('Enter');
    const list = ada.getByTestId('contacts-list');
    await list
      .getByRole('link')
      .filter({ hasText: `Ada ${LASTNAME}` })
      .click();
    const detail = ada.getByTestId('contact-detail');
    await detail.getByRole('heading', { name: `Ada ${LASTNAME}` }).waitFor();

    // 4. Merge the WhatsApp contact into them, after a confirmation.
    await detail.getByLabel('Find the contact to merge').fill(CUSTOMER);
    await detail.getByLabel('Find the contact to merge').press('Enter');
    await detail.getByTestId('merge-candidates').getByRole('button', { name: 'Merge Ada L.…' }).click();
    const dialog = ada.getByRole('dialog', { name: 'Merge these contacts?' });
    await dialog.getByText(`Ada L. will be merged into Ada ${LASTNAME}`).waitFor();
    await shot(ada, 'contacts-merge-confirm');
    await dialog.getByRole('button', { name: 'Merge', exact: true }).click();
    await detail.getByRole('status').filter({ hasText: 'Ada L. was merged into this contact.' }).waitFor();

    // Both identities and both conversations.
    const identities = detail.getByTestId('contact-identities');
    await identities.getByTestId('identity-whatsapp').filter({ hasText: CUSTOMER }).waitFor();
    expect(await identities.getByTestId('identity-web').count()).toBe(1);
    await identities
      .getByTestId('identity-email')
      .filter({ hasText: `ada.${run}@example.com` })
      .waitFor();
    const links = detail.getByTestId('contact-conversations').getByRole('link');
    await expect
      .poll(() => links.allTextContents())
      .toEqual(expect.arrayContaining([`#${webConversation}`, `#${whatsapp.id}`]));
    // The merged contact is gone from the API.
    const merged = await fetch(`${server.url}/api/2/visitor/${whatsapp.visitor_id}`, {
      headers: { 'x-api-key': server.demo.apiKey },
    });
    expect(merged.status).toBe(404);
    expect(await blockingViolations(ada)).toEqual([]);
    await shot(ada, 'contacts-detail');

    // A conversation link opens it in the agent view.
    await links.filter({ hasText: `#${whatsapp.id}` }).click();
    await ada.getByTestId('history').getByText('Hello from WhatsApp').waitFor();
    // Its side panel shows the surviving contact (the merged one is gone: the panel used to say so as an error).
    const panel = ada.getByTestId('visitor-panel');
    // Polling the panel's text names what it shows instead when it does not come.
    await expect.poll(() => panel.textContent(), { timeout: 15_000 }).toContain(`Ada ${LASTNAME}`);
    await panel
      .getByTestId('contact-card')
      .getByTestId('contact-name')
      .filter({ hasText: `Ada ${LASTNAME}` })
      .waitFor();
    expect(await panel.getByTestId('contact-card').getByTestId('visitor-phone').textContent()).toBe(CUSTOMER);
    expect(await panel.getByRole('alert').allTextContents()).toEqual([]);
    await shot(ada, 'contacts-merged-side-panel');

    // 5. While Ada's agent view is open, the contact is merged into another one elsewhere (the API): opening one of
    // its live conversations shows the surviving contact, where it showed the merged one's 404 as an error.
    const { visitor_id: adaContact } = await api<{ visitor_id: number }>('GET', `/conversation/${webConversation}`);
    // The survivor has the same name (the French test below finds her by it) and her own email, which wins.
    const survivor = await api<{ id: number }>('POST', '/visitor', {
      firstname: 'Ada',
      lastname: LASTNAME,
      email: `ada.survivor.${run}@example.com`,
    });
    await api('POST', `/visitor/${survivor.id}/merge`, { from_id: adaContact });
    await ada.getByTestId(`conversation-${webConversation}`).click();
    await ada.getByTestId('history').getByText(`Hello, about my order ${run}`).waitFor();
    await expect.poll(() => panel.textContent(), { timeout: 15_000 }).toContain(`ada.survivor.${run}@example.com`);
    expect(await panel.getByTestId('contact-card').getByTestId('contact-email').textContent()).toBe(
      `ada.survivor.${run}@example.com`,
    );
    expect(await panel.getByRole('alert').allTextContents()).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it('works in French with the keyboard only', async () => {
    const page = await openConsole(browser, server, server.demo.login.email, server.demo.login.password);
    contexts.push(page.context());
    await page.getByRole('combobox', { name: /Language|Langue/ }).selectOption('fr');
    await page.goto(`${server.url}/admin/contacts`);
    await page.getByRole('heading', { name: 'Contacts', level: 1 }).waitFor();
    const search = page.getByLabel('Rechercher des contacts');
    await search.focus();
    await page.keyboard.type(LASTNAME);
    await page.keyboard.press('Enter');
    const link = page
      .getByTestId('contacts-list')
      .getByRole('link')
      .filter({ hasText: `Ada ${LASTNAME}` });
    await link.waitFor();
    await link.focus();
    await page.keyboard.press('Enter');
    const detail = page.getByTestId('contact-detail');
    await detail.getByRole('heading', { name: `Ada ${LASTNAME}` }).waitFor();
    await detail.getByRole('heading', { name: 'Identités' }).waitFor();
    await detail.getByRole('button', { name: 'Modifier le contact' }).focus();
    await page.keyboard.press('Enter');
    // The form takes the focus on its first field; a custom attribute added and saved from the keyboard.
    expect(await page.getByLabel('Prénom').evaluate((input) => input === document.activeElement)).toBe(true);
    await page.getByRole('button', { name: 'Ajouter un attribut' }).focus();
    await page.keyboard.press('Enter');
    await page.getByLabel('Nom de l’attribut').focus();
    await page.keyboard.type('plan');
    await page.keyboard.press('Tab');
    await page.keyboard.type('premium');
    await page.keyboard.press('Enter');
    await detail.getByRole('status').filter({ hasText: 'Contact enregistré.' }).waitFor();
    await detail.getByTestId('contact-facts').getByText('premium').waitFor();
    expect(await blockingViolations(page)).toEqual([]);
    await shot(page, 'contacts-fr');
  });

  it('keeps the page in its own chunk, loaded on demand', () => {
    const html = fs.readFileSync(path.join(ASSETS, '..', 'index.html'), 'utf8');
    const chunks = fs.readdirSync(ASSETS).filter((name) => /^ContactsPage-.*\.js$/.test(name));
    expect(chunks.length).toBeGreaterThan(0);
    for (const name of chunks) expect(html.includes(name)).toBe(false);
    const gzipped = chunks.reduce((sum, name) => sum + gzipSync(fs.readFileSync(path.join(ASSETS, name))).length, 0);
    console.log(`ContactsPage chunk: ${gzipped} bytes gzipped`);
    expect(gzipped).toBeLessThan(8_000);
  });
});
