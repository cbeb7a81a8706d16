// Issue 21's agent-console interactions through the API, on SQLite and PostgreSQL, against a connector that speaks
// seed 003's contract: the apps of a conversation's website, the product list (categories and products with the seed's
// filters, kept briefly), a product sent as a card, the visitor profile, and closing with the app's form (required
// fields enforced, answers on the conversation and in conversation.closed); a broken or slow connector is a clear 502
// and the conversation goes on.
import { createHmac } from 'node:crypto';
import { CONNECTOR_PRODUCTS, FakeConnector } from '@causerie/test-support/fakes/connector';
import { type Receiver, startReceiver } from '@causerie/test-support/webhook-receiver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectorApp, developerSession, installedApp } from '../../test/apps.js';
import { clientWithKey, startTestApp, type TestApp } from '../../test/harness.js';

let t: TestApp;
let connector: FakeConnector;
let receiver: Receiver;
let key: string;
let websiteId: number;
let otherWebsiteId: number;
let installationId: number;
let operatorId: number;
let conversationId: number;
let signingSecret: string;

beforeAll(async () => {
  t = await startTestApp({ webhookTimeScale: 0.001 });
  connector = await new FakeConnector().start();
  receiver = await startReceiver('/closed');
  ({ key } = await clientWithKey(t, 'Cycles Lyon'));
  websiteId = (await t.api('POST', '/website', { key, json: { url: 'https://cycles-lyon.example' } })).body.data.id;
  otherWebsiteId = (await t.api('POST', '/website', { key, json: { url: 'https://blog.example' } })).body.data.id;
  const developer = await developerSession(t, 'lea@connecteurs.example');
  let appId: number;
  ({ installationId, appId } = await installedApp(t, developer, key, connectorApp(connector), {
    websiteIds: [websiteId],
  }));
  signingSecret = String(
    (await t.api('GET', `/app/${appId}`, { headers: { authorization: `Bearer ${developer}` } })).body.data
      .signing_secret,
  );
  operatorId = (await t.api('POST', '/operator', { key, json: { name: 'Julie', email: 'julie@cycles-lyon.example' } }))
    .body.data.id;
  const visitor = await t.api('POST', '/visitor', {
    key,
    json: { email: 'marc@client.example', external_id: 'crm-42', firstname: 'Marc' },
  });
  conversationId = (
    await t.api('POST', '/conversation', {
      key,
      json: { website_id: websiteId, visitor_uid: visitor.body.data.unique_id, operator_id: operatorId },
    })
  ).body.data.id;
  expect(conversationId).toBeGreaterThan(0);
  await t.api('POST', '/webhook', { key, json: { url: receiver.url, events: ['conversation.closed'] } });
});
afterAll(async () => {
  await t.close();
  await connector.stop();
  await receiver.close();
});

describe('interactions in a conversation', () => {
  it("lists the apps of the conversation's website only", async () => {
    const apps = await t.api('GET', `/conversation/${conversationId}/app`, { key });
    expect(apps.status).toBe(200);
    expect(apps.body.data).toEqual([
      {
        installation_id: installationId,
        app_id: expect.any(Number),
        name: 'Cyclo CRM',
        interactions: ['product_list', 'visitor_profile', 'conversation_closing'],
      },
    ]);
    const elsewhere = (await t.api('POST', '/conversation', { key, json: { website_id: otherWebsiteId } })).body.data
      .id;
    expect((await t.api('GET', `/conversation/${elsewhere}/app`, { key })).body.data).toEqual([]);
    expect((await t.api('GET', `/conversation/${elsewhere}/app/${installationId}/category`, { key })).status).toBe(404);
  });

  it('covers websites added later when installed without naming any', async () => {
    const other = await clientWithKey(t, 'Cycles Nantes');
    const developer = await developerSession(t, 'paul@connecteurs.example', 'Paul Dev');
    await t.api('POST', '/website', { key: other.key, json: { url: 'https://nantes.example' } });
    const { installationId: everywhere } = await installedApp(
      t,
      developer,
      other.key,
      connectorApp(connector, 'Partout'),
    );
    expect((await t.api('GET', `/installation/${everywhere}`, { key: other.key })).body.data.website_id).toEqual([]);
    const later = (await t.api('POST', '/website', { key: other.key, json: { url: 'https://rennes.example' } })).body
      .data.id;
    const conversation = (await t.api('POST', '/conversation', { key: other.key, json: { website_id: later } })).body
      .data.id;
    const apps = await t.api('GET', `/conversation/${conversation}/app`, { key: other.key });
    expect(apps.body.data.map((app) => app.installation_id)).toEqual([everywhere]);
  });

  it("browses categories and products with the seed's filters, asking the connector once for the same page", async () => {
    const roots = await t.api('GET', `/conversation/${conversationId}/app/${installationId}/category`, { key });
    expect(roots.status).toBe(200);
    expect(roots.body.data.map((category) => category.label)).toEqual(['Vélos', 'Accessoires']);
    const categoriesCall = connector.requests.filter((request) => request.path === '/categories').at(-1);
    expect(categoriesCall?.query.get('idWebsite')).toBe(String(websiteId));
    // Signed as Standard Webhooks over the path and query, with the app's signing secret.
    const signed = `${categoriesCall?.headers['webhook-id']}.${categoriesCall?.headers['webhook-timestamp']}.${categoriesCall?.target}`;
    const signature = createHmac('sha256', Buffer.from(signingSecret.slice('whsec_'.length), 'base64'))
      .update(signed)
      .digest('base64');
    expect(categoriesCall?.headers['webhook-signature']).toBe(`v1,${signature}`);
    expect(categoriesCall?.query.get('idConnectorVersion')).toMatch(/^[0-9a-f-]{36}$/);
    const children = await t.api('GET', `/conversation/${conversationId}/app/${installationId}/category?idParent=10`, {
      key,
    });
    expect(children.body.data).toEqual([
      { id: '11', idParent: '10', label: 'Vélos de ville', products: ['1001', '1002'], productsCount: 2 },
    ]);

    const inCategory = await t.api(
      'GET',
      `/conversation/${conversationId}/app/${installationId}/product?idCategory=11&limit=10`,
      { key },
    );
    expect(inCategory.body.data.map((product) => product.title)).toEqual(['Vélo urbain Lyon', 'Vélo urbain Nantes']);
    const asked = connector.requests.length;
    await t.api('GET', `/conversation/${conversationId}/app/${installationId}/product?idCategory=11&limit=10`, { key });
    expect(connector.requests.length).toBe(asked);
    const found = await t.api('GET', `/conversation/${conversationId}/app/${installationId}/product?search=nantes`, {
      key,
    });
    expect(found.body.data.map((product) => product.id)).toEqual(['1002']);
    expect(connector.requests.at(-1)?.query.get('search[default][contains]')).toBe('nantes');
  });

  it('sends a product as a card the history and the message list expose', async () => {
    const product = CONNECTOR_PRODUCTS.find((candidate) => candidate.id === '1001');
    if (product === undefined) throw new Error('the connector catalogue has no product 1001');
    const { categoryId: _category, ...card } = product;
    const sent = await t.api('POST', `/conversation/${conversationId}/product`, {
      key,
      json: { installation_id: installationId, product: card },
    });
    expect(sent.status).toBe(200);
    expect(sent.body.data).toMatchObject({
      type: 1,
      operator_id: operatorId,
      text: 'Vélo urbain Lyon — 449 €\nhttps://shop.example/velo-lyon',
      data: { product: { ...card, installation_id: installationId, app: 'Cyclo CRM' } },
    });
    const listed = await t.api('GET', `/conversation/${conversationId}/message`, { key });
    expect(listed.body.data.at(-1)?.data).toMatchObject({ product: { title: 'Vélo urbain Lyon' } });
    const unsafe = await t.api('POST', `/conversation/${conversationId}/product`, {
      key,
      json: { installation_id: installationId, product: { ...card, productUrl: 'javascript:alert(1)' } },
    });
    expect(unsafe.status).toBe(400);
    expect(unsafe.body.meta.field).toBe('product');
  });

  it("shows the visitor's profile from the connector, asked with the visitor's identifiers", async () => {
    const profile = await t.api('GET', `/conversation/${conversationId}/app/${installationId}/visitor-profile`, {
      key,
    });
    expect(profile.status).toBe(200);
    expect(profile.body.data).toEqual([
      { id: '1', label: 'CRM profile', value: 'https://crm.example/visitors/42', fieldType: 'URL' },
      { id: '2', label: 'CRM tag', value: 'client fidèle (marc@client.example)', fieldType: 'TEXT' },
    ]);
    const call = connector.requests.filter((request) => request.path === '/visitor-profile').at(-1);
    expect(call?.query.get('idVisitorExternal')).toBe('crm-42');
    expect(call?.query.get('operatorLocale')).toBe('en');
    expect(call?.query.get('idVisitorUnique')).toBeTruthy();
  });

  it('answers 502 with a clear message when the connector is broken or slow, and the conversation goes on', async () => {
    try {
      connector.brokenAnswer = {
        status: 200,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify([{ id: '1', label: 'Lien', value: 'javascript:alert(1)', fieldType: 'URL' }]),
      };
      const unsafe = await t.api(
        'GET',
        `/conversation/${conversationId}/app/${installationId}/visitor-profile?operator_locale=fr`,
        { key },
      );
      expect(unsafe.status).toBe(502);
      expect(unsafe.body.meta.message).toContain('Cyclo CRM answered an item (1) not of the expected shape');
      connector.brokenAnswer = undefined;
      connector.delayMs = 4_000;
      const slow = await t.api('GET', `/conversation/${conversationId}/app/${installationId}/category?idParent=20`, {
        key,
      });
      expect(slow.status).toBe(502);
      expect(slow.body.meta.message).toContain('did not answer in time');
    } finally {
      connector.brokenAnswer = undefined;
      connector.delayMs = 0;
    }
    const message = await t.api('POST', `/conversation/${conversationId}/message`, {
      key,
      json: { type: 'operator', text: 'Je regarde pour vous.' },
    });
    expect(message.status).toBe(200);
  });

  it('closes with the app’s form: required fields enforced, answers kept and sent in conversation.closed', async () => {
    const form = await t.api('GET', `/conversation/${conversationId}/app/${installationId}/closing-form`, { key });
    expect(form.body.data.map((field) => [field.id, field.idParent, field.fieldType, field.isRequired])).toEqual([
      ['1', null, 'CHECKBOX', true],
      ['2', '1', 'TEXT', true],
      ['3', '1', 'TEXT', false],
    ]);
    const missing = await t.api('POST', `/conversation/${conversationId}/closing`, {
      key,
      json: { installation_id: installationId, answers: { '1': true, '3': 'rouge' } },
    });
    expect(missing.status).toBe(400);
    expect(missing.body.meta.field).toBe('closing[answers][2]');
    expect((await t.api('GET', `/conversation/${conversationId}`, { key })).body.data.status).not.toBe('closed');
    const unknown = await t.api('POST', `/conversation/${conversationId}/closing`, {
      key,
      json: { installation_id: installationId, answers: { '9': 'x' } },
    });
    expect(unknown.body.meta.field).toBe('closing[answers][9]');

    const closed = await t.api('POST', `/conversation/${conversationId}/closing`, {
      key,
      json: { installation_id: installationId, answers: { '1': true, '2': 'Cyclo', '3': 'rouge' } },
    });
    expect(closed.status).toBe(200);
    const read = await t.api('GET', `/conversation/${conversationId}`, { key });
    const answers = {
      installation_id: installationId,
      app: 'Cyclo CRM',
      answers: [
        { id: '1', label: 'create a salesforce ticket', value: 'true' },
        { id: '2', label: 'Brand name', value: 'Cyclo' },
        { id: '3', label: 'Color', value: 'rouge' },
      ],
    };
    expect(read.body.data).toMatchObject({ status: 'closed', closing_answers: answers });
    const [delivery] = await receiver.waitFor(1, 15_000);
    expect(JSON.parse(delivery?.body ?? '{}')).toMatchObject({
      eventType: 'conversation.closed',
      conversationId,
      closingAnswers: answers,
    });
    const again = await t.api('POST', `/conversation/${conversationId}/closing`, {
      key,
      json: { installation_id: installationId, answers: { '1': false } },
    });
    expect(again.status).toBe(409);
  });

  it('keeps only the answers of fields shown: an unchecked parent hides its required children', async () => {
    const other = (
      await t.api('POST', '/conversation', { key, json: { website_id: websiteId, operator_id: operatorId } })
    ).body.data.id;
    const closed = await t.api('POST', `/conversation/${other}/closing`, {
      key,
      json: { installation_id: installationId, answers: { '1': false, '3': 'ignoré' } },
    });
    expect(closed.status).toBe(200);
    expect((await t.api('GET', `/conversation/${other}`, { key })).body.data.closing_answers).toMatchObject({
      answers: [{ id: '1', value: 'false' }],
    });
  });
});
