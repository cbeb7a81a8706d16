// The agent view's keyboard shortcuts in Chromium (issue 22, item 7): Ada moves through her closed conversations and
// back with Alt+↓ / Alt+↑, picks lists with Alt+1–4, goes to the reply box of an open conversation with Alt+R (where
// `?` is typed, not a shortcut), and opens the shortcut sheet with `?` — every shortcut listed, in English and French,
// closed with Escape.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoApi, launchBrowser, openConsole, type RunningServer, shot, startServer } from './harness.js';

let server: RunningServer;
let browser: Browser;
let ada: Page;
const pageErrors: string[] = [];

const api = demoApi(() => server);

/** The id of the conversation the console shows. */
async function shownId(page: Page): Promise<number> {
  return Number(/\/admin\/conversations\/(\d+)/.exec(page.url())?.[1] ?? Number.NaN);
}

let adaId = 0;

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  const me = (await api<{ id: number; email: string }[]>('GET', '/operator?full=1')).find(
    (operator) => operator.email === server.demo.login.email,
  );
  if (me === undefined) throw new Error('no demo operator');
  adaId = me.id;
  ada = await openConsole(browser, server, server.demo.login.email, server.demo.login.password);
  ada.on('pageerror', (error) => pageErrors.push(error.message));
});
afterAll(async () => {
  await ada?.context().close();
  await browser?.close();
  await server?.stop();
});

describe('keyboard shortcuts in the agent view', () => {
  it('moves through the closed list with Alt+↓ and Alt+↑, and picks lists with Alt+1–4', async () => {
    const made: number[] = [];
    for (const text of ['Where is my order?', 'Can I change my address?', 'Do you ship abroad?']) {
      const conversation = await api<{ id: number }>('POST', '/conversation', {
        website_id: server.demo.websiteId,
        operator_id: adaId,
      });
      await api('POST', `/conversation/${conversation.id}/message`, { type: 'visitor', text });
      await api('POST', `/conversation/${conversation.id}/close`, {});
      made.push(conversation.id);
    }
    await ada.keyboard.press('Alt+Digit3');
    const closed = ada.getByTestId('list-closed');
    await closed.getByTestId(`conversation-${made[2]}`).waitFor();
    expect(await ada.getByRole('tab', { name: /Closed/ }).getAttribute('aria-selected')).toBe('true');
    const listed = await closed
      .locator('[data-conversation-id]')
      .evaluateAll((items) => items.map((item) => Number((item as HTMLElement).dataset.conversationId)));

    // Opened: in the address bar, and drawn as the list's selected item. The next key is pressed only then: the view
    // reads the open conversation from its last render, and the address changes before that render.
    const opened = async (id: number | undefined) => {
      await expect.poll(() => shownId(ada)).toBe(id);
      await expect.poll(() => closed.locator('.item.selected').getAttribute('data-conversation-id')).toBe(String(id));
    };
    await ada.keyboard.press('Alt+ArrowDown');
    await opened(listed[0]);
    await ada.keyboard.press('Alt+ArrowDown');
    await opened(listed[1]);
    await ada.keyboard.press('Alt+ArrowUp');
    await opened(listed[0]);
    // At the top of the list, Alt+↑ stays there.
    await ada.keyboard.press('Alt+ArrowUp');
    await opened(listed[0]);

    await ada.keyboard.press('Alt+Digit4');
    expect(await ada.getByRole('tab', { name: /Search/ }).getAttribute('aria-selected')).toBe('true');
    await ada.keyboard.press('Alt+Digit1');
    expect(await ada.getByRole('tab', { name: /Mine/ }).getAttribute('aria-selected')).toBe('true');
  });

  it('goes to the reply box with Alt+R, where ? is a character, not the sheet', async () => {
    const conversation = await api<{ id: number }>('POST', '/conversation', {
      website_id: server.demo.websiteId,
      operator_id: adaId,
    });
    await api('POST', `/conversation/${conversation.id}/message`, { type: 'visitor', text: 'Is anyone there?' });
    await ada.goto(`${server.url}/admin/conversations/${conversation.id}`);
    await ada.getByTestId('history').getByText('Is anyone there?', { exact: true }).waitFor();
    await ada.locator('body').click();
    await ada.keyboard.press('Alt+KeyR');
    const reply = ada.getByRole('textbox', { name: 'Reply' });
    await expect.poll(() => reply.evaluate((element) => element === document.activeElement)).toBe(true);
    await ada.keyboard.type('Yes?');
    expect(await reply.inputValue()).toBe('Yes?');
    expect(await ada.getByTestId('shortcut-sheet').count()).toBe(0);
  });

  it('opens the shortcut sheet with ?, lists every shortcut, closes with Escape — in English and French', async () => {
    await ada.locator('body').click();
    await ada.keyboard.press('?');
    const sheet = ada.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await sheet.waitFor();
    for (const action of [
      'Next conversation in the list',
      'Previous conversation in the list',
      'Go to the reply box',
      'Switch between reply and private note',
      'Canned responses (type / in the reply box)',
      'Transfer the conversation',
      'Close the conversation',
    ])
      await sheet.getByRole('cell', { name: action }).waitFor();
    expect(await sheet.locator('tbody tr').count()).toBe(10);
    await shot(ada, 'shortcut-sheet');
    await ada.keyboard.press('Escape');
    await sheet.waitFor({ state: 'detached' });

    await ada.getByLabel('Language').selectOption('fr');
    await ada.getByTestId('open-shortcuts').click();
    const feuille = ada.getByRole('dialog', { name: 'Raccourcis clavier' });
    await feuille.getByRole('cell', { name: 'Conversation suivante de la liste' }).waitFor();
    await feuille.getByRole('cell', { name: 'Clôturer la conversation' }).waitFor();
    await shot(ada, 'shortcut-sheet-fr');
    await feuille.getByRole('button', { name: 'Fermer' }).click();
    await feuille.waitFor({ state: 'detached' });
    await ada.getByLabel('Langue').selectOption('en');
    expect(pageErrors).toEqual([]);
  });
});
