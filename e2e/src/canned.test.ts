// Canned responses in Chromium (issue 22, item 1), a visitor's browser and the operators' consoles: Ada (admin) creates
// a shared response with variables on the Canned responses page (an unknown variable refused beside the field first);
// Alan (operator) types `/shortcut` in the reply box, picks it with the keyboard (↑ ↓, Esc closes, Enter inserts),
// sends it, and the visitor reads it with the visitor's, the operator's and the website's names filled in. Then in
// French: the page and the list in French, a response picked with the mouse. Alan keeps a personal response on the
// page (created, edited, deleted; Ada does not see it). axe finds nothing critical or serious on the page or with the
// list open. The page's chunk is loaded on demand.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser, BrowserContext, FrameLocator, Page } from 'playwright-core';
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
const run = Math.random().toString(36).slice(2, 6);
const SHORTCUT = `welcome-${run}`;
const BODY = 'Hello {{visitor.firstname}}, {{operator.firstname}} from {{website.name}} here. How can I help?';

let server: RunningServer;
let browser: Browser;
const contexts: BrowserContext[] = [];
let ada: Page;
let alan: Page;
let visitor: Page;
let chat: FrameLocator;
let conversationId = 0;
let websiteName = '';
const pageErrors: string[] = [];

const api = demoApi(() => server);

async function consoleFor(email: string): Promise<Page> {
  const page = await openConsole(browser, server, email, server.demo.login.password);
  contexts.push(page.context());
  page.on('pageerror', (error) => pageErrors.push(error.message));
  return page;
}

/** The critical and serious WCAG 2.1 A/AA violations axe finds on the page as it is now, one line each. */
async function blockingViolations(page: Page, include?: string): Promise<string[]> {
  const builder = new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']);
  const results = await (include === undefined ? builder : builder.include(include)).analyze();
  return results.violations
    .filter((violation) => violation.impact === 'critical' || violation.impact === 'serious')
    .map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(' | ')}`);
}

/** The operator messages the visitor reads in the widget. */
const visitorReads = () => chat.locator('.cz-theirs .cz-text').allTextContents();

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  websiteName = (await api<{ label: string }>('GET', `/website/${server.demo.websiteId}`)).label;
  ada = await consoleFor(server.demo.login.email);
  alan = await consoleFor('alan@demo.causerie.test');
}, 180_000);
afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
  await server?.stop();
});

describe('canned responses', () => {
  it('an admin creates a shared one; an operator inserts it with the keyboard and the visitor reads it filled in', async () => {
    // 1. Ada creates the shared response on the page (an unknown variable is refused beside the message first).
    // An admin finds them under Administration (an operator, who has no administration, in the header).
    await ada.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Administration' }).click();
    await ada
      .getByRole('navigation', { name: 'Administration' })
      .getByRole('link', { name: 'Canned responses' })
      .click();
    await ada.getByRole('heading', { name: 'Canned responses', level: 1 }).waitFor();
    await ada.getByRole('button', { name: 'New canned response' }).click();
    await ada.getByLabel('Shortcut (letters, digits, - and _)').fill(SHORTCUT);
    await ada.getByLabel('Title').fill('Welcome');
    const message = ada.getByLabel('Message', { exact: true });
    await message.fill('Hi {{visitor.email}}');
    await ada.getByRole('button', { name: 'Create' }).click();
    await ada.getByText('Unknown variable {{visitor.email}}.', { exact: false }).waitFor();
    expect(await message.getAttribute('aria-invalid')).toBe('true');
    expect(await message.evaluate((input) => input === document.activeElement)).toBe(true);
    await message.fill(BODY);
    expect(await ada.getByRole('radio', { name: /Shared: every operator/ }).isChecked()).toBe(true);
    await shot(ada, 'admin-form');
    await ada.getByRole('button', { name: 'Create' }).click();
    await ada
      .getByTestId('canned-notice')
      .filter({ hasText: `Canned response /${SHORTCUT} saved.` })
      .waitFor();
    const row = ada.getByTestId(`canned-${SHORTCUT}`);
    await row.waitFor();
    expect(await row.getByRole('cell').nth(2).textContent()).toBe('Shared');
    // Search finds it by its body; a search for nothing says so.
    await ada.getByLabel('Search').fill('how can i help');
    await row.waitFor();
    await ada.getByLabel('Search').fill('nothing like this');
    await ada.getByText('No canned response matches.').waitFor();
    await ada.getByLabel('Search').fill('');
    await shot(ada, 'admin-list');
    expect(await blockingViolations(ada)).toEqual([]);

    // 2. A visitor opens the chat on the demo site and writes; Alan, the only one available, has it. The visitor gave
    // their first name.
    await makeAvailable(alan);
    const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 800 } });
    contexts.push(context);
    visitor = await context.newPage();
    await visitor.goto(`${server.url}/demo`);
    await visitor.getByRole('button', { name: 'Open the chat' }).click();
    chat = visitor.frameLocator('#causerie-frame');
    await chat.locator('#cz-input').fill('Hello, I have a question');
    await chat.locator('#cz-input').press('Enter');
    const item = alan.getByTestId('list-mine').locator('[data-conversation-id]').first();
    await item.waitFor();
    conversationId = Number(await item.getAttribute('data-conversation-id'));
    const conversation = await api<{ visitor_id: number }>('GET', `/conversation/${conversationId}`);
    await api('PUT', `/visitor/${conversation.visitor_id}`, { firstname: 'Marie', lastname: 'Curie' });
    await item.click();
    await alan.getByTestId('history').getByText('Hello, I have a question').waitFor();

    // 3. Alan types `/` and the start of the shortcut: the list opens, filtered, the first option active.
    const composer = alan.getByRole('textbox', { name: 'Reply' });
    await composer.click();
    await composer.pressSequentially(`/welcome-${run.slice(0, 2)}`);
    const list = alan.getByRole('listbox', { name: 'Canned responses' });
    await list.waitFor();
    const options = list.getByRole('option');
    expect(await options.count()).toBe(1);
    const option = options.first();
    expect(await option.textContent()).toContain(`/${SHORTCUT}`);
    expect(await option.getAttribute('aria-selected')).toBe('true');
    expect(await composer.getAttribute('aria-activedescendant')).toBe(await option.getAttribute('id'));
    expect(await composer.getAttribute('aria-controls')).toBe(await list.getAttribute('id'));
    await shot(alan, 'composer-list');
    // The composer with its list (the rest of the agent view is e2e/src/a11y.test.ts's).
    expect(await blockingViolations(alan, '.composer')).toEqual([]);

    // Esc closes it and the text stays, as typed (typing on leaves it closed); a new `/` opens it again. ↓ and ↑ wrap
    // on the one option.
    await composer.press('Escape');
    await list.waitFor({ state: 'detached' });
    await composer.pressSequentially(run.slice(2));
    expect(await composer.inputValue()).toBe(`/${SHORTCUT}`);
    expect(await list.count()).toBe(0);
    await composer.fill('');
    await composer.pressSequentially(`/${SHORTCUT}`);
    await list.waitFor();
    await composer.press('ArrowDown');
    await composer.press('ArrowUp');
    expect(await option.getAttribute('aria-selected')).toBe('true');

    // 4. Enter inserts the body rendered for this conversation; a second Enter sends it.
    await composer.press('Enter');
    const expected = `Hello Marie, Alan from ${websiteName} here. How can I help?`;
    await expect.poll(() => composer.inputValue()).toBe(expected);
    await list.waitFor({ state: 'detached' });
    await shot(alan, 'composer-inserted');
    await composer.press('Enter');
    await expect.poll(() => composer.inputValue()).toBe('');

    // 5. The visitor reads it, every variable filled in.
    await expect.poll(visitorReads).toContain(expected);
    expect((await visitorReads()).some((text) => text.includes('{{'))).toBe(false);
    await shot(visitor, 'visitor-reads');
    expect(pageErrors).toEqual([]);
  });

  it('in French: the page and the list are French, and a click inserts a response', async () => {
    await ada.getByLabel('Language').selectOption('fr');
    await ada.getByRole('heading', { name: 'Réponses types', level: 1 }).waitFor();
    expect(await ada.getByTestId(`canned-${SHORTCUT}`).getByRole('cell').nth(2).textContent()).toBe('Partagée');
    await ada.getByRole('button', { name: 'Nouvelle réponse type' }).waitFor();
    await shot(ada, 'page-fr');
    await ada.getByLabel('Langue').selectOption('en');

    await alan.getByLabel('Language').selectOption('fr');
    const composer = alan.getByRole('textbox', { name: 'Réponse' });
    await composer.click();
    await composer.pressSequentially('Bien sûr : /wel');
    const list = alan.getByRole('listbox', { name: 'Réponses types' });
    await list.waitFor();
    await alan.getByText('↑ ↓ pour choisir, Entrée pour insérer, Échap pour fermer').waitFor();
    await shot(alan, 'composer-list-fr');
    await list
      .getByRole('option')
      .filter({ hasText: `/${SHORTCUT}` })
      .click();
    const expected = `Bien sûr : Hello Marie, Alan from ${websiteName} here. How can I help?`;
    await expect.poll(() => composer.inputValue()).toBe(expected);
    expect(await composer.evaluate((input) => input === document.activeElement)).toBe(true);
    await composer.press('Enter');
    await expect.poll(visitorReads).toContain(expected);
    // A shortcut nothing matches says so in French.
    await composer.pressSequentially('/zzz');
    await alan.getByText('Aucune réponse type pour « /zzz ».').waitFor();
    await composer.fill('');
    await alan.getByLabel('Langue').selectOption('en');
    expect(pageErrors).toEqual([]);
  });

  it('an operator keeps personal ones on the page: shared ones read-only, create, edit and delete their own', async () => {
    await alan.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Canned responses' }).click();
    await alan.getByRole('heading', { name: 'Canned responses', level: 1 }).waitFor();
    await alan.getByTestId(`canned-${SHORTCUT}`).getByText('Shared: managed by admins').waitFor();
    await alan.getByRole('button', { name: 'New canned response' }).click();
    expect(await alan.getByRole('radio', { name: /Shared: every operator/ }).isDisabled()).toBe(true);
    expect(await alan.getByRole('radio', { name: 'Personal: only me' }).isChecked()).toBe(true);
    const mine = `mine-${run}`;
    await alan.getByLabel('Shortcut (letters, digits, - and _)').fill(mine);
    await alan.getByLabel('Title').fill('Parcel');
    await alan.getByLabel('Message', { exact: true }).fill('Your parcel leaves today, {{visitor.firstname}}.');
    await alan.getByRole('button', { name: 'Create' }).click();
    const row = alan.getByTestId(`canned-${mine}`);
    await row.waitFor();
    expect(await row.getByRole('cell').nth(2).textContent()).toBe('Personal');

    await row.getByRole('button', { name: `Edit /${mine}` }).click();
    await alan.getByLabel('Title').fill('Parcel shipped');
    await alan.getByRole('button', { name: 'Save' }).click();
    await row.getByText('Parcel shipped').waitFor();
    // Ada (an admin) does not see Alan's personal response.
    await ada.reload();
    await ada.getByTestId(`canned-${SHORTCUT}`).waitFor();
    expect(await ada.getByTestId(`canned-${mine}`).count()).toBe(0);

    await row.getByRole('button', { name: `Delete /${mine}` }).click();
    await row.getByText(`Delete the canned response /${mine}?`).waitFor();
    await shot(alan, 'operator-delete');
    await row.getByRole('button', { name: 'Delete', exact: true }).click();
    await alan
      .getByTestId('canned-notice')
      .filter({ hasText: `Canned response /${mine} deleted.` })
      .waitFor();
    await row.waitFor({ state: 'detached' });
    expect(pageErrors).toEqual([]);
  });

  it('keeps the page in its own chunk, loaded on demand', () => {
    const html = fs.readFileSync(path.join(ASSETS, '..', 'index.html'), 'utf8');
    const chunks = fs.readdirSync(ASSETS).filter((name) => /^CannedPage-.*\.js$/.test(name));
    expect(chunks.length).toBeGreaterThan(0);
    for (const name of chunks) expect(html.includes(name)).toBe(false);
    const gzipped = chunks.reduce((sum, name) => sum + gzipSync(fs.readFileSync(path.join(ASSETS, name))).length, 0);
    expect(gzipped).toBeLessThan(5_000);
  });
});
