// The partner area and the chat environments pages in Chromium, in the order of seed 000's flow: a partner signs in with
// its key and submits a company (a bad SIREN first, marked at its field); the platform administrator sees it in the
// verification queue and verifies it (and is told in words when a company was decided meanwhile); the partner creates
// an account, the administrator verifies it, the partner gets a new activation link and the owner activates the
// account; the owner, an admin of the new account, submits a chat environment, sees each carrier's state as the fake
// RBM carriers decide, and invites a tester who accepts, then removes them. French too; markup in names stays text.
import { generateKeyPairSync } from 'node:crypto';
import { FakeRbm } from '@causerie/test-support/fakes/rbm';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openConsole, type RunningServer, shot, startServer } from './harness.js';

let server: RunningServer;
let browser: Browser;
let rbm: FakeRbm;
let partnerKey: string;
let partnerPage: Page;
let platformPage: Page;
let ownerPage: Page;
const pageErrors: string[] = [];

const TESTER = '+33612345678';
const SERVICE_ACCOUNT = 'rbm-partner@causerie-e2e.iam.gserviceaccount.com';
const HOSTILE_TRADE_NAME = '<img src=x onerror="window.__pwned=1">Martin <b>&</b> Fils';
const OWNER = { name: 'Claire Martin', email: 'claire@boulangerie-martin.example', password: 'a long passphrase 42' };
const COMPANY = {
  legal_name: 'Boulangerie Martin SARL',
  legal_identifier: '443 061 841 00047',
  address: '12 rue de la Paix, 75002 Paris',
  country: 'FR',
  email: 'contact@boulangerie-martin.fr',
  phone: '+33145678900',
};

/** Calls /api/messaging with a key (the test's own moves: what another person does meanwhile). */
async function messaging<T>(key: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${server.url}/api/messaging${path}`, {
    method,
    headers: { 'x-api-key': key, ...(body !== undefined && { 'content-type': 'application/json' }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const json = (await response.json()) as { data: T };
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
  return json.data;
}

async function v2<T>(path: string, body: unknown): Promise<T> {
  const response = await fetch(`${server.url}/api/2${path}`, {
    method: 'POST',
    headers: { 'x-api-key': server.adminKey, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as { data: T };
  if (!response.ok) throw new Error(`POST ${path}: ${response.status} ${JSON.stringify(json)}`);
  return json.data;
}

/** A page of its own browser context (its own sessionStorage), in English, watched for script errors. */
async function newPage(): Promise<Page> {
  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1366, height: 900 } });
  const page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  return page;
}

async function signIn(page: Page, key: string, scopeText: string): Promise<void> {
  await page.goto(`${server.url}/admin/partner`);
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('partner-scope').filter({ hasText: scopeText }).waitFor();
}

beforeAll(async () => {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  rbm = await new FakeRbm({ agentId: 'unused-agent', clientToken: 'unused', rcsEnabled: [TESTER] }).start();
  rbm.registerServiceAccount(SERVICE_ACCOUNT, 'e2e-key-1', publicKey);
  server = await startServer({
    env: {
      CAUSERIE_RBM_MANAGEMENT_URL: rbm.url,
      CAUSERIE_RBM_SERVICE_ACCOUNT: JSON.stringify({
        type: 'service_account',
        client_email: SERVICE_ACCOUNT,
        private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        private_key_id: 'e2e-key-1',
        token_uri: rbm.tokenUrl,
      }),
      // The worker's polls of the carriers' states come every few milliseconds instead of seconds.
      CAUSERIE_WEBHOOK_TIME_SCALE: '0.002',
    },
  });
  const partner = await v2<{ id: number }>('/partner', { name: 'Bi-way' });
  partnerKey = (await v2<{ key: string }>(`/partner/${partner.id}/key`, {})).key;
  browser = await launchBrowser();
  partnerPage = await newPage();
  platformPage = await newPage();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await rbm?.stop();
});

describe('the partner area', () => {
  it('a partner signs in with its key and submits a company; a bad SIREN is marked at its field', async () => {
    const page = partnerPage;
    // The operator console's login page leads to the partner area.
    await page.goto(`${server.url}/admin/`);
    await page.getByRole('link', { name: 'Partner area (sign in with an API key)' }).click();
    await page.getByRole('heading', { name: 'Partner sign-in' }).waitFor();
    // A wrong key is refused on the sign-in page.
    await page.getByLabel('API key').fill('csk_wrong.key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'This key is not accepted here' }).waitFor();
    await signIn(page, partnerKey, 'Signed in with a partner key');
    // The key is kept for the tab only.
    const stored = await page.evaluate(() => ({
      session: sessionStorage.getItem('causerie.partner.key'),
      local: JSON.stringify(localStorage),
    }));
    expect(stored.session).toContain(partnerKey);
    expect(stored.local).not.toContain(partnerKey);

    const form = page.getByRole('form', { name: 'New company' });
    await form.getByLabel('Legal name').fill(COMPANY.legal_name);
    await form.getByLabel('Trade name').fill(HOSTILE_TRADE_NAME);
    await form.getByLabel('SIREN, SIRET or EU VAT number').fill('443 061 842');
    await form.getByLabel('Address').fill(COMPANY.address);
    await form.getByLabel('Contact email').fill(COMPANY.email);
    await form.getByLabel(/^Contact phone/).fill(COMPANY.phone);
    await form.getByRole('button', { name: 'Submit the company' }).click();
    const identifier = form.getByLabel('SIREN, SIRET or EU VAT number');
    await expect.poll(() => identifier.getAttribute('aria-invalid')).toBe('true');
    expect(await form.getByTestId('error-legal_identifier').textContent()).toMatch(/^Check this field: /);
    expect(await form.getByLabel('Legal name').getAttribute('aria-invalid')).toBeNull();
    expect(await identifier.evaluate((element) => element === document.activeElement)).toBe(true);
    await shot(page, 'company-field-error');

    await identifier.fill(COMPANY.legal_identifier);
    await form.getByRole('button', { name: 'Submit the company' }).click();
    await form.getByRole('status').filter({ hasText: '“pending verification”' }).waitFor();
    const table = page.getByTestId('companies');
    await expect.poll(() => table.locator('tbody tr').count()).toBe(1);
    const row = table.locator('tbody tr').first();
    expect(await row.getByRole('link').textContent()).toBe(HOSTILE_TRADE_NAME);
    expect(await row.locator('img, b').count()).toBe(0);
    expect(await row.textContent()).toContain('pending verification');

    // Filtered by state: none verified yet.
    await page.getByLabel('Filter by state').selectOption('verified');
    await page.getByText('Nothing here.').waitFor();
    await page.getByLabel('Filter by state').selectOption('');
    await table.locator('tbody tr').first().waitFor();
    await shot(page, 'companies');
  });

  it('the platform administrator verifies it in the queue; a company decided meanwhile is explained', async () => {
    const page = platformPage;
    await signIn(page, server.adminKey, 'Signed in with the platform key');
    // Another company, submitted by the partner through the API, is rejected by someone else while the queue is open.
    const other = await messaging<{ id: number }>(partnerKey, 'POST', '/client/company', {
      ...COMPANY,
      legal_name: 'Concurrent SARL',
      trade_name: 'Concurrent',
    });
    await page
      .getByRole('navigation', { name: 'Partner pages' })
      .getByRole('link', { name: 'Verification queue' })
      .click();
    const mine = page.getByRole('group', { name: `Decisions on ${HOSTILE_TRADE_NAME}` });
    await mine.waitFor();
    const theirs = page.getByRole('group', { name: 'Decisions on Concurrent' });
    await theirs.waitFor();
    await messaging(server.adminKey, 'POST', `/client/company/${other.id}/reject`, { reason: 'Duplicate' });
    await theirs.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('alert').filter({ hasText: 'This change is not allowed: it is now “rejected”.' }).waitFor();
    await shot(page, 'queue-refused');

    await mine.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('status').filter({ hasText: 'Done: it is now “verified”.' }).waitFor();
    // It moved to the verified companies, where it can be suspended (a reason is asked first).
    const verified = page.getByRole('region', { name: 'Verified and suspended companies' });
    await verified.getByRole('button', { name: 'Suspend' }).waitFor();
    expect(await page.getByRole('region', { name: 'Companies waiting for verification' }).textContent()).toContain(
      'Nothing here.',
    );
    await verified.getByRole('button', { name: 'Suspend' }).click();
    await verified.getByLabel('Reason (required)').fill('Checking the address');
    await verified.getByRole('button', { name: 'Confirm: Suspend' }).click();
    await page.getByRole('status').filter({ hasText: 'Done: it is now “suspended”.' }).waitFor();
    await verified.getByRole('button', { name: 'Reactivate' }).click();
    await page.getByRole('status').filter({ hasText: 'Done: it is now “verified”.' }).waitFor();
    await shot(page, 'queue-verified');
  });

  it('the partner creates an account, it is verified, and its owner activates it from a new link', async () => {
    const page = partnerPage;
    await page.getByRole('link', { name: 'Accounts' }).click();
    const form = page.getByRole('form', { name: 'New account' });
    await expect.poll(() => form.getByLabel('Verified company').locator('option').count()).toBe(1);
    await form.getByLabel('Owner’s name').fill(OWNER.name);
    await form.getByLabel('Owner’s email').fill(OWNER.email);
    await form.getByLabel(/^Owner’s phone/).fill('0612');
    await form.getByRole('button', { name: 'Create the account' }).click();
    await expect.poll(() => form.getByLabel(/^Owner’s phone/).getAttribute('aria-invalid')).toBe('true');
    await form.getByLabel(/^Owner’s phone/).fill('+33612345678');
    await form.getByRole('button', { name: 'Create the account' }).click();
    await form.getByRole('status').filter({ hasText: '“pending verification”' }).waitFor();
    expect(await form.getByTestId('account-api-key').textContent()).toMatch(/\S{20,}/);
    const accountLink = page.getByTestId('accounts').getByRole('link', { name: /^Account \d+$/ });
    const accountId = Number((await accountLink.textContent())?.replace(/\D/g, ''));

    // The administrator verifies it in the queue: the owner must now activate it.
    await platformPage.reload();
    const decisions = platformPage.getByRole('group', { name: `Decisions on Account ${accountId}` });
    await decisions.getByRole('button', { name: 'Verify' }).click();
    await platformPage.getByRole('status').filter({ hasText: 'Done: it is now “pending activation”.' }).waitFor();

    // No mail server here: the partner gets a new link to give the owner.
    await accountLink.click();
    await page.getByRole('heading', { name: `Account ${accountId}` }).waitFor();
    await expect.poll(() => page.getByTestId('account-state').textContent()).toBe('pending activation');
    await page.getByRole('button', { name: 'Send a new activation link' }).click();
    const link = await page.locator('code').filter({ hasText: '/api/messaging/activation#token=' }).textContent();
    expect(link).toMatch(/^http/);
    await shot(page, 'account-link');

    const owner = await newPage();
    await owner.goto(link ?? '');
    await owner.getByLabel(/^Mot de passe \/ Password/).fill(OWNER.password);
    await owner.getByLabel('Confirmation').fill(OWNER.password);
    await owner.getByRole('button', { name: 'Activer / Activate' }).click();
    await owner.getByRole('status').filter({ hasText: 'Account active' }).waitFor();
    await owner.context().close();

    await page.reload();
    await expect.poll(() => page.getByTestId('account-state').textContent()).toBe('active');
    const history = page.getByRole('table', { name: 'State history' });
    // Created, verified (the owner must activate), activated.
    expect(await history.locator('tbody tr').count()).toBe(3);
    expect(await history.locator('tbody tr').last().textContent()).toContain('pending activation');
    // The partner may suspend or close it; verification is not the partner's.
    const partnerDecisions = page.getByRole('group', { name: `Decisions on Account ${accountId}` });
    expect(await partnerDecisions.getByRole('button').allTextContents()).toEqual(['Suspend', 'Close']);
    await shot(page, 'account-active');
  });

  it('the account’s owner submits a chat environment, sees each carrier decide, and invites a tester', async () => {
    ownerPage = await openConsole(browser, server, OWNER.email, OWNER.password);
    ownerPage.on('pageerror', (error) => pageErrors.push(error.message));
    const page = ownerPage;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Administration' }).click();
    await page
      .getByRole('navigation', { name: 'Administration' })
      .getByRole('link', { name: 'Chat environments' })
      .click();
    await page.getByRole('heading', { name: 'Chat environments' }).waitFor();
    const form = page.getByRole('form', { name: 'New chat environment' });
    await form.getByLabel('Name').fill('Boulangerie Martin');
    await form.getByLabel('Description').fill('Commandes et retraits en boutique');
    await form.getByLabel(/^Logo URL/).fill('https://cdn.example.fr/logo.png');
    await form.getByLabel(/^Banner URL/).fill('https://cdn.example.fr/banner.png');
    await form.getByLabel(/^Brand colour/).fill('blue');
    await form.getByLabel('Contact email').fill('contact@boulangerie-martin.fr');
    await form.getByLabel('Privacy policy URL').fill('https://boulangerie-martin.fr/privacy');
    await form.getByLabel('Terms URL').fill('https://boulangerie-martin.fr/terms');
    await form.getByLabel(/^Carriers/).fill('orange-fr, sfr-fr');
    await form.getByRole('button', { name: 'Submit to the carriers' }).click();
    await expect.poll(() => form.getByLabel(/^Brand colour/).getAttribute('aria-invalid')).toBe('true');
    await form.getByLabel(/^Brand colour/).fill('#0B78D0');
    await form.getByRole('button', { name: 'Submit to the carriers' }).click();
    await form.getByRole('status').filter({ hasText: 'Environment Boulangerie Martin submitted' }).waitFor();

    const card = page.locator('[data-testid^="environment-"]').first();
    await card.waitFor();
    expect(await card.getByTestId('environment-state').textContent()).toBe('pending verification');
    expect(await card.getByTestId('carrier-orange-fr').textContent()).toContain('pending');
    expect(await card.getByTestId('carrier-sfr-fr').textContent()).toContain('pending');
    await shot(page, 'environment-pending');

    // The worker registers it with Google and asks both carriers; orange-fr launches, sfr-fr refuses.
    let agentName = '';
    await expect
      .poll(() => {
        agentName = rbm.management.agentNamed('Boulangerie Martin')?.name ?? '';
        return Object.keys(rbm.management.launches.get(agentName)?.launchDetails ?? {}).length;
      })
      .toBe(2);
    rbm.management.setLaunchState(agentName, 'orange-fr', 'LAUNCH_STATE_LAUNCHED');
    rbm.management.setLaunchState(agentName, 'sfr-fr', 'LAUNCH_STATE_REJECTED', 'Use case refused');
    await expect
      .poll(
        async () => {
          await page.getByRole('button', { name: 'Refresh' }).click();
          return [
            await card.getByTestId('environment-state').textContent(),
            await card.getByTestId('carrier-orange-fr').textContent(),
            await card.getByTestId('carrier-sfr-fr').textContent(),
          ].join(' | ');
        },
        { timeout: 20_000 },
      )
      .toBe('active | orange-fr launched | sfr-fr rejected Use case refused');
    await shot(page, 'environment-carriers');

    await card.getByRole('link', { name: 'Testers of Boulangerie Martin' }).click();
    await page.getByRole('heading', { name: /^Environment Boulangerie Martin/ }).waitFor();
    const testers = page.getByRole('form', { name: 'RCS testers' });
    await testers.getByLabel('Tester’s phone (E.164)').fill('0612');
    await testers.getByRole('button', { name: 'Invite the tester' }).click();
    await expect.poll(() => testers.getByLabel('Tester’s phone (E.164)').getAttribute('aria-invalid')).toBe('true');
    await testers.getByLabel('Tester’s phone (E.164)').fill(TESTER);
    await testers.getByRole('button', { name: 'Invite the tester' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `Invitation sent to ${TESTER}.` })
      .waitFor();
    const tester = page.getByTestId(`tester-${TESTER}`);
    expect(await tester.getByTestId('tester-state').textContent()).toBe('invitation sent');

    // The device accepts once Google has the invitation.
    const agentId = agentName.split('/').pop() ?? '';
    await expect
      .poll(() => {
        try {
          rbm.management.answerInvitation(agentId, TESTER, 'ACCEPTED');
          return true;
        } catch {
          return false;
        }
      })
      .toBe(true);
    await expect
      .poll(
        async () => {
          await page.getByRole('button', { name: 'Refresh' }).click();
          return tester.getByTestId('tester-state').textContent();
        },
        { timeout: 20_000 },
      )
      .toBe('accepted');
    await shot(page, 'tester-accepted');

    await tester.getByRole('button', { name: `Remove ${TESTER}` }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `${TESTER} removed.` })
      .waitFor();
    await expect.poll(() => tester.count()).toBe(0);
  });

  it('reads in French', async () => {
    await ownerPage.getByRole('combobox', { name: 'Language' }).first().selectOption('fr');
    await ownerPage.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Administration' }).click();
    await ownerPage
      .getByRole('navigation', { name: 'Administration' })
      .getByRole('link', { name: 'Environnements de chat' })
      .click();
    await ownerPage.getByRole('heading', { name: 'Environnements de chat' }).waitFor();
    const card = ownerPage.locator('[data-testid^="environment-"]').first();
    await expect.poll(() => card.getByTestId('environment-state').textContent()).toBe('actif');
    expect(await card.getByTestId('carrier-orange-fr').textContent()).toContain('lancé');
    await ownerPage.getByRole('form', { name: 'Nouvel environnement de chat' }).waitFor();
    await shot(ownerPage, 'environments-fr');

    await platformPage.getByLabel('Language').selectOption('fr');
    await platformPage.getByRole('link', { name: 'File de vérification' }).waitFor();
    await platformPage.getByRole('link', { name: 'Établissements' }).click();
    await platformPage.getByLabel('Filtrer par état').selectOption('rejected');
    const rejected = platformPage.getByTestId('companies');
    await expect.poll(() => rejected.locator('tbody tr').first().textContent()).toContain('refusé');
    await shot(platformPage, 'companies-fr');

    // Signing out forgets the key.
    await partnerPage.getByRole('button', { name: 'Sign out' }).click();
    await partnerPage.getByLabel('API key').waitFor();
    expect(await partnerPage.evaluate(() => sessionStorage.getItem('causerie.partner.key'))).toBeNull();
    expect(await partnerPage.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(pageErrors).toEqual([]);
  });
});
