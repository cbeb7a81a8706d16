// The developer area in Chromium: the platform admin invites a developer through the API; the developer opens the
// invitation link, chooses a password, logs in, builds an app against a connector server the test starts (two
// authentication fields put in order, a settings field, the three interactions), is told by the server beside the
// right input that a field id is used twice, fixes it, creates the app, adds a webhook (its security token shown),
// submits version 1.0.0 and sees the app under review and read-only; the API shows the submitted fields. After the
// admin approves through the API the page shows it published; submitting the same version again is refused beside
// the version number. The area's chunk is loaded on demand.
import { describe, expect, it } from 'vitest';
import {
  DEVELOPER_PASSWORD,
  expectChunkOnDemand,
  fieldInputs,
  inviteDeveloper,
  newDeveloperIdentity,
  uniqueSuffix,
  useAppsWorld,
} from './apps-kit.js';
import { shot } from './harness.js';

const world = useAppsWorld();

interface AppAnswer {
  id: number;
  name: string;
  status: string;
  price: number;
  authentication: { fields: unknown[]; verification_url: string | null };
  settings: { fields: unknown[]; verification_url: string | null };
  interactions: Record<string, unknown>;
  published_version: { version: string } | null;
  signing_secret?: string;
}

describe('The developer area', () => {
  it('a developer activates, builds an app, fixes a field the server refused, submits it; approval shows', async () => {
    const { api, connector, server } = world;
    const admin = api.asAdmin;
    // Unique per attempt: a retried test invites a developer of its own.
    const suffix = uniqueSuffix();
    const { email, name } = newDeveloperIdentity(suffix);
    const appName = `Cyclo CRM ${suffix}`;
    const invited = await inviteDeveloper(api, { email, name });
    const link = new URL(invited.invitation.link);
    expect(link.pathname).toBe('/admin/developer/activate');

    const page = await world.newPage({ height: 900, clipboard: true });

    // The invitation link: two passwords that differ are refused here, then the password is set.
    await page.goto(`${server.url}${link.pathname}${link.hash}`);
    await page.getByRole('heading', { name: 'Choose your password' }).waitFor();
    // The token leaves the address bar.
    expect(new URL(page.url()).hash).toBe('');
    const password = DEVELOPER_PASSWORD;
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByLabel('Password again').fill(`${password}!`);
    await page.getByRole('button', { name: 'Set my password' }).click();
    await page.getByRole('alert').filter({ hasText: 'The two passwords differ.' }).waitFor();
    await page.getByLabel('Password again').fill(password);
    await page.getByRole('button', { name: 'Set my password' }).click();

    await page.getByRole('heading', { name: 'Developer login' }).waitFor();
    await page.getByText('Your password is set: log in.').waitFor();
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'My apps' }).waitFor();
    await page.getByText('No app yet: create your first one.').waitFor();
    // The token is the tab's: in sessionStorage, not localStorage.
    expect(await page.evaluate(() => sessionStorage.getItem('causerie.developer.session'))).toContain('dvs_');
    expect(await page.evaluate(() => localStorage.getItem('causerie.developer.session'))).toBeNull();

    // A new app: profile, fields, interactions.
    await page.getByRole('link', { name: 'New app' }).click();
    await page.getByRole('heading', { name: 'New app' }).waitFor();
    await page.getByLabel('Name', { exact: true }).fill(appName);
    await page.getByLabel('Description').fill('Your CRM and your catalogue in the console.');
    await page.getByLabel('Price per user per month (€)').fill('4.90');

    const authentication = page.getByTestId('step-authentication');
    await authentication.getByRole('button', { name: 'Add a field' }).click();
    await authentication.getByRole('button', { name: 'Add a field' }).click();
    // Typed in the wrong order, then put in order with "Move up".
    await fieldInputs(page, 'authentication', 1).id.fill('field_password');
    await fieldInputs(page, 'authentication', 1).label.fill('Shop password');
    await fieldInputs(page, 'authentication', 1).type.selectOption('PASSWORD');
    await fieldInputs(page, 'authentication', 2).id.fill('field_login');
    await fieldInputs(page, 'authentication', 2).label.fill('Shop login');
    await authentication.getByRole('button', { name: 'Move field 2 up' }).click();
    expect(await fieldInputs(page, 'authentication', 1).id.inputValue()).toBe('field_login');
    expect(await fieldInputs(page, 'authentication', 2).type.inputValue()).toBe('PASSWORD');
    await authentication.getByLabel('Verification URL').fill(connector.authenticationUrl);

    const settings = page.getByTestId('step-settings');
    await settings.getByRole('button', { name: 'Add a field' }).click();
    // The same id as an authentication field: the server refuses it.
    await fieldInputs(page, 'settings', 1).id.fill('field_login');
    await fieldInputs(page, 'settings', 1).label.fill('Currency');
    await settings.getByLabel('Verification URL').fill(connector.settingsUrl);

    await page.getByLabel('Product list').check();
    await page.getByLabel('Catalogue URL').fill(`${connector.url}/products`);
    await page.getByLabel('Categories URL').fill(`${connector.url}/categories`);
    await page.getByLabel('Visitor profile', { exact: true }).check();
    await page.getByLabel('Visitor profile URL').fill(`${connector.url}/visitor-profile`);
    await page.getByLabel('Conversation closing option').check();
    await page.getByLabel('Closing form URL').fill(`${connector.url}/closing-form`);
    await page.getByRole('button', { name: 'Create the app' }).click();

    // The server's message beside the settings field's id, which takes the focus; the others unmarked.
    const duplicate = fieldInputs(page, 'settings', 1).id;
    await expect.poll(() => duplicate.getAttribute('aria-invalid')).toBe('true');
    const describedBy = (await duplicate.getAttribute('aria-describedby')) ?? '';
    expect(await page.locator(`[id="${describedBy}"]`).textContent()).toContain(
      "The field id 'field_login' is used twice",
    );
    expect(await duplicate.evaluate((input) => input === document.activeElement)).toBe(true);
    expect(await fieldInputs(page, 'authentication', 1).id.getAttribute('aria-invalid')).toBeNull();
    const apps = await api.ok<Array<{ name: string }>>('GET', '/api/2/app?full=1', admin);
    expect(apps.filter((app) => app.name === appName)).toEqual([]);
    await shot(page, 'field-refused');

    await duplicate.fill('field_currency');
    await page.getByRole('button', { name: 'Create the app' }).click();
    await page.getByRole('heading', { name: appName }).waitFor();
    const appId = Number(/\/admin\/developer\/apps\/(\d+)$/.exec(page.url())?.[1]);
    expect(appId).toBeGreaterThan(0);
    expect(await page.getByTestId('app-status').first().textContent()).toBe('Sandbox');
    expect(await page.getByTestId('signing-secret').textContent()).toMatch(/^whsec_/);

    // A webhook: its security token shown, with a copy button.
    await page.getByLabel('Webhook name').fill('CRM sync');
    await page.getByLabel('Webhook URL').fill(`${connector.url}/hooks`);
    await page.getByLabel(/^Events/).fill('conversation.closed\nmessage.created');
    await page.getByRole('button', { name: 'Add the webhook' }).click();
    const webhooks = page.getByRole('list', { name: 'Webhooks' });
    await webhooks.getByText('CRM sync', { exact: true }).waitFor();
    const token = (await webhooks.getByTestId('security-token').textContent()) ?? '';
    expect(token).toMatch(/^whsec_/);
    await webhooks.getByRole('button', { name: 'Copy the security token of CRM sync' }).click();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(token);
    expect(await webhooks.getByText('conversation.closed, message.created').count()).toBe(1);

    // Submitted as 1.0.0: under review, read-only.
    expect(await page.getByLabel('Version number').inputValue()).toBe('1.0.0');
    await page.getByRole('button', { name: 'Submit', exact: true }).click();
    await page.getByText('Version 1.0.0 is under review.').waitFor();
    await page.getByTestId('app-status').filter({ hasText: 'Under review' }).first().waitFor();
    await page.getByText('This app is under review: it cannot be changed until the review ends.').waitFor();
    expect(await page.getByLabel('Name', { exact: true }).isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Save' }).isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Add the webhook' }).count()).toBe(0);
    const versions = page.getByRole('table', { name: 'Versions' });
    expect(await versions.getByRole('row').nth(1).getByRole('cell').nth(1).textContent()).toBe('Under review');
    await shot(page, 'under-review');

    const submitted = await api.ok<AppAnswer>('GET', `/api/2/app/${appId}`, admin);
    expect(submitted).toMatchObject({
      name: appName,
      status: 'under_review',
      price: 4.9,
      authentication: {
        fields: [
          { id: 'field_login', label: 'Shop login', type: 'TEXT' },
          { id: 'field_password', label: 'Shop password', type: 'PASSWORD' },
        ],
        verification_url: connector.authenticationUrl,
      },
      settings: {
        fields: [{ id: 'field_currency', label: 'Currency', type: 'TEXT' }],
        verification_url: connector.settingsUrl,
      },
      interactions: {
        product_list: { catalogue_url: `${connector.url}/products`, categories_url: `${connector.url}/categories` },
        visitor_profile: { url: `${connector.url}/visitor-profile` },
        conversation_closing: { url: `${connector.url}/closing-form` },
      },
    });
    const submittedVersions = await api.ok<Array<{ version: string; status: string; webhooks: unknown[] }>>(
      'GET',
      `/api/2/app/${appId}/version`,
      admin,
    );
    expect(submittedVersions).toMatchObject([
      { version: '1.0.0', status: 'under_review', webhooks: [{ name: 'CRM sync', url: `${connector.url}/hooks` }] },
    ]);

    // Approved by the platform admin: the page (reloaded, the session kept for the tab) shows it published.
    await api.ok('POST', `/api/2/app/${appId}/review`, admin, { decision: 'approved' });
    await page.reload();
    await page.getByTestId('app-status').filter({ hasText: 'Published' }).first().waitFor();
    expect(await page.getByTestId('published-version').textContent()).toBe('1.0.0');
    expect(await versions.getByRole('row').nth(1).getByRole('cell').nth(1).textContent()).toBe('Published');
    expect(await page.getByLabel('Name', { exact: true }).isDisabled()).toBe(false);

    // The same version number again: the 409 beside the version number.
    expect(await page.getByLabel('Version number').inputValue()).toBe('1.0.1');
    await page.getByLabel('Version number').fill('1.0.0');
    await page.getByRole('button', { name: 'Submit', exact: true }).click();
    const version = page.getByLabel('Version number');
    await expect.poll(() => version.getAttribute('aria-invalid')).toBe('true');
    await page.getByText('Version 1.0.0 of this app exists already').waitFor();
    await shot(page, 'published');

    // My apps: the app, published, its version.
    await page.getByRole('link', { name: 'My apps' }).click();
    const row = page.getByRole('table', { name: 'My apps' }).getByRole('row').filter({ hasText: appName });
    await row.waitFor();
    expect(await row.getByRole('cell').allTextContents()).toEqual([appName, 'Published', '1.0.0']);

    // Log out: the tab forgets the token; the area asks to log in again.
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('heading', { name: 'Developer login' }).waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('causerie.developer.session'))).toBeNull();
    await page.goto(`${server.url}/admin/developer`);
    await page.getByRole('heading', { name: 'Developer login' }).waitFor();
    expect(world.pageErrors).toEqual([]);
  });

  it('the area is a chunk loaded on demand', () => {
    expectChunkOnDemand(/^DeveloperArea-.*\.(js|css)$/, 12 * 1024);
  });
});
