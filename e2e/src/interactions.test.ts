// An installed app in a real conversation (issue 21, seed 003): a connector started by the test backs an app built,
// approved and installed through the API; a visitor writes from the widget; the operator browses the app's products in
// the console (a failing connector shows its message and a retry) and sends one, which the visitor sees as a card; the
// operator opens the visitor's CRM profile, then closes with the app's form (its required child appears under the
// checked box, closing waits for it), and the answers are on the conversation.
import { json } from '@causerie/test-support/fakes/http';
import { describe, expect, it } from 'vitest';
import {
  conversationIdOf,
  cycloApp,
  installedApp,
  newDeveloper,
  publishedApp,
  uniqueSuffix,
  useAppsWorld,
} from './apps-kit.js';
import { shot } from './harness.js';

const world = useAppsWorld();

const conversation = (id: number) =>
  world.api.ok<{ status: string; closing_answers: unknown }>(
    'GET',
    `/api/2/conversation/${id}`,
    world.api.asDemoClient,
  );

describe("an installed app in the operator's conversation", () => {
  it('sends a product card the visitor sees, shows the CRM profile, and closes with the required form', async () => {
    const { api, connector } = world;
    // A developer invited by the platform admin builds the app; the admin approves it; the demo client installs it
    // (alone: a retried test first removes the app the first attempt installed).
    await api.uninstallEverything();
    const appId = await publishedApp(api, await newDeveloper(api), cycloApp(connector));
    const installationId = await installedApp(api, connector, appId);

    // 1. Ada is available; a visitor writes from the widget on the demo page.
    const ada = await world.availableOperator();
    const question = `I am looking for a city bike (${uniqueSuffix()})`;
    const { page: visitor, widget } = await world.visitorWrites(question);

    // 2. The conversation comes to Ada; she opens it.
    const item = ada.getByTestId('list-mine').getByRole('button').filter({ hasText: question });
    await item.waitFor({ timeout: 20_000 });
    const conversationId = await conversationIdOf(item);
    expect(conversationId).toBeGreaterThan(0);
    await item.click();
    const history = ada.getByTestId('history');
    await history.getByText(question, { exact: true }).waitFor();

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
    expect((await conversation(conversationId)).status).not.toBe('closed');
    await brand.fill('Cyclo');
    await dialog.getByRole('button', { name: 'Close the conversation' }).click();
    await ada.getByTestId('read-only').filter({ hasText: 'This conversation is closed.' }).waitFor();
    await shot(ada, 'closed');

    // 7. The answers are on the conversation.
    const closed = await conversation(conversationId);
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
    expect(world.pageErrors).toEqual([]);
  });
});
