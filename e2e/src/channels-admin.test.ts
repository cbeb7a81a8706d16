// Administration → Channels in Chromium: a business connects a WhatsApp number (against a local Cloud API) and an RCS
// agent (a pasted service-account key, against a local RBM) without curl: the webhook URL to give the provider, the
// API's messages naming the field, enable/disable, replacing a credential, delete, RCS testers and capability checks.
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { FakeRbm } from '@causerie/test-support/fakes/rbm';
import { FakeWhatsApp } from '@causerie/test-support/fakes/whatsapp';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openConsole, type RunningServer, shot, startServer } from './harness.js';

const WHATSAPP = {
  phone_number_id: '123456789012345',
  access_token: 'EAAG-e2e-token',
  app_secret: 'e2e-app-secret',
  verify_token: 'e2e-verify-me',
};
const RBM = { agentId: 'causerie-e2e-agent', clientToken: 'rbm-e2e-client-token' };
const RCS_USER = '+33698760001';
const NOT_RCS = '+33698760009';
const CLIENT_EMAIL = 'rbm-agent@causerie-e2e.iam.gserviceaccount.com';

let server: RunningServer;
let browser: Browser;
let whatsapp: FakeWhatsApp;
let rbm: FakeRbm;
let page: Page;
/** Errors thrown in the page: a render error unmounts the whole console, so there must be none. */
const pageErrors: string[] = [];

interface ChannelRow {
  id: number;
  type: string;
  enabled: boolean;
  base_url: string;
  credentials_set: string[];
  webhook_url: string | null;
  send_rate: number;
}

async function channels(): Promise<ChannelRow[]> {
  const response = await fetch(`${server.url}/api/2/channel?full=1`, { headers: { 'x-api-key': server.demo.apiKey } });
  return ((await response.json()) as { data: ChannelRow[] }).data;
}

/** Meta's subscription check: GET with hub.mode=subscribe; the node answers the challenge when the verify token matches. */
async function metaHandshake(webhookUrl: string, verifyToken: string): Promise<{ status: number; body: string }> {
  const url = new URL(webhookUrl);
  url.search = new URLSearchParams({
    'hub.mode': 'subscribe',
    'hub.verify_token': verifyToken,
    'hub.challenge': '42',
  }).toString();
  const response = await fetch(url);
  return { status: response.status, body: await response.text() };
}

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  whatsapp = await new FakeWhatsApp({
    phoneNumberId: WHATSAPP.phone_number_id,
    accessToken: WHATSAPP.access_token,
    appSecret: WHATSAPP.app_secret,
  }).start();
  rbm = await new FakeRbm({ agentId: RBM.agentId, clientToken: RBM.clientToken, rcsEnabled: [RCS_USER] }).start();
  page = await openConsole(browser, server, server.demo.login.email, server.demo.login.password);
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
  page.on('pageerror', (error) => pageErrors.push(error.message));
});
afterAll(async () => {
  await whatsapp?.stop();
  await rbm?.stop();
  await browser?.close();
  await server?.stop();
});

describe('Administration → Channels', () => {
  it('connects a WhatsApp number: the API names a wrong field, then the webhook URL answers Meta with the verify token typed', async () => {
    await page.getByRole('link', { name: 'Administration' }).click();
    await page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'Channels' }).click();
    expect(new URL(page.url()).pathname).toBe('/admin/channels');
    await page.getByText('No channel connected yet.').waitFor();
    const form = page.getByRole('form', { name: 'Connect a channel' });
    await shot(page, 'channels-empty');

    // The demo website is chosen already; WhatsApp is the default type.
    expect(await form.getByLabel('Type', { exact: true }).inputValue()).toBe('whatsapp');
    expect(await form.getByLabel('Website').inputValue()).toBe(String(server.demo.websiteId));
    // Secrets are typed as dots, and never offered by the browser's autofill.
    expect(await form.getByLabel('Access token').getAttribute('type')).toBe('password');
    expect(await form.getByLabel('App secret').getAttribute('type')).toBe('password');
    expect(await form.getByLabel('App secret').getAttribute('autocomplete')).toBe('off');
    // Left empty, the base URL and rate are the server's defaults for the type (GET /channel_type), shown as placeholders.
    const baseUrl = form.getByLabel('Provider API base URL');
    await expect.poll(() => baseUrl.getAttribute('placeholder')).toBe('https://graph.facebook.com');
    expect(await form.getByLabel('Messages per second').getAttribute('placeholder')).toBe('80');
    await form.getByLabel('Type', { exact: true }).selectOption('sms');
    expect(await baseUrl.getAttribute('placeholder')).toBe('https://api.twilio.com');
    await form.getByLabel('Type', { exact: true }).selectOption('whatsapp');

    // A phone number id is digits: the API says so, naming the field, and the field takes the focus.
    await form.getByLabel('Phone number ID').fill('+33 6 12 34 56 78');
    await form.getByLabel('Access token').fill(WHATSAPP.access_token);
    await form.getByLabel('App secret').fill(WHATSAPP.app_secret);
    await form.getByLabel('Verify token').fill(WHATSAPP.verify_token);
    await form.getByLabel('Provider API base URL').fill(whatsapp.url);
    await form.getByRole('button', { name: 'Connect the channel' }).click();
    const error = form.getByTestId('channel-form-error');
    await error.waitFor();
    expect(await error.textContent()).toMatch(
      /^Value of field 'credentials\[phone_number_id\]' is not valid\. The business phone number's id/,
    );
    const phoneId = form.getByLabel('Phone number ID');
    expect(await phoneId.getAttribute('aria-invalid')).toBe('true');
    await expect.poll(() => phoneId.evaluate((input) => input === document.activeElement)).toBe(true);
    expect(await channels()).toEqual([]);
    await shot(page, 'whatsapp-bad-phone-number-id');

    await phoneId.fill(WHATSAPP.phone_number_id);
    await form.getByLabel('Messages per second').fill('20');
    await form.getByRole('button', { name: 'Connect the channel' }).click();
    const created = page.getByTestId('channel-created');
    await created.waitFor();
    await error.waitFor({ state: 'detached' });
    const [stored] = await channels();
    expect(stored).toMatchObject({
      type: 'whatsapp',
      enabled: true,
      base_url: whatsapp.url,
      credentials_set: ['access_token', 'app_secret', 'phone_number_id', 'verify_token'],
    });
    const webhookUrl = stored?.webhook_url ?? '';
    expect(webhookUrl).toBe(`${server.url}/channels/whatsapp/${stored?.id}/webhook`);
    expect(await created.getByTestId('created-webhook-url').textContent()).toBe(webhookUrl);
    expect(await created.textContent()).toContain(
      "Enter this URL and your verify token in Meta's App Dashboard → WhatsApp → Configuration",
    );
    // The secrets typed are gone from the page.
    expect(await form.getByLabel('App secret').inputValue()).toBe('');
    await shot(page, 'whatsapp-created');

    // Meta's subscription check: the node answers 42 only with the verify token typed in the form (so it was stored).
    expect(await metaHandshake(webhookUrl, WHATSAPP.verify_token)).toEqual({ status: 200, body: '42' });
    expect((await metaHandshake(webhookUrl, 'not-the-token')).status).toBe(403);

    // The card: type, website, API, rate, which credentials are stored, and the URL to copy.
    const card = page.getByTestId(`channel-${stored?.id}`);
    expect(await card.getByTestId('webhook-url').textContent()).toBe(webhookUrl);
    expect(await card.textContent()).toContain(whatsapp.url);
    expect(await card.textContent()).toContain('20 messages/s');
    expect(await card.getByTestId('credentials-set').textContent()).toBe(
      'Access token, App secret, Phone number ID, Verify token',
    );
    await card.getByRole('button', { name: `Copy Webhook URL of channel #${stored?.id}` }).click();
    await card
      .getByRole('button', { name: `Copy Webhook URL of channel #${stored?.id}` })
      .filter({ hasText: 'Copied' })
      .waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(webhookUrl);
  });

  it('selects the URL for Ctrl+C when the browser refuses the clipboard', async () => {
    const [stored] = await channels();
    const card = page.getByTestId(`channel-${stored?.id}`);
    await page.evaluate(() => Object.defineProperty(navigator, 'clipboard', { value: undefined, configurable: true }));
    await card.getByRole('button', { name: `Copy Webhook URL of channel #${stored?.id}` }).click();
    await card.getByRole('status').filter({ hasText: 'press Ctrl+C' }).waitFor();
    expect(await page.evaluate(() => window.getSelection()?.toString())).toBe(stored?.webhook_url);
    await shot(page, 'copy-fallback');
  });

  it('disables and enables the channel; a disabled channel refuses its webhook', async () => {
    const [stored] = await channels();
    const card = page.getByTestId(`channel-${stored?.id}`);
    await card.getByRole('button', { name: /^Disable / }).click();
    await card.getByTestId('channel-state').filter({ hasText: 'Disabled' }).waitFor();
    expect((await channels())[0]?.enabled).toBe(false);
    expect((await metaHandshake(stored?.webhook_url ?? '', WHATSAPP.verify_token)).status).toBe(404);
    await shot(page, 'whatsapp-disabled');

    await card.getByRole('button', { name: /^Enable / }).click();
    await card.getByTestId('channel-state').filter({ hasText: 'Enabled' }).waitFor();
    expect((await channels())[0]?.enabled).toBe(true);
    expect(await metaHandshake(stored?.webhook_url ?? '', WHATSAPP.verify_token)).toEqual({ status: 200, body: '42' });
  });

  it('replaces one credential, keeping the others', async () => {
    const [stored] = await channels();
    const card = page.getByTestId(`channel-${stored?.id}`);
    await card.getByRole('button', { name: 'Edit' }).click();
    const edit = card.getByRole('form', { name: `Settings and credentials of channel #${stored?.id}` });
    // Nothing typed: nothing sent.
    await edit.getByRole('button', { name: 'Save' }).click();
    await edit.getByTestId('channel-edit-error').filter({ hasText: 'Type at least one value to change.' }).waitFor();
    // A wrong value: the API's message, naming the field.
    await edit.getByLabel('Graph API version').fill('21');
    await edit.getByRole('button', { name: 'Save' }).click();
    await edit
      .getByTestId('channel-edit-error')
      .filter({ hasText: "Value of field 'credentials[api_version]' is not valid." })
      .waitFor();
    await edit.getByLabel('Graph API version').fill('');
    await edit.getByLabel('Verify token').fill('rotated-verify-token');
    await shot(page, 'whatsapp-edit');
    await edit.getByRole('button', { name: 'Save' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `Channel #${stored?.id} saved.` })
      .waitFor();
    await edit.waitFor({ state: 'detached' });

    expect(await metaHandshake(stored?.webhook_url ?? '', 'rotated-verify-token')).toEqual({ status: 200, body: '42' });
    expect((await metaHandshake(stored?.webhook_url ?? '', WHATSAPP.verify_token)).status).toBe(403);
    expect((await channels())[0]?.credentials_set).toEqual([
      'access_token',
      'app_secret',
      'phone_number_id',
      'verify_token',
    ]);
  });

  it('connects an RCS agent with a pasted service-account key, registers a tester and checks numbers', async () => {
    const keys = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    rbm.registerServiceAccount(CLIENT_EMAIL, 'e2e-key-1', createPublicKey(keys.publicKey));
    const keyFile = JSON.stringify(
      {
        type: 'service_account',
        project_id: 'causerie-e2e',
        private_key_id: 'e2e-key-1',
        private_key: keys.privateKey,
        client_email: CLIENT_EMAIL,
        token_uri: rbm.tokenUrl,
      },
      null,
      2,
    );

    const form = page.getByRole('form', { name: 'Connect a channel' });
    await form.getByLabel('Type', { exact: true }).selectOption('rcs');
    await form.getByLabel('Agent ID').fill(RBM.agentId);
    await form.getByLabel('Client token').fill(RBM.clientToken);
    await form.getByRole('textbox', { name: 'Service account key (JSON)' }).fill(keyFile);
    await form.getByLabel('Provider API base URL').fill(rbm.url);
    await shot(page, 'rcs-form');
    await form.getByRole('button', { name: 'Connect the channel' }).click();
    const created = page.getByTestId('channel-created');
    await created.filter({ hasText: 'Business Communications Developer Console' }).waitFor();
    const rcs = (await channels()).find((channel) => channel.type === 'rcs');
    // The WhatsApp base URL and rate typed before did not follow to the new type: RBM's default rate applies.
    expect(rcs).toMatchObject({
      credentials_set: ['agent_id', 'client_token', 'service_account'],
      base_url: rbm.url,
      send_rate: 50,
    });
    expect(await created.getByTestId('created-webhook-url').textContent()).toBe(rcs?.webhook_url);

    const card = page.getByTestId(`channel-${rcs?.id}`);
    await card.getByRole('button', { name: 'Testers and numbers' }).click();
    const tester = card.getByRole('form', { name: 'Register a tester' });
    await tester.getByLabel('Phone number').fill(RCS_USER);
    await tester.getByRole('button', { name: 'Invite' }).click();
    await tester
      .getByTestId('tester-answer')
      .filter({ hasText: `Invitation for ${RCS_USER}: PENDING` })
      .waitFor();
    expect(rbm.testers.get(RCS_USER)).toBe('PENDING');
    // The token was minted from the pasted key.
    expect(rbm.tokenRequests.some((request) => request.clientEmail === CLIENT_EMAIL && request.status === 200)).toBe(
      true,
    );

    const check = card.getByRole('form', { name: 'Check a number' });
    await check.getByLabel('Phone number').fill(RCS_USER);
    await check.getByRole('button', { name: 'Check' }).click();
    await check
      .getByTestId('capability-answer')
      .filter({ hasText: `${RCS_USER} is reachable over RCS. Features: RICHCARD_STANDALONE` })
      .waitFor();
    await shot(page, 'rcs-tester-and-capability');
    await check.getByLabel('Phone number').fill(NOT_RCS);
    await check.getByRole('button', { name: 'Check' }).click();
    await check
      .getByTestId('capability-answer')
      .filter({ hasText: `${NOT_RCS} is not reachable over RCS` })
      .waitFor();
    // A number in the wrong form: the API's message.
    await check.getByLabel('Phone number').fill('0612345678');
    await check.getByRole('button', { name: 'Check' }).click();
    await check
      .getByTestId('capability-answer')
      .filter({ hasText: "Value of field 'phone_number' is not valid. Expected an E.164 phone number" })
      .waitFor();
  });

  it('fits a tablet and speaks French', async () => {
    await page.setViewportSize({ width: 820, height: 1180 });
    const body = page.locator('.admin-body');
    expect(await body.evaluate((element) => element.scrollWidth <= element.clientWidth)).toBe(true);
    await shot(page, 'channels-tablet');
    await page.evaluate(() => localStorage.setItem('causerie.console.language', 'fr'));
    await page.reload();
    await page.getByRole('heading', { name: 'Canaux', level: 2 }).waitFor();
    await page.getByRole('form', { name: 'Connecter un canal' }).waitFor();
    await shot(page, 'channels-tablet-fr');
    await page.evaluate(() => localStorage.setItem('causerie.console.language', 'en'));
    await page.setViewportSize({ width: 1366, height: 820 });
    await page.reload();
    await page.getByRole('heading', { name: 'Channels', level: 2 }).waitFor();
  });

  it('deletes a channel after confirmation; its webhook is gone', async () => {
    const [stored] = await channels();
    const card = page.getByTestId(`channel-${stored?.id}`);
    // Cancelling the confirmation keeps it.
    page.once('dialog', (dialog) => void dialog.dismiss());
    await card.getByRole('button', { name: /^Delete / }).click();
    expect((await channels()).map((channel) => channel.id)).toContain(stored?.id);
    page.once('dialog', (dialog) => {
      expect(dialog.message()).toContain(`Disconnect channel #${stored?.id}`);
      void dialog.accept();
    });
    await card.getByRole('button', { name: /^Delete / }).click();
    await card.waitFor({ state: 'detached' });
    expect((await channels()).map((channel) => channel.id)).not.toContain(stored?.id);
    expect((await metaHandshake(stored?.webhook_url ?? '', 'rotated-verify-token')).status).toBe(404);
    await shot(page, 'whatsapp-deleted');
    expect(pageErrors).toEqual([]);
  });
});
