// The message template editor in Chromium: the demo's admin, with a WhatsApp channel on the (local) Graph API, goes
// from the Campaigns page to the templates, writes one with {{variables}}, a link and a quick reply, watches the
// WhatsApp, RCS and SMS previews follow the typing (with the SMS's segments), is refused a {{variable}} in a button
// (the error beside that button, which takes the focus), creates it (submitted to Meta: in review, then approved
// from Meta's webhook), sees the server's own preview, edits it, and deletes it after confirming. Then in French.
import { FakeWhatsApp } from '@causerie/test-support/fakes/whatsapp';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openConsole, type RunningServer, shot, startServer } from './harness.js';

const WABA = '102290129340398';
const WHATSAPP = {
  phone_number_id: '106540352242944',
  access_token: 'EAAG-e2e-templates-token-0123456789',
  app_secret: 'app-secret-e2e-templates',
  verify_token: 'verify-e2e-templates',
};

let server: RunningServer;
let browser: Browser;
let fake: FakeWhatsApp;
const pageErrors: string[] = [];

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  fake = await new FakeWhatsApp({
    phoneNumberId: WHATSAPP.phone_number_id,
    accessToken: WHATSAPP.access_token,
    appSecret: WHATSAPP.app_secret,
    wabaId: WABA,
  }).start();
  const response = await fetch(`${server.url}/api/2/channel`, {
    method: 'POST',
    headers: { 'x-api-key': server.demo.apiKey, 'content-type': 'application/json' },
    body: JSON.stringify({
      type: 'whatsapp',
      name: 'WhatsApp boutique',
      website_id: server.demo.websiteId,
      base_url: fake.url,
      credentials: WHATSAPP,
    }),
  });
  const answer = (await response.json()) as { data: { webhook_url: string }; meta: { message?: string } };
  if (!response.ok) throw new Error(`POST /api/2/channel: ${response.status} ${answer.meta.message ?? ''}`);
  fake.webhookUrl = answer.data.webhook_url;
}, 120_000);
afterAll(async () => {
  await fake?.settle();
  await fake?.stop();
  await browser?.close();
  await server?.stop();
});

const text = (page: Page, testId: string) => page.getByTestId(testId).textContent();

/** Meta's id for a template as Causerie recorded it from Meta's answer (null before the answer is recorded). */
async function recordedMetaId(name: string): Promise<string | null> {
  const response = await fetch(`${server.url}/api/messaging/messenger/template?name=${encodeURIComponent(name)}`, {
    headers: { 'x-api-key': server.demo.apiKey },
  });
  const answer = (await response.json()) as { data: { whatsapp: { meta_template_id: string | null } | null }[] };
  if (!response.ok) throw new Error(`GET /messenger/template: ${response.status} ${JSON.stringify(answer)}`);
  return answer.data[0]?.whatsapp?.meta_template_id ?? null;
}

let attempts = 0;

/** Deletes the templates a failed attempt left, through the API. */
async function deleteTemplatesLeft(): Promise<void> {
  const headers = { 'x-api-key': server.demo.apiKey };
  const response = await fetch(`${server.url}/api/messaging/messenger/template`, { headers });
  const answer = (await response.json()) as { data: { id: number }[] };
  if (!response.ok) throw new Error(`GET /messenger/template: ${response.status} ${JSON.stringify(answer)}`);
  for (const template of answer.data) {
    const deleted = await fetch(`${server.url}/api/messaging/messenger/template/${template.id}`, {
      method: 'DELETE',
      headers,
    });
    if (!deleted.ok) throw new Error(`DELETE /messenger/template/${template.id}: ${deleted.status}`);
  }
}

describe('Message templates in the console', () => {
  it('an admin writes a template with a live preview per channel, fixes a refused button, has it approved, edits and deletes it', async () => {
    // A retried attempt starts from an empty list again, under a name of its own (the fake Meta keeps the first's).
    attempts += 1;
    const name = attempts === 1 ? 'commande_prete' : `commande_prete_${attempts}`;
    await deleteTemplatesLeft();
    const page = await openConsole(browser, server, server.demo.login.email, server.demo.login.password);
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Campaigns' }).click();
    await page.getByRole('heading', { name: 'Campaigns' }).waitFor();
    await page.getByRole('link', { name: 'Message templates' }).click();
    await page.getByRole('heading', { name: 'Message templates' }).waitFor();
    await page.getByText('No template yet.').waitFor();
    await page.getByRole('button', { name: 'New template' }).click();
    await page.getByRole('heading', { name: 'New template' }).waitFor();

    await page.getByLabel(/^Name/).fill(name);
    await page.getByLabel(/^Message/).fill('Bonjour {{firstname}}, votre commande {{order}} est prête.');
    // Nothing saved yet: the preview follows the typing, variables without a sample value shown as written.
    await expect
      .poll(() => text(page, 'preview-sms'))
      .toBe('Bonjour {{firstname}}, votre commande {{order}} est prête.');
    expect(await page.getByTestId('preview-source').getAttribute('data-source')).toBe('draft');
    await page.getByLabel('firstname', { exact: true }).fill('Léa');
    await page.getByLabel('order', { exact: true }).fill('A-1042');
    await expect.poll(() => text(page, 'preview-sms')).toBe('Bonjour Léa, votre commande A-1042 est prête.');
    // « prête »: ê is not in the GSM alphabet, so the SMS is UCS-2 (45 characters, one part).
    expect(await text(page, 'preview-segments')).toBe('1 SMS (45 characters, UCS-2)');
    expect(await page.getByTestId('preview-whatsapp').count()).toBe(0);

    await page.getByLabel('Footer (optional)').fill('Boulangerie Martin');
    await page.getByRole('button', { name: 'Add a button' }).click();
    await page.locator('select[name="button-0-type"]').selectOption('url');
    await page.locator('input[name="button-0-text"]').fill('Suivre');
    await page.locator('input[name="button-0-value"]').fill('https://shop.example/commandes');
    await page.getByRole('button', { name: 'Add a button' }).click();
    await page.locator('input[name="button-1-text"]').fill('Merci {{firstname}}');
    await page.getByLabel('Submit to WhatsApp with').selectOption({ label: 'WhatsApp boutique' });
    await page.getByLabel('WhatsApp Business Account id').fill(WABA);
    await expect
      .poll(() => text(page, 'preview-sms'))
      .toBe(
        'Bonjour Léa, votre commande A-1042 est prête.\nBoulangerie Martin\nSuivre: https://shop.example/commandes',
      );
    expect(await text(page, 'preview-segments')).toBe('2 SMS (103 characters, UCS-2)');
    expect(await text(page, 'preview-whatsapp-body')).toBe('Bonjour Léa, votre commande A-1042 est prête.');
    expect(await page.getByTestId('preview-whatsapp').textContent()).toContain('Boulangerie Martin');

    // A button's label is fixed on every channel: the server's 400 lands beside that button, which takes the focus.
    await page.getByRole('button', { name: 'Create the template' }).click();
    await page.getByTestId('error-content.buttons.1.text').waitFor();
    expect(await text(page, 'error-content.buttons.1.text')).toContain('content.buttons[1].text');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('button-1-text');
    await shot(page, 'template-refused-button');
    await page.locator('input[name="button-1-text"]').fill('Merci');
    await page.getByRole('button', { name: 'Create the template' }).click();
    await page.waitForURL(/\/admin\/campaigns\/templates\/\d+$/);
    await page.getByRole('heading', { name: new RegExp(name) }).waitFor();
    expect(await text(page, 'template-status')).toBe('In review');

    // Saved, with every sample value filled: the server renders it (its SMS text, encoding and segments).
    await page.getByLabel('firstname', { exact: true }).fill('Zoé');
    await page.getByLabel('order', { exact: true }).fill('B-7');
    await expect.poll(() => page.getByTestId('preview-source').getAttribute('data-source')).toBe('server');
    expect(await text(page, 'preview-sms')).toBe(
      'Bonjour Zoé, votre commande B-7 est prête.\nBoulangerie Martin\nSuivre: https://shop.example/commandes',
    );
    expect(await text(page, 'preview-segments')).toBe('2 SMS (100 characters, UCS-2)');
    expect(await text(page, 'preview-rcs')).toContain('• Merci');
    await shot(page, 'template-server-preview');

    // Meta reviews it (the worker submitted it to the Graph API); the list shows the review's outcome. Meta's review
    // follows its answer to the submission, so it is sent once Causerie recorded that answer (Meta's template id):
    // sent as soon as the fake had the template, it could overtake the answer's commit on a loaded machine.
    await expect.poll(() => recordedMetaId(name), { timeout: 30_000 }).not.toBeNull();
    expect(await fake.review(name, 'APPROVED')).toBe(200);
    await page.getByRole('link', { name: 'All templates' }).click();
    const row = page.getByTestId(`template-${name}`);
    await row.waitFor();
    await expect
      .poll(
        async () => {
          await page.getByRole('button', { name: 'Refresh' }).click();
          return row.getByTestId('template-status').textContent();
        },
        { timeout: 15_000 },
      )
      .toBe('Approved');
    expect(await row.textContent()).toContain('WhatsApp, RCS, SMS');

    // An edit: the preview is the draft's until it is saved, then the server's again (and Meta reviews it again).
    await row.getByRole('link', { name: name }).click();
    await page.getByLabel(/^Message/).fill('Bonjour {{firstname}}, votre commande {{order}} vous attend.');
    await page.getByLabel('firstname', { exact: true }).fill('Zoé');
    await page.getByLabel('order', { exact: true }).fill('B-7');
    expect(await page.getByTestId('preview-source').getAttribute('data-source')).toBe('draft');
    await expect.poll(() => text(page, 'preview-whatsapp-body')).toBe('Bonjour Zoé, votre commande B-7 vous attend.');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    await expect.poll(() => page.getByTestId('preview-source').getAttribute('data-source')).toBe('server');
    expect(await text(page, 'preview-whatsapp-body')).toBe('Bonjour Zoé, votre commande B-7 vous attend.');
    expect(
      await page
        .getByRole('heading', { name: new RegExp(name) })
        .getByTestId('template-status')
        .textContent(),
    ).toBe('In review');

    // French: the same page in the console's other language.
    await page.getByLabel('Language', { exact: true }).selectOption('fr');
    await page.getByRole('link', { name: 'Tous les modèles' }).waitFor();
    expect(await text(page, 'preview-source')).toBe('Tel que le serveur rend le modèle enregistré.');
    await page.getByLabel('Langue', { exact: true }).selectOption('en');

    // Deleting asks first; dismissed, nothing happens; accepted, the template is gone.
    page.once('dialog', (dialog) => void dialog.dismiss());
    await page.getByRole('button', { name: 'Delete the template' }).click();
    expect(page.url()).toMatch(/\/admin\/campaigns\/templates\/\d+$/);
    page.once('dialog', (dialog) => {
      expect(dialog.message()).toContain(name);
      void dialog.accept();
    });
    await page.getByRole('button', { name: 'Delete the template' }).click();
    await page.waitForURL(/\/admin\/campaigns\/templates$/);
    await page.getByText('No template yet.').waitFor();
    await shot(page, 'template-deleted');
    expect(pageErrors).toEqual([]);
  }, 120_000);
});
