// The Apps area in Chromium: a developer (invited by the platform admin) builds an app against a connector server the
// test starts, with a login and password to verify and a settings field; the admin approves it. The demo's admin opens
// Apps, sees its card (developer, price, interactions), starts the install wizard, is refused a wrong password by the
// connector (its message beside the password field, which takes the focus; nothing installed), corrects it, goes
// through the settings and the websites, installs it (listed as installed, the card says so), then uninstalls it
// after confirming. The page's chunk loaded on demand stays small.
import type { FakeConnector } from '@causerie/test-support/fakes/connector';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  connectorInteractions,
  cycloApp,
  expectChunkOnDemand,
  newDeveloper,
  publishedApp,
  useAppsWorld,
} from './apps-kit.js';
import { shot } from './harness.js';

const world = useAppsWorld();
let connector: FakeConnector;
let appId: number;

beforeAll(async () => {
  connector = world.connector;
  // Built by a developer the platform admin invited, approved by the admin; without the closing option.
  const { product_list, visitor_profile } = connectorInteractions(connector);
  appId = await publishedApp(
    world.api,
    await newDeveloper(world.api),
    cycloApp(connector, { interactions: { product_list, visitor_profile } }),
  );
}, 120_000);

const installations = () => world.api.installations();

describe('Apps in the console', () => {
  it('an admin installs an app from the marketplace (a refused password first) and uninstalls it', async () => {
    const page = await world.demoConsole();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Apps' }).click();
    await page.getByRole('heading', { name: 'Apps', exact: true }).waitFor();
    await page.getByText('No app installed.').waitFor();

    const card = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: 'Cyclo CRM' }) });
    await card.waitFor();
    expect(await card.getByText('by Cyclo SAS').count()).toBe(1);
    expect(await card.getByTestId('app-price').textContent()).toBe('€4.90 per user per month');
    expect(await card.getByRole('list', { name: 'Interactions' }).getByRole('listitem').allTextContents()).toEqual([
      'Product list',
      'Visitor profile',
    ]);
    await shot(page, 'marketplace');

    await card.getByRole('link', { name: 'Install Cyclo CRM' }).click();
    await page.getByRole('heading', { name: 'Install Cyclo CRM' }).waitFor();
    expect(await page.getByRole('group', { name: /Authentication/ }).isVisible()).toBe(true);
    // The fields in the app's order, each with its label; the password typed in a password input.
    const login = page.getByLabel('Shop login');
    const password = page.getByLabel('Shop password');
    expect(await password.getAttribute('type')).toBe('password');
    expect(await login.evaluate((input) => input === document.activeElement)).toBe(true);

    await login.fill(connector.acceptedLogin.login);
    await password.fill('not-the-password');
    await page.getByRole('button', { name: 'Next' }).click();
    // The connector's own message, beside the password field, which takes the focus.
    await page.getByText('password is not valid').waitFor();
    expect(await password.getAttribute('aria-invalid')).toBe('true');
    const describedBy = (await password.getAttribute('aria-describedby')) ?? '';
    expect(await page.locator(`[id="${describedBy}"]`).textContent()).toBe('password is not valid');
    expect(await password.evaluate((input) => input === document.activeElement)).toBe(true);
    expect(await login.getAttribute('aria-invalid')).toBeNull();
    expect(await page.getByTestId('wizard-error').textContent()).toBe('The app refused the authentication values.');
    expect(connector.verifications.at(-1)).toMatchObject({
      step: 'authentication',
      values: [
        { id: 'field_login', value: connector.acceptedLogin.login, fieldType: 'TEXT' },
        { id: 'field_password', value: 'not-the-password', fieldType: 'PASSWORD' },
      ],
    });
    expect(await installations()).toEqual([]);
    await shot(page, 'refused-password');

    // A broken connector: its fault said as such, the step not passed.
    connector.brokenAnswer = { status: 500, headers: { 'content-type': 'text/plain' }, body: 'Internal Server Error' };
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByTestId('wizard-error').filter({ hasText: "The app's verification URL" }).waitFor();
    expect(await page.getByText('password is not valid').count()).toBe(0);
    expect(await page.getByRole('group', { name: /Authentication/ }).isVisible()).toBe(true);
    connector.brokenAnswer = undefined;

    // Corrected (by keyboard: Enter submits the step): on to the settings.
    await password.fill(connector.acceptedLogin.password);
    await password.press('Enter');
    await page.getByRole('group', { name: /Settings/ }).waitFor();
    expect(await page.getByText('password is not valid').count()).toBe(0);
    await page.getByLabel('Currency').fill('USD');
    await page.getByRole('button', { name: 'Next' }).click();
    // The settings step's refusal: the connector's message at the top and its field's beside the currency.
    await page.getByText('Unsupported currency.').waitFor();
    await page.getByText('EUR or CHF').waitFor();
    await page.getByLabel('Currency').fill('EUR');
    await page.getByRole('button', { name: 'Next' }).click();

    await page.getByRole('group', { name: /Websites/ }).waitFor();
    const websites = page.getByRole('group', { name: /Websites/ }).getByRole('checkbox');
    expect(await websites.count()).toBeGreaterThan(0);
    for (const box of await websites.all()) expect(await box.isChecked()).toBe(true);
    await page.getByRole('button', { name: 'Install' }).click();

    // Back on the list: installed, and the card says so.
    await page.getByTestId('apps-notice').filter({ hasText: 'Cyclo CRM is installed.' }).waitFor();
    const installed = page.getByTestId('installed-apps');
    const row = installed.getByRole('row').filter({ hasText: 'Cyclo CRM' });
    await row.waitFor();
    expect((await row.getByRole('cell').first().textContent())?.replace(/\s+/g, ' ')).toBe('Cyclo CRM Version 1.0.0');
    await card.getByTestId('app-installed').filter({ hasText: 'Installed' }).waitFor();
    expect(await card.getByRole('link', { name: 'Install Cyclo CRM' }).count()).toBe(0);
    const rows = await installations();
    expect(rows).toHaveLength(1);
    expect(rows[0]?.app_id).toBe(appId);
    expect(rows[0]?.website_id).toContain(world.server.demo.websiteId);
    await shot(page, 'installed');

    // Uninstall, after confirming (Cancel first keeps it).
    await installed.getByRole('button', { name: 'Uninstall Cyclo CRM' }).click();
    const dialog = page.getByRole('dialog', { name: 'Uninstall Cyclo CRM' });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(await installations()).toHaveLength(1);
    const uninstallButton = installed.getByRole('button', { name: 'Uninstall Cyclo CRM' });
    expect(await uninstallButton.evaluate((button) => button === document.activeElement)).toBe(true);
    await installed.getByRole('button', { name: 'Uninstall Cyclo CRM' }).click();
    await dialog.getByRole('button', { name: 'Uninstall', exact: true }).click();
    await page.getByTestId('apps-notice').filter({ hasText: 'Cyclo CRM is uninstalled.' }).waitFor();
    await page.getByText('No app installed.').waitFor();
    await card.getByRole('link', { name: 'Install Cyclo CRM' }).waitFor();
    expect(await installations()).toEqual([]);

    // In French: the area's own strings, the price in the French way.
    await page.getByRole('combobox', { name: 'Language' }).selectOption('fr');
    await page.getByRole('heading', { name: 'Applications', exact: true }).waitFor();
    expect((await card.getByTestId('app-price').textContent())?.replace(/\s/g, ' ')).toBe(
      '4,90 € par utilisateur et par mois',
    );
    await card.getByRole('link', { name: 'Installer Cyclo CRM' }).waitFor();
    expect(world.pageErrors).toEqual([]);
  });

  it('the page is a small chunk loaded on demand', () => {
    expectChunkOnDemand(/^AppsPage-.*\.(js|css)$/, 8 * 1024);
  });
});
