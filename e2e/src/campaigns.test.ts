// The Campaigns pages in Chromium: the demo's admin, with an SMS chat environment on the (local) Twilio-compatible
// API, writes a campaign with a {{variable}}, sees it previewed with the CSV's first row and its SMS count, sends it
// to a small CSV with one bad line, and watches it complete: counters, report and the refused line.
import { FakeTwilio } from '@causerie/test-support/fakes/twilio';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoApi, launchBrowser, openConsole, type RunningServer, shot, startServer } from './harness.js';

const ACCOUNT = `AC${'c3'.repeat(16)}`;
const TOKEN = 'twilio-auth-token-campaigns-0001';
const NUMBER = '+33757000222';

let server: RunningServer;
let browser: Browser;
let fake: FakeTwilio;
const pageErrors: string[] = [];

const demo = demoApi(() => server, '');
const call = <T>(path: string, body: unknown) => demo<T>('POST', path, body);

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  fake = await new FakeTwilio({
    accountSid: ACCOUNT,
    authToken: TOKEN,
    numbers: [NUMBER],
    ratePerSecond: 1000,
  }).start();
  const channel = await call<{ id: number; webhook_url: string }>('/api/2/channel', {
    type: 'sms',
    website_id: server.demo.websiteId,
    base_url: fake.url,
    send_rate: 1000,
    credentials: { account_sid: ACCOUNT, auth_token: TOKEN, from: NUMBER },
  });
  fake.webhookUrl = channel.webhook_url;
  await call('/api/messaging/chatbot/agent', {
    name: 'Envois SMS',
    description: 'Envois de messages',
    logo_url: 'https://cdn.example.fr/logo.png',
    banner_url: 'https://cdn.example.fr/banner.png',
    brand_color: '#0b78d0',
    privacy_url: 'https://example.fr/privacy',
    terms_url: 'https://example.fr/terms',
    channels: ['sms'],
    sms_channel_id: channel.id,
  });
}, 120_000);
afterAll(async () => {
  await fake?.settle();
  await fake?.stop();
  await browser?.close();
  await server?.stop();
});

describe('Campaigns in the console', () => {
  it('an admin sends a campaign to a CSV on SMS and sees it complete, with the refused line', async () => {
    const page: Page = await openConsole(browser, server, server.demo.login.email, server.demo.login.password);
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Campaigns' }).click();
    await page.getByRole('heading', { name: 'Campaigns' }).waitFor();
    await page.getByRole('button', { name: 'New campaign' }).click();
    await page.getByRole('heading', { name: 'New campaign' }).waitFor();

    await page.getByLabel('Chat environment').selectOption({ label: 'Envois SMS' });
    await page.getByLabel('Name', { exact: true }).fill('Retraits prêts');
    await page.getByLabel('Channel').selectOption('sms');
    await page.getByLabel(/^Message/).fill('Bonjour {{prenom}}, votre commande {{code}} est prête.');
    await page.getByLabel(/^Recipients/).setInputFiles({
      name: 'clients.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(
        'telephone;prenom;code\r\n06 12 34 00 51;Zoe;A12\r\n+33612340052;Farid;B7\r\n0612;Léa;C1\r\n',
      ),
    });
    // The preview takes the first row's values, and counts the SMS it will cost.
    await expect
      .poll(() => page.getByTestId('campaign-preview').textContent())
      .toBe('Bonjour Zoe, votre commande A12 est prête.');
    expect(await page.getByTestId('campaign-segments').textContent()).toContain('1 SMS');
    await shot(page, 'campaign-form');

    await page.getByRole('button', { name: 'Create and send' }).click();
    await page.waitForURL(/\/admin\/campaigns\/\d+$/);
    await expect.poll(() => page.getByTestId('campaign-state').textContent(), { timeout: 30_000 }).toBe('Completed');
    await expect
      .poll(() => page.getByTestId('counter-delivered').locator('dd').textContent(), { timeout: 15_000 })
      .toBe('2');
    expect(await page.getByTestId('counter-invalid').locator('dd').textContent()).toBe('1');
    await expect.poll(() => page.getByTestId('recipient-row').count()).toBe(2);
    expect(await page.getByTestId('problem-row').first().textContent()).toContain('4');
    // Nothing left to pause or cancel once it is over.
    expect(await page.getByRole('button', { name: 'Pause' }).count()).toBe(0);
    expect(fake.accepted.map((message) => message.body)).toContain('Bonjour Farid, votre commande B7 est prête.');
    await shot(page, 'campaign-completed');
    expect(pageErrors).toEqual([]);
  }, 90_000);
});
