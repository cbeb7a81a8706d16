// Problem reports and the account's locale settings in Chromium: Ada reports a problem on a closed conversation (the
// reason shown as text, in English and French, and kept by the API), then sets the reports' time zone and a website's
// currency in the administration.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoApi, launchBrowser, openConsole, type RunningServer, shot, startServer } from './harness.js';

let server: RunningServer;
let browser: Browser;
let ada: Page;
const pageErrors: string[] = [];

const HOSTILE_REASON = '<img src=x onerror="window.__pwned=1">Visitor <b>insulted</b> me';

const api = demoApi(() => server);

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  ada = await openConsole(browser, server, server.demo.login.email, server.demo.login.password);
  ada.on('pageerror', (error) => pageErrors.push(error.message));
});
afterAll(async () => {
  await ada?.context().close();
  await browser?.close();
  await server?.stop();
});

describe('reporting a problem from the console', () => {
  it("reports a problem on Ada's closed conversation: shown as text, in French too, and stored with her as reporter", async () => {
    const me = (await api<{ id: number; email: string }[]>('GET', '/operator?full=1')).find(
      (operator) => operator.email === server.demo.login.email,
    );
    if (me === undefined) throw new Error('no demo operator');
    // Made now, so that it heads Ada's closed list.
    const conversation = await api<{ id: number }>('POST', '/conversation', {
      website_id: server.demo.websiteId,
      operator_id: me.id,
    });
    await api('POST', `/conversation/${conversation.id}/message`, { type: 'visitor', text: 'My parcel never came' });
    await api('POST', `/conversation/${conversation.id}/close`, {});

    await ada.getByRole('tab', { name: /Closed/ }).click();
    await ada.getByTestId('list-closed').getByTestId(`conversation-${conversation.id}`).click();
    await ada.getByTestId('history').getByText('My parcel never came', { exact: true }).waitFor();
    expect(await ada.getByTestId('problem').count()).toBe(0);

    await ada.getByRole('button', { name: 'Report a problem' }).click();
    const dialog = ada.getByRole('dialog', { name: 'Report a problem on this conversation' });
    // Nothing to send without a reason.
    expect(await dialog.getByRole('button', { name: 'Report the problem' }).isDisabled()).toBe(true);
    await dialog.getByLabel('What went wrong').fill(HOSTILE_REASON);
    await shot(ada, 'problem-dialog');
    await dialog.getByRole('button', { name: 'Report the problem' }).click();
    await dialog.waitFor({ state: 'detached' });

    const line = ada.getByTestId('problem');
    await expect.poll(() => line.textContent()).toBe(`Problem reported: ${HOSTILE_REASON}`);
    expect(await line.locator('img, b').count()).toBe(0);
    expect(await ada.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    await shot(ada, 'problem-reported');

    const stored = await api<{ problem: { reason: string; operator_id: number | null } | null }>(
      'GET',
      `/conversation/${conversation.id}`,
    );
    expect(stored.problem).toMatchObject({ reason: HOSTILE_REASON, operator_id: me.id });

    // In French: the action and the report read in French; the reason stays as written.
    await ada.getByLabel('Language').selectOption('fr');
    await ada.getByRole('button', { name: 'Signaler un problème' }).waitFor();
    await expect.poll(() => line.textContent()).toBe(`Problème signalé : ${HOSTILE_REASON}`);
    await shot(ada, 'problem-reported-fr');
    await ada.getByLabel('Langue').selectOption('en');
    expect(pageErrors).toEqual([]);
  });
});

describe('the reports time zone and a website currency in the administration', () => {
  it('saves a time zone the API accepts, shows its refusal of another, and changes the currency', async () => {
    await ada.getByRole('link', { name: 'Administration' }).click();
    await ada
      .getByRole('navigation', { name: 'Administration' })
      .getByRole('link', { name: 'Websites', exact: true })
      .click();
    const account = ada.getByTestId('account-settings');
    const zone = account.getByLabel('Time zone of the reports');
    await expect.poll(() => zone.inputValue()).toBe('UTC');

    await zone.fill('Mars/Olympus_Mons');
    await account.getByRole('button', { name: 'Save' }).click();
    await account.getByRole('alert').filter({ hasText: "'timezone'" }).waitFor();
    await zone.fill('Europe/Paris');
    await account.getByRole('button', { name: 'Save' }).click();
    await account.getByTestId('saved').filter({ hasText: 'Time zone saved: Europe/Paris.' }).waitFor();
    const { client_id: clientId } = await api<{ client_id: number }>('GET', `/website/${server.demo.websiteId}`);
    expect((await api<{ timezone: string }>('GET', `/client/${clientId}`)).timezone).toBe('Europe/Paris');
    await shot(ada, 'timezone-saved');

    const id = server.demo.websiteId;
    await ada
      .getByTestId(`website-${id}`)
      .getByRole('button', { name: /^Edit #/ })
      .click();
    const editor = ada.getByRole('dialog', { name: /^Edit website/ });
    expect(await editor.getByLabel('Currency of the reports’ amounts').inputValue()).toBe('EUR');
    await editor.getByLabel('Currency of the reports’ amounts').selectOption('USD');
    await editor.getByRole('button', { name: 'Save' }).click();
    await editor.waitFor({ state: 'detached' });
    expect((await api<{ currency: string }>('GET', `/website/${id}`)).currency).toBe('USD');
    expect(pageErrors).toEqual([]);
  });
});
