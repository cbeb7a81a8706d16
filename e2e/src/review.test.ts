// The platform admin's review of the developer platform in Chromium (issue 21): signed in to the partner area with the
// platform key, the admin invites a developer and copies the invitation link (shown once; a new link replaces it);
// the developer (through the API) activates with the link's token, builds an app against a connector server the test
// starts and submits 1.0.0; the admin finds it in the review queue, opens its definition read-only (fields in order
// with their types and verification URLs, interactions, webhooks), is refused a refusal without a reason (the server's
// 400 beside the field, which takes the focus), refuses with a reason (the API shows the app back in sandbox with it);
// the developer submits 1.0.1, the admin approves it: published, and a client's marketplace lists it.
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  activateDeveloper,
  CYCLO_SETTINGS_FIELDS,
  connectorInteractions,
  cycloApp,
  DEVELOPER_PASSWORD,
  type DeveloperIdentity,
  expectChunkOnDemand,
  newDeveloperIdentity,
  signInAsPlatformAdmin,
  useAppsWorld,
} from './apps-kit.js';
import { shot } from './harness.js';

const REASON = 'The settings need a verification URL on HTTPS you own; the description is too short.';

const world = useAppsWorld();
let invitee: DeveloperIdentity;
let page: Page;
let invitationLink = '';
let developerToken = '';
let appId = 0;

const asDeveloper = () => world.api.asDeveloper(developerToken);
const asAdmin = () => world.api.asAdmin;

beforeAll(async () => {
  page = await world.newPage({ height: 900, clipboard: true });
});

describe('the platform admin reviews apps in the partner area', () => {
  it('invites a developer and copies the invitation link, shown once; a new link replaces it', async () => {
    const { api, server } = world;
    // A developer of this attempt's own: a retried test does not meet the first one's invitation.
    invitee = newDeveloperIdentity();
    await signInAsPlatformAdmin(page, server);
    const nav = page.getByRole('navigation', { name: 'Partner pages' });
    await nav.getByRole('link', { name: 'Developers' }).click();
    expect(new URL(page.url()).pathname).toBe('/admin/partner/developers');

    const form = page.getByTestId('invite-developer');
    await form.getByLabel('Email', { exact: true }).fill(invitee.email);
    await form.getByLabel('Name', { exact: true }).fill(invitee.name);
    await form.getByLabel('Company (optional)').fill(invitee.company);
    await form.getByRole('button', { name: 'Invite' }).click();
    const invitation = page.getByTestId('invitation');
    await invitation.getByRole('alert').filter({ hasText: 'This link is shown once' }).waitFor();
    const firstLink = (await page.getByTestId('invitation-link').textContent()) ?? '';
    expect(firstLink).toMatch(new RegExp(`^${server.url}/admin/developer/activate#token=`));
    await invitation.getByRole('button', { name: 'Copy the invitation link' }).click();
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(firstLink);

    const row = page.getByTestId('developers').getByRole('row').filter({ hasText: invitee.email });
    await row.getByText('Invited', { exact: true }).waitFor();
    expect(await row.textContent()).toContain(invitee.company);
    await shot(page, 'review-invitation');

    // A new link for the invited developer: the first one stops working.
    await row.getByRole('button', { name: `New invitation link for ${invitee.name}` }).click();
    await expect.poll(() => page.getByTestId('invitation-link').textContent()).not.toBe(firstLink);
    invitationLink = (await page.getByTestId('invitation-link').textContent()) ?? '';
    await invitation.getByRole('button', { name: 'Copy the invitation link' }).click();
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(invitationLink);
    const oldToken = new URL(firstLink).hash.replace('#token=', '');
    const stale = await api.call(
      'POST',
      '/auth/developer/activation',
      {},
      { token: oldToken, password: DEVELOPER_PASSWORD },
    );
    expect(stale.status).toBeGreaterThanOrEqual(400);
    expect(stale.status).toBeLessThan(500);
  });

  it('the developer activates with the copied link, builds an app and submits 1.0.0', async () => {
    const { api, connector } = world;
    const token = new URL(invitationLink).hash.replace('#token=', '');
    developerToken = await activateDeveloper(api, token, invitee.email);
    const { product_list, conversation_closing } = connectorInteractions(connector);
    const app = await api.ok<{ id: number }>(
      'POST',
      '/api/2/app',
      asDeveloper(),
      cycloApp(connector, {
        settings: {
          fields: [...CYCLO_SETTINGS_FIELDS, { id: 'field_sync', label: 'Sync orders', type: 'CHECKBOX' }],
          verification_url: connector.settingsUrl,
        },
        interactions: { product_list, conversation_closing },
      }),
    );
    appId = app.id;
    await api.ok('POST', `/api/2/app/${appId}/webhook`, asDeveloper(), {
      name: 'CRM sync',
      url: `${connector.url}/hooks`,
      events: ['conversation.closed'],
    });
    await api.ok('POST', `/api/2/app/${appId}/submission`, asDeveloper(), { version: '1.0.0' });
  });

  it('opens the app under review, reads its definition, and refuses it only with a reason', async () => {
    const { api, connector } = world;
    await page.getByRole('navigation', { name: 'Partner pages' }).getByRole('link', { name: 'App review' }).click();
    const queue = page.getByTestId('review-queue');
    const row = queue.getByTestId(`review-app-${appId}`);
    await row.waitFor();
    const cells = await row.getByRole('cell').allTextContents();
    expect(cells.slice(0, 3)).toEqual(['Cyclo CRM', `${invitee.name} (${invitee.company})`, '1.0.0']);
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
    expect((await api.call('GET', `/api/2/app/${appId}`, asAdmin())).body.data).toMatchObject({
      status: 'under_review',
    });

    await reason.fill(REASON);
    await page.getByRole('button', { name: 'Refuse' }).click();
    await page.getByRole('status').filter({ hasText: 'Cyclo CRM 1.0.0 is refused: it is back in sandbox.' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/admin/partner/apps');
    await page.getByText('Nothing here.').first().waitFor();
    expect(await page.getByTestId(`review-app-${appId}`).count()).toBe(0);
    const refused = (await api.call('GET', `/api/2/app/${appId}`, asDeveloper())).body.data;
    expect(refused).toMatchObject({ status: 'sandbox', review_reason: REASON });
  });

  it('approves the resubmitted 1.0.1: published, and listed in a client’s marketplace', async () => {
    const { api } = world;
    await api.ok('POST', `/api/2/app/${appId}/submission`, asDeveloper(), { version: '1.0.1' });
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
      `${invitee.name} (${invitee.company})`,
      '1.0.1',
    ]);
    expect(await page.getByTestId(`review-app-${appId}`).count()).toBe(0);
    await shot(page, 'review-published');

    expect((await api.call('GET', `/api/2/app/${appId}`, asAdmin())).body.data).toMatchObject({
      status: 'published',
      published_version: { version: '1.0.1' },
    });
    const marketplace = await api.ok<Array<{ id: number; name: string; version: string }>>(
      'GET',
      '/api/2/marketplace',
      api.asDemoClient,
    );
    expect(marketplace.find((entry) => entry.id === appId)).toMatchObject({ name: 'Cyclo CRM', version: '1.0.1' });

    // The developer, now active, shows so in the list.
    await page.getByRole('navigation', { name: 'Partner pages' }).getByRole('link', { name: 'Developers' }).click();
    const developer = page.getByTestId('developers').getByRole('row').filter({ hasText: invitee.email });
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
    expectChunkOnDemand(/^platform-pages-.*\.js$/, 6_000);
    expect(world.pageErrors).toEqual([]);
  });
});
