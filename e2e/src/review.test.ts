// The platform admin's review of the developer platform in Chromium (issue 21): signed in to the partner area with the
// platform key, the admin invites a developer and copies the invitation link (shown once; a new link replaces it);
// the developer (through the API) activates with the link's token, builds an app against a connector server the test
// starts and submits 1.0.0; the admin finds it in the review queue, opens its definition read-only (fields in order
// with their types and verification URLs, interactions, webhooks), is refused a refusal without a reason (the server's
// 400 beside the field, which takes the focus), refuses with a reason (the API shows the app back in sandbox with it);
// the developer submits 1.0.1, the admin approves it: published, and a client's marketplace lists it.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { FakeConnector } from '@causerie/test-support/fakes/connector';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type RunningServer, shot, startServer } from './harness.js';

const ASSETS = fileURLToPath(new URL('../../console/dist/assets/', import.meta.url));
const DEVELOPER = { email: 'lea@connecteurs.example', name: 'Léa Martin', company: 'Cyclo SAS' };
const PASSWORD = 'un-long-mot-de-passe';
const REASON = 'The settings need a verification URL on HTTPS you own; the description is too short.';

let server: RunningServer;
let browser: Browser;
let connector: FakeConnector;
let page: Page;
let invitationLink = '';
let developerToken = '';
let appId = 0;
const pageErrors: string[] = [];

async function call(
  method: string,
  url: string,
  auth: Record<string, string>,
  body?: unknown,
): Promise<{ status: number; body: { data?: unknown; meta?: { message?: string } } }> {
  const response = await fetch(`${server.url}${url}`, {
    method,
    headers: { ...auth, ...(body !== undefined && { 'content-type': 'application/json' }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as { data?: unknown } };
}

async function ok<T>(answer: Promise<Awaited<ReturnType<typeof call>>>, what: string): Promise<T> {
  const { status, body } = await answer;
  if (status !== 200) throw new Error(`${what}: ${status} ${JSON.stringify(body)}`);
  return body.data as T;
}

const asDeveloper = () => ({ authorization: `Bearer ${developerToken}` });
const asAdmin = () => ({ 'x-api-key': server.adminKey });

beforeAll(async () => {
  connector = await new FakeConnector().start();
  server = await startServer();
  browser = await launchBrowser();
  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1366, height: 900 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
  page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await connector?.stop();
});

describe('the platform admin reviews apps in the partner area', () => {
  it('invites a developer and copies the invitation link, shown once; a new link replaces it', async () => {
    await page.goto(`${server.url}/admin/partner`);
    await page.getByLabel('API key').fill(server.adminKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('partner-scope').filter({ hasText: 'Signed in with the platform key' }).waitFor();
    const nav = page.getByRole('navigation', { name: 'Partner pages' });
    await nav.getByRole('link', { name: 'Developers' }).click();
    expect(new URL(page.url()).pathname).toBe('/admin/partner/developers');

    const form = page.getByTestId('invite-developer');
    await form.getByLabel('Email', { exact: true }).fill(DEVELOPER.email);
    await form.getByLabel('Name', { exact: true }).fill(DEVELOPER.name);
    await form.getByLabel('Company (optional)').fill(DEVELOPER.company);
    await form.getByRole('button', { name: 'Invite' }).click();
    const invitation = page.getByTestId('invitation');
    await invitation.getByRole('alert').filter({ hasText: 'This link is shown once' }).waitFor();
    const firstLink = (await page.getByTestId('invitation-link').textContent()) ?? '';
    expect(firstLink).toMatch(new RegExp(`^${server.url}/admin/developer/activate#token=`));
    await invitation.getByRole('button', { name: 'Copy the invitation link' }).click();
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(firstLink);

    const row = page.getByTestId('developers').getByRole('row').filter({ hasText: DEVELOPER.email });
    await row.getByText('Invited', { exact: true }).waitFor();
    expect(await row.textContent()).toContain(DEVELOPER.company);
    await shot(page, 'review-invitation');

    // A new link for the invited developer: the first one stops working.
    await row.getByRole('button', { name: `New invitation link for ${DEVELOPER.name}` }).click();
    await expect.poll(() => page.getByTestId('invitation-link').textContent()).not.toBe(firstLink);
    invitationLink = (await page.getByTestId('invitation-link').textContent()) ?? '';
    await invitation.getByRole('button', { name: 'Copy the invitation link' }).click();
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(invitationLink);
    const oldToken = new URL(firstLink).hash.replace('#token=', '');
    const stale = await call('POST', '/auth/developer/activation', {}, { token: oldToken, password: PASSWORD });
    expect(stale.status).toBeGreaterThanOrEqual(400);
    expect(stale.status).toBeLessThan(500);
  });

  it('the developer activates with the copied link, builds an app and submits 1.0.0', async () => {
    const token = new URL(invitationLink).hash.replace('#token=', '');
    await ok(call('POST', '/auth/developer/activation', {}, { token, password: PASSWORD }), 'activate');
    developerToken = (
      await ok<{ token: string }>(
        call('POST', '/auth/developer/login', {}, { email: DEVELOPER.email, password: PASSWORD }),
        'developer login',
      )
    ).token;
    const app = await ok<{ id: number }>(
      call('POST', '/api/2/app', asDeveloper(), {
        name: 'Cyclo CRM',
        description: 'Your CRM and your catalogue in the console.',
        price: 4.9,
        authentication: {
          fields: [
            { id: 'field_login', label: 'Shop login', type: 'TEXT' },
            { id: 'field_password', label: 'Shop password', type: 'PASSWORD' },
          ],
          verification_url: connector.authenticationUrl,
        },
        settings: {
          fields: [
            { id: 'field_currency', label: 'Currency', type: 'TEXT' },
            { id: 'field_sync', label: 'Sync orders', type: 'CHECKBOX' },
          ],
          verification_url: connector.settingsUrl,
        },
        interactions: {
          product_list: { catalogue_url: `${connector.url}/products`, categories_url: `${connector.url}/categories` },
          conversation_closing: { url: `${connector.url}/closing` },
        },
      }),
      'create the app',
    );
    appId = app.id;
    await ok(
      call('POST', `/api/2/app/${appId}/webhook`, asDeveloper(), {
        name: 'CRM sync',
        url: `${connector.url}/hooks`,
        events: ['conversation.closed'],
      }),
      'add a webhook',
    );
    await ok(call('POST', `/api/2/app/${appId}/submission`, asDeveloper(), { version: '1.0.0' }), 'submit 1.0.0');
  });

  it('opens the app under review, reads its definition, and refuses it only with a reason', async () => {
    await page.getByRole('navigation', { name: 'Partner pages' }).getByRole('link', { name: 'App review' }).click();
    const queue = page.getByTestId('review-queue');
    const row = queue.getByTestId(`review-app-${appId}`);
    await row.waitFor();
    const cells = await row.getByRole('cell').allTextContents();
    expect(cells.slice(0, 3)).toEqual(['Cyclo CRM', `${DEVELOPER.name} (${DEVELOPER.company})`, '1.0.0']);
    expect(cells[3]).not.toBe('');
    await row.getByRole('link', { name: 'Review Cyclo CRM' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Cyclo CRM, version 1.0.0' }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/admin/partner/apps/${appId}`);

    const definition = page.getByTestId('review-definition');
    expect(await definition.textContent()).toContain('Your CRM and your catalogue in the console.');
    expect(await definition.textContent()).toContain('€4.90 per user per month');
    const fieldRows = async (testId: string) =>
      (await page.getByTestId(testId).getByRole('row').allTextContents()).slice(1);
    expect(await fieldRows('review-authentication')).toEqual([
      'field_loginShop loginTEXT',
      'field_passwordShop passwordPASSWORD',
    ]);
    expect(await fieldRows('review-settings')).toEqual(['field_currencyCurrencyTEXT', 'field_syncSync ordersCHECKBOX']);
    expect(await page.getByTestId('review-authentication').textContent()).toContain(
      `Verification URL: ${connector.authenticationUrl}`,
    );
    expect(await page.getByTestId('review-settings').textContent()).toContain(
      `Verification URL: ${connector.settingsUrl}`,
    );
    expect(await page.getByTestId('review-interactions').getByRole('listitem').allTextContents()).toEqual([
      `Product list: ${connector.url}/products, ${connector.url}/categories`,
      `Conversation closing option: ${connector.url}/closing`,
    ]);
    const webhook = (await page.getByTestId('review-webhooks').textContent()) ?? '';
    expect(webhook).toContain(`CRM sync · ${connector.url}/hooks`);
    expect(webhook).toContain('Events: conversation.closed');

    // Refusing without a reason: the server's 400 is shown beside the reason, which takes the focus.
    await page.getByRole('button', { name: 'Refuse' }).click();
    const reason = page.getByLabel('Reason (required to refuse)');
    await expect.poll(() => reason.getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByTestId('error-reason').textContent()).toMatch(/^Check this field: .+/);
    expect(await reason.evaluate((element) => element === document.activeElement)).toBe(true);
    await shot(page, 'review-refusal-without-reason');
    expect((await call('GET', `/api/2/app/${appId}`, asAdmin())).body.data).toMatchObject({ status: 'under_review' });

    await reason.fill(REASON);
    await page.getByRole('button', { name: 'Refuse' }).click();
    await page.getByRole('status').filter({ hasText: 'Cyclo CRM 1.0.0 is refused: it is back in sandbox.' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/admin/partner/apps');
    await page.getByText('Nothing here.').first().waitFor();
    expect(await page.getByTestId(`review-app-${appId}`).count()).toBe(0);
    const refused = (await call('GET', `/api/2/app/${appId}`, asDeveloper())).body.data;
    expect(refused).toMatchObject({ status: 'sandbox', review_reason: REASON });
  });

  it('approves the resubmitted 1.0.1: published, and listed in a client’s marketplace', async () => {
    await ok(call('POST', `/api/2/app/${appId}/submission`, asDeveloper(), { version: '1.0.1' }), 'submit 1.0.1');
    await page.reload();
    const row = page.getByTestId(`review-app-${appId}`);
    await row.waitFor();
    expect((await row.getByRole('cell').allTextContents())[2]).toBe('1.0.1');
    await row.getByRole('link', { name: 'Review Cyclo CRM' }).click();
    await page.getByRole('heading', { name: 'Cyclo CRM, version 1.0.1' }).waitFor();
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.getByRole('status').filter({ hasText: 'Cyclo CRM 1.0.1 is approved and published.' }).waitFor();
    const published = page.getByTestId(`published-app-${appId}`);
    await published.waitFor();
    expect(await published.getByRole('cell').allTextContents()).toEqual([
      'Cyclo CRM',
      `${DEVELOPER.name} (${DEVELOPER.company})`,
      '1.0.1',
    ]);
    expect(await page.getByTestId(`review-app-${appId}`).count()).toBe(0);
    await shot(page, 'review-published');

    expect((await call('GET', `/api/2/app/${appId}`, asAdmin())).body.data).toMatchObject({
      status: 'published',
      published_version: { version: '1.0.1' },
    });
    const marketplace = await ok<Array<{ id: number; name: string; version: string }>>(
      call('GET', '/api/2/marketplace', { 'x-api-key': server.demo.apiKey }),
      'marketplace',
    );
    expect(marketplace.find((entry) => entry.id === appId)).toMatchObject({ name: 'Cyclo CRM', version: '1.0.1' });

    // The developer, now active, shows so in the list.
    await page.getByRole('navigation', { name: 'Partner pages' }).getByRole('link', { name: 'Developers' }).click();
    const developer = page.getByTestId('developers').getByRole('row').filter({ hasText: DEVELOPER.email });
    await developer.getByText('Active', { exact: true }).waitFor();
    expect(await developer.getByRole('button').count()).toBe(0);

    // In French: the same pages in the reader's words.
    await page.getByLabel('Language').selectOption('fr');
    await page.getByRole('heading', { name: 'Développeurs', exact: true }).waitFor();
    expect(await developer.getByText('Actif', { exact: true }).count()).toBe(1);
    await page
      .getByRole('navigation', { name: 'Pages partenaire' })
      .getByRole('link', { name: 'Revue des apps' })
      .click();
    await page.getByRole('heading', { name: 'Apps publiées' }).waitFor();
    await page.getByLabel('Langue').selectOption('en');
  });

  it('loads the review pages in their own chunk, without script errors', () => {
    const chunk = fs.readdirSync(ASSETS).find((name) => /^platform-pages-.*\.js$/.test(name));
    expect(chunk).toBeDefined();
    const gzipped = gzipSync(fs.readFileSync(path.join(ASSETS, chunk ?? ''))).length;
    expect(gzipped).toBeLessThan(6_000);
    expect(pageErrors).toEqual([]);
  });
});
