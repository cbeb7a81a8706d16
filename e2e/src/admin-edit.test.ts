// Administration → editing in Chromium: a manager changes an operator (name, roles, chat slots, a new password), renames a
// group and a skill and moves a website to a new URL, through modal editors that send only what changed, show the API's
// message naming a wrong field, close with Escape and give the focus back to their Edit button; in French too, and at tablet width.
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoApi, launchBrowser, openConsole, type RunningServer, shot, startServer } from './harness.js';

let server: RunningServer;
let browser: Browser;
let page: Page;
const contexts: BrowserContext[] = [];
/** Errors thrown in the page: a render error unmounts the whole console, so there must be none. */
const pageErrors: string[] = [];

interface OperatorRow {
  id: number;
  name: string;
  email: string;
  roles: string[];
  chat_max_number: number;
  pseudo: string | null;
  website_list: number[];
}

const demo = demoApi(() => server);
const api = <T>(path: string) => demo<T>('GET', path);

async function operatorByEmail(email: string): Promise<OperatorRow> {
  const found = (await api<OperatorRow[]>('/operator?full=1')).find((operator) => operator.email === email);
  if (!found) throw new Error(`no operator ${email}`);
  return found;
}

/** Opens an administration tab from the navigation, as a manager would. */
async function openTab(target: Page, name: string): Promise<void> {
  await target.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name, exact: true }).click();
}

const isFocused = (locator: Locator) => locator.evaluate((element) => element === document.activeElement);

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  page = await openConsole(browser, server, server.demo.login.email, server.demo.login.password);
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.getByRole('link', { name: 'Administration' }).click();
});
afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
  await server?.stop();
});

describe('Administration → editing operators', () => {
  it("changes an operator's name, roles and chat slots; Escape closes the editor and the focus goes back to Edit", async () => {
    await openTab(page, 'Operators');
    const before = await operatorByEmail('grace@demo.causerie.test');
    expect(before.roles).toEqual(['manager']);
    const edit = page.getByRole('button', { name: 'Edit Grace Hopper' });
    await edit.click();
    const dialog = page.getByRole('dialog', { name: 'Edit operator Grace Hopper' });
    await dialog.waitFor();
    // The first field has the focus; the form shows what the API has.
    await expect.poll(() => isFocused(dialog.getByLabel('Name', { exact: true }))).toBe(true);
    expect(await dialog.getByLabel('Email').inputValue()).toBe('grace@demo.causerie.test');
    expect(await dialog.getByLabel(/Chat slots/).inputValue()).toBe(String(before.chat_max_number));
    expect(await dialog.getByRole('checkbox', { name: 'Manager' }).isChecked()).toBe(true);
    expect(await dialog.getByRole('checkbox', { name: 'Demo Shop' }).isChecked()).toBe(true);
    expect(await dialog.getByLabel('Group').locator('option:checked').textContent()).toBe('Support');
    expect(await dialog.getByLabel('Set a new password').inputValue()).toBe('');

    // Escape closes without saving, and the keyboard is back on the Edit button.
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => isFocused(edit)).toBe(true);

    // Enter on the focused button opens it again.
    await page.keyboard.press('Enter');
    await dialog.waitFor();
    await dialog.getByLabel('Name', { exact: true }).fill('Grace B. Hopper');
    await dialog.getByRole('checkbox', { name: 'Expert' }).check();
    await dialog.getByLabel(/Chat slots/).fill('4');
    await shot(page, 'operator-editor');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByTestId('saved').filter({ hasText: 'Grace B. Hopper saved.' }).waitFor();
    const renamedEdit = page.getByRole('button', { name: 'Edit Grace B. Hopper' });
    await expect.poll(() => isFocused(renamedEdit)).toBe(true);

    const after = await operatorByEmail('grace@demo.causerie.test');
    expect(after.name).toBe('Grace B. Hopper');
    expect([...after.roles].sort()).toEqual(['expert', 'manager']);
    expect(after.chat_max_number).toBe(4);
    // Untouched fields stay as they were.
    expect(after.pseudo).toBe(before.pseudo);
    expect(after.website_list).toEqual(before.website_list);
    const row = page.getByTestId(`operator-${after.id}`);
    expect(await row.getByTestId('slots').textContent()).toBe('4');
    expect(await row.getByTestId('roles').textContent()).toBe('Manager, Expert');
    await shot(page, 'operator-saved');

    // Saving an unchanged form sends nothing and says so.
    await renamedEdit.click();
    await page.getByRole('dialog').getByRole('button', { name: 'Save' }).click();
    await page.getByRole('dialog').getByRole('status').filter({ hasText: 'Nothing changed.' }).waitFor();
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    await expect.poll(() => isFocused(renamedEdit)).toBe(true);
  });

  it('sets a new password with which the operator then logs in, in a fresh browser', async () => {
    const newPassword = 'turing-machine-1936';
    await page.getByRole('button', { name: 'Edit Alan Turing' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit operator Alan Turing' });
    expect(await dialog.getByLabel('Set a new password').getAttribute('type')).toBe('password');
    expect(await dialog.getByLabel('Set a new password').getAttribute('autocomplete')).toBe('new-password');
    await dialog.getByLabel('Set a new password').fill(newPassword);
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByTestId('saved').filter({ hasText: 'Alan Turing saved.' }).waitFor();

    const alan = await openConsole(browser, server, 'alan@demo.causerie.test', newPassword);
    contexts.push(alan.context());
    expect(await alan.getByTestId('me').textContent()).toBe('Alan');
    // The old password no longer opens a session.
    const refused = await fetch(`${server.url}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'alan@demo.causerie.test', password: server.demo.login.password }),
    });
    expect(refused.status).toBe(401);
  });

  it("shows the API's message for a bad email next to the form, marking and focusing the field", async () => {
    await page.getByRole('button', { name: 'Edit Alan Turing' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit operator Alan Turing' });
    const email = dialog.getByLabel('Email');
    await email.fill('alan-at-demo');
    await dialog.getByRole('button', { name: 'Save' }).click();
    const alert = dialog.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/^Value of field 'email' is not valid\. /);
    expect(await email.getAttribute('aria-invalid')).toBe('true');
    expect(await email.getAttribute('aria-describedby')).toBe(await alert.getAttribute('id'));
    await expect.poll(() => isFocused(email)).toBe(true);
    // The other fields are not blamed.
    expect(await dialog.getByLabel('Name', { exact: true }).getAttribute('aria-invalid')).toBeNull();
    await shot(page, 'operator-bad-email');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect((await operatorByEmail('alan@demo.causerie.test')).name).toBe('Alan Turing');
    // A slot count out of range: the API's message names the field too.
    await page.getByRole('button', { name: 'Edit Alan Turing' }).click();
    await dialog.getByLabel(/Chat slots/).fill('99');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.getByRole('alert').filter({ hasText: "'chat_max_number'" }).waitFor();
    expect(await dialog.getByLabel(/Chat slots/).getAttribute('aria-invalid')).toBe('true');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
  });
});

describe('Administration → editing groups, skills and websites', () => {
  it('renames a group and a skill', async () => {
    await openTab(page, 'Groups');
    await page.getByRole('button', { name: 'Edit Support' }).click();
    const group = page.getByRole('dialog', { name: 'Edit group Support' });
    await group.getByLabel('Name').fill('Customer care');
    await shot(page, 'group-editor');
    await group.getByRole('button', { name: 'Save' }).click();
    await group.waitFor({ state: 'detached' });
    await page.getByTestId('groups').getByText('Customer care').waitFor();
    const groups = await api<{ id: number; name: string; operator_list: number[] }[]>('/group?full=1');
    expect(groups.map((row) => row.name)).toEqual(['Customer care']);
    // The members were not sent, so none moved.
    expect(groups[0]?.operator_list).toHaveLength(3);

    await openTab(page, 'Skills');
    await page.getByRole('button', { name: 'Edit Billing' }).click();
    const skill = page.getByRole('dialog', { name: 'Edit skill Billing' });
    await skill.getByLabel('Name').fill('Invoices');
    await skill.getByLabel('Order').fill('5');
    await skill.getByRole('button', { name: 'Save' }).click();
    await skill.waitFor({ state: 'detached' });
    await page.getByTestId('skills').getByText('Invoices').waitFor();
    const skills = await api<{ name: string; order: number }[]>('/skill?full=1');
    expect(skills.map((row) => [row.name, row.order])).toEqual([['Invoices', 5]]);
    // A blank name: the API's message, the field marked.
    await page.getByRole('button', { name: 'Edit Invoices' }).click();
    const renamed = page.getByRole('dialog', { name: 'Edit skill Invoices' });
    await renamed.getByLabel('Name').fill('   ');
    await renamed.getByRole('button', { name: 'Save' }).click();
    await renamed.getByRole('alert').filter({ hasText: "Value of field 'name' is not valid." }).waitFor();
    expect(await renamed.getByLabel('Name').getAttribute('aria-invalid')).toBe('true');
    await shot(page, 'skill-blank-name');
    await page.keyboard.press('Escape');
    await renamed.waitFor({ state: 'detached' });
  });

  it("changes a website's label and URL: the card, its tag text and the API follow", async () => {
    const id = server.demo.websiteId;
    await openTab(page, 'Websites');
    const card = page.getByTestId(`website-${id}`);
    const tag = `<script src="${server.url}/widget.js" data-website="${id}" async></script>`;
    expect(await card.getByTestId(`embed-${id}`).textContent()).toBe(tag);
    await card.getByRole('button', { name: `Edit #${id} Demo Shop` }).click();
    const dialog = page.getByRole('dialog', { name: `Edit website #${id} Demo Shop` });
    expect(await dialog.getByLabel('URL').inputValue()).toBe('https://shop.causerie.test');
    // A URL the API refuses: its message names the field.
    await dialog.getByLabel('URL').fill('not a url');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.getByRole('alert').filter({ hasText: "'url'" }).waitFor();
    expect(await dialog.getByLabel('URL').getAttribute('aria-invalid')).toBe('true');

    // Correcting the field takes its mark and the message away.
    await dialog.getByLabel('URL').fill('https://store.causerie.test');
    expect(await dialog.getByLabel('URL').getAttribute('aria-invalid')).toBeNull();
    expect(await dialog.getByRole('alert').count()).toBe(0);
    await dialog.getByLabel('Label').fill('Demo Store');
    await shot(page, 'website-editor');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => card.getByTestId('website-title').textContent()).toBe(`#${id} Demo Store`);
    expect(await card.getByTestId('website-url').textContent()).toBe('https://store.causerie.test');
    await card.getByText('Tag to insert on the pages of https://store.causerie.test').waitFor();
    // The tag names the website by id: it stays valid on the new address.
    expect(await card.getByTestId(`embed-${id}`).textContent()).toBe(tag);
    await expect.poll(() => isFocused(card.getByRole('button', { name: `Edit #${id} Demo Store` }))).toBe(true);
    const website = await api<{ url: string; label: string }>(`/website/${id}`);
    expect(website).toMatchObject({ url: 'https://store.causerie.test', label: 'Demo Store' });
    await shot(page, 'website-saved');
  });
});

describe('Administration → editing, in French and on a tablet', () => {
  it('speaks French in the operator editor', async () => {
    const context = await browser.newContext({ locale: 'fr-FR', viewport: { width: 1366, height: 820 } });
    contexts.push(context);
    const french = await context.newPage();
    await french.goto(`${server.url}/admin/`);
    await french.getByLabel('E-mail').fill(server.demo.login.email);
    await french.getByLabel('Mot de passe').fill(server.demo.login.password);
    await french.getByRole('button', { name: 'Se connecter' }).click();
    await french.getByTestId('me').waitFor();
    await french.goto(`${server.url}/admin/operators`);
    await french.getByRole('button', { name: 'Modifier Alan Turing' }).click();
    const dialog = french.getByRole('dialog', { name: 'Modifier l’opérateur Alan Turing' });
    await dialog.waitFor();
    await dialog.getByLabel('Définir un nouveau mot de passe').waitFor();
    await dialog.getByRole('checkbox', { name: 'Opérateur' }).waitFor();
    await dialog.getByLabel('Pseudonyme (montré aux visiteurs)').fill('Alan T.');
    await shot(french, 'operator-editor-fr');
    await dialog.getByRole('button', { name: 'Enregistrer' }).click();
    await french.getByTestId('saved').filter({ hasText: 'Modifications enregistrées : Alan Turing.' }).waitFor();
    expect((await operatorByEmail('alan@demo.causerie.test')).pseudo).toBe('Alan T.');
  });

  it('fits the operator editor on a tablet', async () => {
    const context = await browser.newContext({ locale: 'en-US', viewport: { width: 820, height: 1180 } });
    contexts.push(context);
    const tablet = await context.newPage();
    await tablet.goto(`${server.url}/admin/`);
    await tablet.getByLabel('Email').fill(server.demo.login.email);
    await tablet.getByLabel('Password').fill(server.demo.login.password);
    await tablet.getByRole('button', { name: 'Log in' }).click();
    await tablet.getByTestId('me').waitFor();
    await tablet.goto(`${server.url}/admin/operators`);
    await tablet.getByRole('button', { name: 'Edit Grace B. Hopper' }).click();
    const dialog = tablet.getByRole('dialog', { name: 'Edit operator Grace B. Hopper' });
    await dialog.waitFor();
    const box = await dialog.boundingBox();
    expect(box).not.toBeNull();
    expect((box?.x ?? -1) >= 0 && (box?.x ?? 0) + (box?.width ?? 0) <= 820).toBe(true);
    // The Save button is reachable without scrolling the page behind.
    expect(await dialog.getByRole('button', { name: 'Save' }).isVisible()).toBe(true);
    // The keyboard stays in the dialog: Shift+Tab from the first field goes round to Save, Tab comes back.
    const name = dialog.getByLabel('Name', { exact: true });
    await expect.poll(() => isFocused(name)).toBe(true);
    await tablet.keyboard.press('Shift+Tab');
    expect(await isFocused(dialog.getByRole('button', { name: 'Save' }))).toBe(true);
    await tablet.keyboard.press('Tab');
    expect(await isFocused(name)).toBe(true);
    await shot(tablet, 'operator-editor-tablet');
    await tablet.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await shot(tablet, 'operators-tablet');
    expect(pageErrors).toEqual([]);
  });
});
