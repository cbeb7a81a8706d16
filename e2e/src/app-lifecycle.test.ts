// The developer platform end to end (issue 21's "Done when", seed 003), in Chromium wherever a person acts, against
// a connector server and a webhook receiver the test starts. The platform admin invites a developer in the partner
// area; the developer opens the invitation link, sets a password, builds an app in the developer area (authentication
// and settings fields, the three interactions, a webhook for connector.installed and conversation.closed pointing at
// the receiver) and submits it; the platform admin approves it in the review pages; the client's admin installs it
// from the marketplace wizard, first with a password the connector refuses (its message beside the field), then a good
// one; a visitor writes from the widget; the operator sends a product card the visitor sees, opens the visitor's
// profile (its URL field a link) and closes through the app's required closing form (refused until it is filled).
// The receiver got `connector.installed` and `conversation.closed` in the seed's shapes, signed with the webhook's
// security token, the closing answers included.
import { createHmac } from 'node:crypto';
import type { Received } from '@causerie/test-support/webhook-receiver';
import { describe, expect, it } from 'vitest';
import {
  conversationIdOf,
  DEVELOPER_PASSWORD,
  fieldInputs,
  signInAsPlatformAdmin,
  uniqueSuffix,
  useAppsWorld,
} from './apps-kit.js';
import { shot } from './harness.js';

const world = useAppsWorld({ receiver: true });

/** Seed 003's webhook bodies: these keys, in this order. */
const CONNECTOR_KEYS = [
  'eventId',
  'eventType',
  'platform',
  'websiteId',
  'connectorId',
  'connectorVersionId',
  'createdAt',
  'sentAt',
];
const CONVERSATION_KEYS = [
  'eventId',
  'eventType',
  'platform',
  'websiteId',
  'clientId',
  'conversationId',
  'operatorId',
  'channel',
  'visitorId',
  'closingAnswers',
  'createdAt',
  'sentAt',
];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const DATE_WITH_OFFSET = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/;

type Body = Record<string, unknown>;
const bodies = (): Array<{ request: Received; body: Body }> =>
  world.receiver.received.map((request) => ({ request, body: JSON.parse(request.body) as Body }));

describe('the developer platform, from invitation to webhooks', () => {
  it('an app is built, reviewed, installed, used in a conversation and closed with its form', {
    timeout: 300_000,
  }, async () => {
    const { api, connector, server } = world;
    // A retry starts from a client without apps, with its own developer and app names.
    await api.uninstallEverything();
    const suffix = uniqueSuffix();
    const developer = {
      email: `lea-${suffix}@connecteurs.example`,
      name: `Léa Martin ${suffix}`,
      company: 'Cyclo SAS',
    };
    const appName = `Cyclo CRM ${suffix}`;

    // 1. The platform admin invites the developer in the partner area and copies the link.
    const admin = await world.newPage({ height: 900 });
    await signInAsPlatformAdmin(admin, server);
    const partnerNav = admin.getByRole('navigation', { name: 'Partner pages' });
    await partnerNav.getByRole('link', { name: 'Developers' }).click();
    const invite = admin.getByTestId('invite-developer');
    await invite.getByLabel('Email', { exact: true }).fill(developer.email);
    await invite.getByLabel('Name', { exact: true }).fill(developer.name);
    await invite.getByLabel('Company (optional)').fill(developer.company);
    await invite.getByRole('button', { name: 'Invite' }).click();
    const link = new URL((await admin.getByTestId('invitation-link').textContent()) ?? '');
    expect(link.pathname).toBe('/admin/developer/activate');

    // 2. The developer sets a password from the link and logs in to the developer area.
    const dev = await world.newPage({ height: 900 });
    await dev.goto(`${server.url}${link.pathname}${link.hash}`);
    await dev.getByLabel('Password', { exact: true }).fill(DEVELOPER_PASSWORD);
    await dev.getByLabel('Password again').fill(DEVELOPER_PASSWORD);
    await dev.getByRole('button', { name: 'Set my password' }).click();
    await dev.getByRole('heading', { name: 'Developer login' }).waitFor();
    await dev.getByLabel('Email').fill(developer.email);
    await dev.getByLabel('Password').fill(DEVELOPER_PASSWORD);
    await dev.getByRole('button', { name: 'Log in' }).click();
    await dev.getByRole('heading', { name: 'My apps' }).waitFor();

    // 3. The app: its profile, authentication and settings fields, the three interactions.
    await dev.getByRole('link', { name: 'New app' }).click();
    await dev.getByLabel('Name', { exact: true }).fill(appName);
    await dev.getByLabel('Description').fill('Your CRM and your catalogue in the clientAdmin.');
    await dev.getByLabel('Price per user per month (€)').fill('4.90');
    const authentication = dev.getByTestId('step-authentication');
    await authentication.getByRole('button', { name: 'Add a field' }).click();
    await authentication.getByRole('button', { name: 'Add a field' }).click();
    await fieldInputs(dev, 'authentication', 1).id.fill('field_login');
    await fieldInputs(dev, 'authentication', 1).label.fill('Shop login');
    await fieldInputs(dev, 'authentication', 2).id.fill('field_password');
    await fieldInputs(dev, 'authentication', 2).label.fill('Shop password');
    await fieldInputs(dev, 'authentication', 2).type.selectOption('PASSWORD');
    await authentication.getByLabel('Verification URL').fill(connector.authenticationUrl);
    const settings = dev.getByTestId('step-settings');
    await settings.getByRole('button', { name: 'Add a field' }).click();
    await fieldInputs(dev, 'settings', 1).id.fill('field_currency');
    await fieldInputs(dev, 'settings', 1).label.fill('Currency');
    await settings.getByLabel('Verification URL').fill(connector.settingsUrl);
    await dev.getByLabel('Product list').check();
    await dev.getByLabel('Catalogue URL').fill(`${connector.url}/products`);
    await dev.getByLabel('Categories URL').fill(`${connector.url}/categories`);
    await dev.getByLabel('Visitor profile', { exact: true }).check();
    await dev.getByLabel('Visitor profile URL').fill(`${connector.url}/visitor-profile`);
    await dev.getByLabel('Conversation closing option').check();
    await dev.getByLabel('Closing form URL').fill(`${connector.url}/closing`);
    await dev.getByRole('button', { name: 'Create the app' }).click();
    await dev.getByRole('heading', { name: appName }).waitFor();
    const appId = Number(/\/admin\/developer\/apps\/(\d+)$/.exec(dev.url())?.[1]);
    expect(appId).toBeGreaterThan(0);

    // Its webhook: the two events, to the test's receiver; the security token it will sign with.
    await dev.getByLabel('Webhook name').fill('CRM sync');
    await dev.getByLabel('Webhook URL').fill(world.receiver.url);
    await dev.getByLabel(/^Events/).fill('connector.installed\nconversation.closed');
    await dev.getByRole('button', { name: 'Add the webhook' }).click();
    const webhooks = dev.getByRole('list', { name: 'Webhooks' });
    await webhooks.getByText('connector.installed, conversation.closed').waitFor();
    const securityToken = (await webhooks.getByTestId('security-token').textContent()) ?? '';
    expect(securityToken).toMatch(/^whsec_/);

    // Submitted as 1.0.0.
    expect(await dev.getByLabel('Version number').inputValue()).toBe('1.0.0');
    await dev.getByRole('button', { name: 'Submit', exact: true }).click();
    await dev.getByText('Version 1.0.0 is under review.').waitFor();
    await shot(dev, 'submitted');

    // 4. The platform admin reviews the definition and approves it.
    await partnerNav.getByRole('link', { name: 'App review' }).click();
    const queued = admin.getByTestId(`review-app-${appId}`);
    await queued.getByRole('link', { name: `Review ${appName}` }).click();
    await admin.getByRole('heading', { name: `${appName}, version 1.0.0` }).waitFor();
    expect(await admin.getByTestId('review-interactions').getByRole('listitem').count()).toBe(3);
    expect(await admin.getByTestId('review-webhooks').textContent()).toContain(world.receiver.url);
    await admin.getByRole('button', { name: 'Approve' }).click();
    await admin
      .getByRole('status')
      .filter({ hasText: `${appName} 1.0.0 is approved and published.` })
      .waitFor();
    await admin.getByTestId(`published-app-${appId}`).waitFor();
    await dev.reload();
    await dev.getByTestId('app-status').filter({ hasText: 'Published' }).first().waitFor();

    // 5. The client's admin installs it from the marketplace: a password the connector refuses, then the right one.
    const clientAdmin = await world.demoConsole();
    await clientAdmin.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Apps' }).click();
    const card = clientAdmin
      .getByRole('listitem')
      .filter({ has: clientAdmin.getByRole('heading', { name: appName, exact: true }) });
    await card.getByRole('link', { name: `Install ${appName}` }).click();
    await clientAdmin.getByRole('heading', { name: `Install ${appName}` }).waitFor();
    const password = clientAdmin.getByLabel('Shop password');
    await clientAdmin.getByLabel('Shop login').fill(connector.acceptedLogin.login);
    await password.fill('not-the-password');
    await clientAdmin.getByRole('button', { name: 'Next' }).click();
    await expect.poll(() => password.getAttribute('aria-invalid')).toBe('true');
    const describedBy = (await password.getAttribute('aria-describedby')) ?? '';
    expect(await clientAdmin.locator(`[id="${describedBy}"]`).textContent()).toBe('password is not valid');
    expect(await api.installations()).toEqual([]);
    await shot(clientAdmin, 'install-refused');
    await password.fill(connector.acceptedLogin.password);
    await clientAdmin.getByRole('button', { name: 'Next' }).click();
    await clientAdmin.getByRole('group', { name: /Settings/ }).waitFor();
    await clientAdmin.getByLabel('Currency').fill('EUR');
    await clientAdmin.getByRole('button', { name: 'Next' }).click();
    await clientAdmin.getByRole('group', { name: /Websites/ }).waitFor();
    await clientAdmin.getByRole('button', { name: 'Install' }).click();
    await clientAdmin
      .getByTestId('apps-notice')
      .filter({ hasText: `${appName} is installed.` })
      .waitFor();
    const [installation] = await api.installations();
    expect(installation).toMatchObject({ app_id: appId });
    expect(installation?.website_id).toContain(server.demo.websiteId);
    // The admin leaves; the same person comes back as the operator, in a console of their own.
    await clientAdmin.context().close();

    // 6. The operator is available; a visitor writes from the widget; the conversation comes to the operator.
    const operator = await world.availableOperator();
    const question = `A city bike for my commute? (${suffix})`;
    const visitor = await world.visitorWrites(question);
    const item = operator.getByTestId('list-mine').getByRole('button').filter({ hasText: question });
    await item.click();
    const conversationId = await conversationIdOf(item);
    expect(conversationId).toBeGreaterThan(0);
    const history = operator.getByTestId('history');
    await history.getByText(question, { exact: true }).waitFor();

    // 7. The product list: into the city bikes, one click sends a product; the visitor sees its card.
    await operator.getByTestId('open-products').click();
    const popup = operator.getByTestId('product-popup');
    await popup.getByTestId('product-category').filter({ hasText: 'Vélos' }).click();
    await popup.getByTestId('product-category').filter({ hasText: 'Vélos de ville' }).click();
    await popup
      .getByTestId('product-item')
      .filter({ hasText: 'Vélo urbain Lyon' })
      .getByRole('button', { name: 'Send' })
      .click();
    await popup.waitFor({ state: 'detached' });
    await history.getByTestId('product-card').filter({ hasText: 'Vélo urbain Lyon' }).waitFor();
    const productCard = visitor.widget.locator('.cz-product');
    await productCard.waitFor();
    expect(await productCard.locator('.cz-product-title').textContent()).toBe('Vélo urbain Lyon');
    expect(await productCard.locator('.cz-price').textContent()).toBe('449 € 499 €');
    expect(await productCard.getByRole('link', { name: 'View product' }).getAttribute('href')).toBe(
      'https://shop.example/velo-lyon',
    );
    await shot(visitor.page, 'visitor-sees-the-product');

    // 8. The visitor's profile from the app: the CRM address is a link.
    const crm = operator.getByTestId('app-profile').getByRole('link', { name: 'https://crm.example/visitors/42' });
    await crm.waitFor();
    expect(await crm.getAttribute('href')).toBe('https://crm.example/visitors/42');

    // 9. Closing through the app's form: refused while the required fields are empty, then closed with the answers.
    await operator.getByRole('button', { name: 'Close', exact: true }).click();
    const dialog = operator.getByRole('dialog');
    const form = dialog.getByTestId('closing-form');
    await form.getByLabel('create a salesforce ticket').waitFor();
    await dialog.getByRole('button', { name: 'Close the conversation' }).click();
    await form.getByTestId('closing-field-1').getByText('This field is required.').waitFor();
    await form.getByLabel('create a salesforce ticket').check();
    await dialog.getByRole('button', { name: 'Close the conversation' }).click();
    await form.getByTestId('closing-field-2').getByText('This field is required.').waitFor();
    expect(await conversationStatus(conversationId)).not.toBe('closed');
    await shot(operator, 'closing-refused');
    await form.getByLabel('Brand name').fill('Cyclo');
    await dialog.getByRole('button', { name: 'Close the conversation' }).click();
    await operator.getByTestId('read-only').filter({ hasText: 'This conversation is closed.' }).waitFor();
    expect(await conversationStatus(conversationId)).toBe('closed');

    // 10. The app's webhooks, as the seed shows them, signed with the webhook's security token.
    const installedBody = () =>
      bodies().find(
        ({ body }) =>
          body.eventType === 'connector.installed' &&
          body.connectorId === installation?.connector_id &&
          body.websiteId === server.demo.websiteId,
      );
    await expect.poll(installedBody, { timeout: 30_000 }).toBeDefined();
    const installed = installedBody();
    expect(Object.keys(installed?.body ?? {})).toEqual(CONNECTOR_KEYS);
    expect(installed?.body).toMatchObject({
      eventId: expect.stringMatching(UUID),
      eventType: 'connector.installed',
      platform: 'causerie',
      websiteId: server.demo.websiteId,
      connectorId: installation?.connector_id,
      connectorVersionId: installation?.connector_version_id,
      createdAt: expect.stringMatching(DATE_WITH_OFFSET),
      sentAt: expect.stringMatching(DATE_WITH_OFFSET),
    });
    expectSigned(installed?.request, securityToken);

    const closedBody = () =>
      bodies().find(({ body }) => body.eventType === 'conversation.closed' && body.conversationId === conversationId);
    await expect.poll(closedBody, { timeout: 30_000 }).toBeDefined();
    const closed = closedBody();
    const conversation = await api.ok<{ operator_id: number; website_id: number }>(
      'GET',
      `/api/2/conversation/${conversationId}`,
      api.asDemoClient,
    );
    expect(Object.keys(closed?.body ?? {})).toEqual(CONVERSATION_KEYS);
    expect(closed?.body).toMatchObject({
      eventId: expect.stringMatching(UUID),
      eventType: 'conversation.closed',
      platform: 'causerie',
      websiteId: server.demo.websiteId,
      clientId: installation?.client_id,
      conversationId,
      operatorId: conversation.operator_id,
      channel: 'chat',
      visitorId: expect.any(String),
      closingAnswers: {
        installation_id: installation?.id,
        app: appName,
        answers: expect.arrayContaining([
          { id: '1', label: 'create a salesforce ticket', value: 'true' },
          { id: '2', label: 'Brand name', value: 'Cyclo' },
        ]),
      },
      createdAt: expect.stringMatching(DATE_WITH_OFFSET),
      sentAt: expect.stringMatching(DATE_WITH_OFFSET),
    });
    expectSigned(closed?.request, securityToken);
    expect(world.pageErrors).toEqual([]);
  });
});

async function conversationStatus(id: number): Promise<string> {
  const conversation = await world.api.ok<{ status: string }>(
    'GET',
    `/api/2/conversation/${id}`,
    world.api.asDemoClient,
  );
  return conversation.status;
}

/** Seed 003's check: `X-Causerie-Signature` is `sha256=` + the HMAC-SHA256 of the raw body with the token. */
function expectSigned(request: Received | undefined, token: string): void {
  const expected = `sha256=${createHmac('sha256', token)
    .update(request?.body ?? '')
    .digest('hex')}`;
  expect(request?.headers['x-causerie-signature']).toBe(expected);
}
