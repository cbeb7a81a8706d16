// An installed app in a real conversation (issue 21, seed 003): a connector started by the test backs an app built,
// approved and installed through the API; a visitor writes from the widget; the operator browses the app's products in
// the console (a failing connector shows its message and a retry) and sends one, which the visitor sees as a card; the
// operator opens the visitor's CRM profile, then closes with the app's form (its required child appears under the
// checked box, closing waits for it), and the answers are on the conversation.
import { FakeConnector } from '@causerie/test-support/fakes/connector';
import { json } from '@causerie/test-support/fakes/http';
import type { Browser, BrowserContext, FrameLocator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, makeAvailable, openConsole, type RunningServer, shot, startServer } from './harness.js';

let server: RunningServer;
let browser: Browser;
let connector: FakeConnector;
const contexts: BrowserContext[] = [];

interface Answer {
  status: number;
  body: { data?: unknown; meta?: { message?: string } };
}

async function call(
  method: string,
  path: string,
  auth: { key?: string; token?: string },
  body?: unknown,
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (auth.key !== undefined) headers['X-API-Key'] = auth.key;
  if (auth.token !== undefined) headers.Authorization = `Bearer ${auth.token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers,
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const answer = { status: response.status, body: (await response.json()) as Answer['body'] };
  if (response.status !== 200) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(answer.body)}`);
  return answer;
}
const dataOf = <T>(answer: Answer) => answer.body.data as T;

/** A developer invited by the platform admin builds the app; the admin approves it; the demo client installs it. */
async function installApp(): Promise<{ installationId: number }> {
  const admin = { key: server.adminKey };
  const invited = dataOf<{ invitation: { token: string } }>(
    await call('POST', '/api/2/developer', admin, {
      email: 'lea@connecteurs.example',
      name: 'Léa Martin',
      company: 'Connecteurs SAS',
    }),
  );
  const password = 'un-long-mot-de-passe';
  await call('POST', '/auth/developer/activation', {}, { token: invited.invitation.token, password });
  const login = dataOf<{ token: string }>(
    await call('POST', '/auth/developer/login', {}, { email: 'lea@connecteurs.example', password }),
  );
  const developer = { token: login.token };
  const app = dataOf<{ id: number }>(
    await call('POST', '/api/2/app', developer, {
      name: 'Cyclo CRM',
      description: 'Votre CRM et votre catalogue dans la console.',
      authentication: {
        fields: [
          { id: 'field_login', label: 'Login', type: 'TEXT' },
          { id: 'field_password', label: 'Mot de passe', type: 'PASSWORD' },
        ],
        verification_url: connector.authenticationUrl,
      },
      settings: {
        fields: [{ id: 'field_currency', label: 'Devise', type: 'TEXT' }],
        verification_url: connector.settingsUrl,
      },
      interactions: {
        product_list: { catalogue_url: `${connector.url}/products`, categories_url: `${connector.url}/categories` },
        visitor_profile: { url: `${connector.url}/visitor-profile` },
        conversation_closing: { url: `${connector.url}/closing` },
      },
    }),
  );
  await call('POST', `/api/2/app/${app.id}/submission`, developer, { version: '1.0.0' });
  await call('POST', `/api/2/app/${app.id}/review`, admin, { decision: 'approved' });
  const installed = dataOf<{ id: number }>(
    await call(
      'POST',
      '/api/2/installation',
      { key: server.demo.apiKey },
      {
        app_id: app.id,
        authentication: { field_login: 'boutique-lyon', field_password: 'p4ssw0rd-lyon' },
        settings: { field_currency: 'EUR' },
      },
    ),
  );
  return { installationId: installed.id };
}

async function newPage(locale = 'en-US'): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 820 }, locale });
  contexts.push(context);
  return context.newPage();
}

beforeAll(async () => {
  connector = await new FakeConnector().start();
  server = await startServer();
  browser = await launchBrowser();
});
afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
  await server?.stop();
  await connector?.stop();
});

describe("an installed app in the operator's conversation", () => {
  it('sends a product card the visitor sees, shows the CRM profile, and closes with the required form', async () => {
    const { installationId } = await installApp();

    // 1. Ada is available; a visitor writes from the widget on the demo page.
    const ada = await openConsole(browser, server, server.demo.login.email, server.demo.login.password);
    contexts.push(ada.context());
    await makeAvailable(ada);
    const visitor = await newPage();
    await visitor.goto(`${server.url}/demo`);
    await visitor.getByRole('button', { name: 'Open the chat' }).click();
    const widget: FrameLocator = visitor.frameLocator('#causerie-frame');
    await widget.locator('#cz-input').fill('I am looking for a city bike');
    await widget.locator('#cz-input').press('Enter');

    // 2. The conversation comes to Ada; she opens it.
    const item = ada.getByTestId('list-mine').getByRole('button').filter({ hasText: 'I am looking for a city bike' });
    await item.waitFor({ timeout: 20_000 });
    const conversationId = Number((await item.getAttribute('data-testid'))?.replace('conversation-', ''));
    expect(conversationId).toBeGreaterThan(0);
    await item.click();
    const history = ada.getByTestId('history');
    await history.getByText('I am looking for a city bike', { exact: true }).waitFor();

    // 3. The product list: a search, then categories into their children, then a product sent in one click.
    await ada.getByTestId('open-products').click();
    const popup = ada.getByTestId('product-popup');
    await popup.getByTestId('product-category').filter({ hasText: 'Vélos' }).waitFor();
    await popup.getByRole('searchbox', { name: 'Search products' }).fill('casque');
    await popup.getByTestId('product-item').filter({ hasText: 'Casque Urbain' }).waitFor();
    expect(await popup.getByTestId('product-item').count()).toBe(1);
    // A failing connector: its message (naming the app) and a retry, the popup and conversation still usable.
    connector.brokenAnswer = json(500, { error: 'catalogue down' });
    await popup.getByRole('searchbox', { name: 'Search products' }).fill('nantes');
    const failure = popup.getByTestId('product-error');
    await failure.getByText(/Cyclo CRM/).waitFor();
    await shot(ada, 'product-list-failing');
    connector.brokenAnswer = undefined;
    await failure.getByRole('button', { name: 'Retry' }).click();
    await popup.getByTestId('product-item').filter({ hasText: 'Vélo urbain Nantes' }).waitFor();
    await popup.getByRole('searchbox', { name: 'Search products' }).fill('');
    await popup.getByTestId('product-category').filter({ hasText: 'Vélos' }).click();
    await popup.getByTestId('product-category').filter({ hasText: 'Vélos de ville' }).click();
    const lyon = popup.getByTestId('product-item').filter({ hasText: 'Vélo urbain Lyon' });
    await lyon.waitFor();
    expect(await lyon.getByTestId('product-price').textContent()).toBe('449 € 499 €');
    await popup.getByTestId('product-item').filter({ hasText: 'Out of stock' }).waitFor();
    await shot(ada, 'product-list');
    // Back up a level, and down again: the trail follows.
    await popup.getByRole('button', { name: /Back/ }).click();
    await popup.getByTestId('product-category').filter({ hasText: 'Vélos de ville' }).click();
    await lyon.getByRole('button', { name: 'Send' }).click();
    await popup.waitFor({ state: 'detached' });
    const sentCard = history.getByTestId('product-card').filter({ hasText: 'Vélo urbain Lyon' });
    await sentCard.waitFor();
    expect(await sentCard.getByRole('link', { name: 'View product' }).getAttribute('href')).toBe(
      'https://shop.example/velo-lyon',
    );
    await shot(ada, 'product-sent');

    // 4. The visitor sees the card: image, title, availability, price, a link opening the product page.
    const card = widget.locator('.cz-product');
    await card.waitFor({ timeout: 15_000 });
    expect(await card.locator('.cz-product-title').textContent()).toBe('Vélo urbain Lyon');
    expect(await card.locator('.cz-price').textContent()).toBe('449 € 499 €');
    expect(await card.locator('.cz-stock').textContent()).toBe('In stock');
    expect(await card.locator('img').getAttribute('src')).toBe('https://shop.example/img/velo-lyon.jpg');
    const view = card.getByRole('link', { name: 'View product' });
    expect(await view.getAttribute('href')).toBe('https://shop.example/velo-lyon');
    expect(await view.getAttribute('target')).toBe('_blank');
    expect(await view.getAttribute('rel')).toContain('noopener');
    await shot(visitor, 'visitor-card');

    // 5. The visitor's profile in the app: the CRM link is a link, the tag is text.
    const profile = ada.getByTestId('app-profile');
    const crm = profile.getByRole('link', { name: 'https://crm.example/visitors/42' });
    await crm.waitFor();
    expect(await crm.getAttribute('href')).toBe('https://crm.example/visitors/42');
    expect(await crm.getAttribute('rel')).toBe('noopener noreferrer');
    await profile.getByText(/client fidèle/).waitFor();
    await shot(ada, 'visitor-profile');

    // 6. Closing with the app's form: the box is required; its required child appears once checked; closing waits.
    await ada.getByRole('button', { name: 'Close', exact: true }).click();
    const dialog = ada.getByRole('dialog');
    const form = dialog.getByTestId('closing-form');
    const ticket = form.getByLabel('create a salesforce ticket');
    await ticket.waitFor();
    expect(await form.getByLabel('Brand name').count()).toBe(0);
    await dialog.getByRole('button', { name: 'Close the conversation' }).click();
    await form.getByTestId('closing-field-1').getByText('This field is required.').waitFor();
    await ticket.check();
    const brand = form.getByLabel('Brand name');
    await brand.waitFor();
    await form.getByLabel('Color').waitFor();
    await dialog.getByRole('button', { name: 'Close the conversation' }).click();
    await form.getByTestId('closing-field-2').getByText('This field is required.').waitFor();
    await shot(ada, 'closing-refused');
    expect(
      dataOf<{ status: string }>(
        await call('GET', `/api/2/conversation/${conversationId}`, { key: server.demo.apiKey }),
      ).status,
    ).not.toBe('closed');
    await brand.fill('Cyclo');
    await dialog.getByRole('button', { name: 'Close the conversation' }).click();
    await ada.getByTestId('read-only').filter({ hasText: 'This conversation is closed.' }).waitFor();
    await shot(ada, 'closed');

    // 7. The answers are on the conversation.
    const closed = dataOf<{ status: string; closing_answers: unknown }>(
      await call('GET', `/api/2/conversation/${conversationId}`, { key: server.demo.apiKey }),
    );
    expect(closed.status).toBe('closed');
    expect(closed.closing_answers).toMatchObject({
      installation_id: installationId,
      app: 'Cyclo CRM',
      // In the seed's shape: every shown field with its label, checkboxes as "true".
      answers: expect.arrayContaining([
        { id: '1', label: 'create a salesforce ticket', value: 'true' },
        { id: '2', label: 'Brand name', value: 'Cyclo' },
      ]),
    });
  });
});
