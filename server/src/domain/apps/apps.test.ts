// Issue 21's developer platform through the API, on SQLite and PostgreSQL, against a connector server that speaks
// seed 003's contract: a developer invited by the platform admin builds an app (fields, verification URLs, the three
// interactions, a webhook), submits it, the admin refuses then approves it; a client sees it in its marketplace,
// installs it (first with a password the connector refuses: 422 with the connector's per-field message, nothing
// installed; then valid), the app receives its API key and a signed `connector.installed`; uninstalling revokes the
// key and retires the app's webhooks, which receive that uninstallation's `connector.uninstalled` and nothing after.
import { FakeConnector } from '@causerie/test-support/fakes/connector';
import { type Receiver, startReceiver } from '@causerie/test-support/webhook-receiver';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectorApp, installedApp } from '../../test/apps.js';
import { ADMIN_KEY, clientWithKey, startTestApp, type TestApp } from '../../test/harness.js';
import { until } from '../../test/messaging.js';

let t: TestApp;
let connector: FakeConnector;
let appReceiver: Receiver;
let clientReceiver: Receiver;
let client: { clientId: number; key: string };
let otherClient: { clientId: number; key: string };
let websiteId: number;
let developerToken: string;
let appId: number;
let securityToken: string;

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const asDeveloper = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, json?: unknown) =>
  t.api(method, path, { headers: bearer(developerToken), ...(json !== undefined && { json }) });

async function auth(path: string, json: unknown) {
  const answer = await t.app.inject({ method: 'POST', url: `/auth/developer${path}`, payload: json as object });
  return {
    status: answer.statusCode,
    body: answer.json<{ meta: { message?: string; field?: string }; data: Record<string, unknown> }>(),
  };
}

beforeAll(async () => {
  t = await startTestApp({ webhookTimeScale: 0.001 });
  connector = await new FakeConnector().start();
  appReceiver = await startReceiver('/app-hook');
  clientReceiver = await startReceiver('/client-hook');
  client = await clientWithKey(t, 'Cycles Lyon');
  otherClient = await clientWithKey(t, 'Autre Boutique');
  websiteId = (await t.api('POST', '/website', { key: client.key, json: { url: 'https://cycles-lyon.example' } })).body
    .data.id;
  await t.api('POST', '/website', { key: otherClient.key, json: { url: 'https://autre.example' } });
});
afterAll(async () => {
  await t.close();
  await connector.stop();
  await appReceiver.close();
  await clientReceiver.close();
});

describe('developer accounts', () => {
  it('are invited by the platform admin, choose a password with the link, and log in', async () => {
    expect((await t.api('POST', '/developer', { key: client.key, json: { email: 'x@y.fr', name: 'X' } })).status).toBe(
      403,
    );
    const invited = await t.api('POST', '/developer', {
      key: ADMIN_KEY,
      json: { email: 'lea@connecteurs.example', name: 'Léa Martin', company: 'Connecteurs SAS' },
    });
    expect(invited.status).toBe(200);
    expect(invited.body.data).toMatchObject({ email: 'lea@connecteurs.example', state: 'invited' });
    const invitation = invited.body.data.invitation as { token: string; link: string };
    expect(invitation.link).toBe(`http://localhost:8080/admin/developer/activate#token=${invitation.token}`);
    // The same email twice is a conflict, named.
    const again = await t.api('POST', '/developer', {
      key: ADMIN_KEY,
      json: { email: 'LEA@connecteurs.example', name: 'L' },
    });
    expect(again.status).toBe(409);
    expect(again.body.meta.field).toBe('email');

    const short = await auth('/activation', { token: invitation.token, password: 'court' });
    expect(short.status).toBe(400);
    expect(short.body.meta.field).toBe('password');
    expect((await auth('/activation', { token: 'not-the-token', password: 'un-long-mot-de-passe' })).status).toBe(400);
    expect((await auth('/activation', { token: invitation.token, password: 'un-long-mot-de-passe' })).status).toBe(200);
    // Used up.
    expect((await auth('/activation', { token: invitation.token, password: 'un-autre-mot-de-passe' })).status).toBe(
      400,
    );

    expect((await auth('/login', { email: 'lea@connecteurs.example', password: 'mauvais-mot-de-passe' })).status).toBe(
      401,
    );
    const login = await auth('/login', { email: 'Lea@Connecteurs.example', password: 'un-long-mot-de-passe' });
    expect(login.status).toBe(200);
    developerToken = String(login.body.data.token);
    expect(developerToken).toMatch(/^dvs_/);
    // A developer session reads no client's data.
    expect((await asDeveloper('GET', '/website')).status).toBe(403);
    expect((await asDeveloper('GET', '/conversation')).status).toBe(403);
  });
});

describe('apps', () => {
  it('are built by their developer with fields, verification URLs, interactions and webhooks, checked field by field', async () => {
    const duplicate = await asDeveloper('POST', '/app', {
      name: 'Cyclo CRM',
      authentication: { fields: [{ id: 'field_login', label: 'Login', type: 'TEXT' }] },
      settings: { fields: [{ id: 'field_login', label: 'Again', type: 'TEXT' }] },
    });
    expect(duplicate.status).toBe(400);
    expect(duplicate.body.meta.field).toBe('settings[fields][0][id]');
    const badType = await asDeveloper('POST', '/app', {
      name: 'Cyclo CRM',
      authentication: { fields: [{ id: 'field_login', label: 'Login', type: 'DATE' }] },
    });
    expect(badType.status).toBe(400);
    expect(badType.body.meta.field).toContain('authentication');
    const privateUrl = await asDeveloper('POST', '/app', {
      name: 'Cyclo CRM',
      interactions: { visitor_profile: { url: 'http://10.1.2.3/profile' } },
    });
    expect(privateUrl.status).toBe(400);
    expect(privateUrl.body.meta.field).toBe('interactions[visitor_profile][url]');
    // Client keys do not build apps.
    expect((await t.api('POST', '/app', { key: client.key, json: { name: 'X' } })).status).toBe(403);

    const created = await asDeveloper('POST', '/app', {
      name: 'Cyclo CRM',
      description: 'Votre CRM et votre catalogue dans la console.',
      price: 9.9,
      links: { website: 'https://connecteurs.example' },
      authentication: {
        fields: [
          { id: 'field_login', label: 'Login', type: 'TEXT' },
          { id: 'field_password', label: 'Mot de passe', type: 'PASSWORD' },
        ],
        verification_url: connector.authenticationUrl,
      },
      settings: {
        fields: [
          { id: 'field_currency', label: 'Devise', type: 'TEXT' },
          { id: 'field_sync', label: 'Synchroniser les contacts', type: 'CHECKBOX' },
        ],
        verification_url: connector.settingsUrl,
      },
      interactions: {
        product_list: { catalogue_url: `${connector.url}/products`, categories_url: `${connector.url}/categories` },
        visitor_profile: { url: `${connector.url}/visitor-profile` },
        conversation_closing: { url: `${connector.url}/closing` },
      },
    });
    expect(created.status).toBe(200);
    appId = created.body.data.id;
    expect(created.body.data).toMatchObject({
      name: 'Cyclo CRM',
      status: 'sandbox',
      price: 9.9,
      privacy: 'public',
      published_version: null,
    });
    expect(String(created.body.data.connector_id)).toMatch(/^[0-9a-f-]{36}$/);

    const webhook = await asDeveloper('POST', `/app/${appId}/webhook`, {
      name: 'Installations',
      url: `${appReceiver.url}`,
      events: ['connector.installed', 'connector.uninstalled', 'conversation.closed'],
    });
    expect(webhook.status).toBe(200);
    securityToken = String(webhook.body.data.security_token);
    expect(securityToken).toMatch(/^whsec_/);
    const unknownEvent = await asDeveloper('POST', `/app/${appId}/webhook`, { url: appReceiver.url, events: ['nope'] });
    expect(unknownEvent.status).toBe(400);
    expect(unknownEvent.body.meta.field).toBe('events');
  });

  it('stay out of the marketplace until a version is approved; review is the platform admin’s', async () => {
    const shelf = await t.api('GET', '/marketplace', { key: client.key });
    expect(shelf.status).toBe(200);
    expect(shelf.body.data.map((entry) => entry.id)).not.toContain(appId);
    // Neither clients nor developers read others' apps.
    expect((await t.api('GET', `/app/${appId}`, { key: client.key })).status).toBe(403);

    const submitted = await asDeveloper('POST', `/app/${appId}/submission`, { version: '1.0.0' });
    expect(submitted.status).toBe(200);
    expect(submitted.body.data).toMatchObject({ version: '1.0.0', status: 'under_review' });
    expect((await asDeveloper('GET', `/app/${appId}`)).body.data.status).toBe('under_review');
    const frozen = await asDeveloper('PUT', `/app/${appId}`, { price: 0 });
    expect(frozen.status).toBe(409);
    expect(frozen.body.meta.message).toContain('under review');
    const frozenHook = await asDeveloper('POST', `/app/${appId}/webhook`, { url: appReceiver.url, events: ['*'] });
    expect(frozenHook.status).toBe(409);
    expect((await asDeveloper('POST', `/app/${appId}/review`, { decision: 'approved' })).status).toBe(403);

    const noReason = await t.api('POST', `/app/${appId}/review`, { key: ADMIN_KEY, json: { decision: 'refused' } });
    expect(noReason.status).toBe(400);
    expect(noReason.body.meta.field).toBe('reason');
    const refused = await t.api('POST', `/app/${appId}/review`, {
      key: ADMIN_KEY,
      json: { decision: 'refused', reason: 'Le logo manque.' },
    });
    expect(refused.body.data).toMatchObject({ status: 'sandbox', review_reason: 'Le logo manque.' });
    expect(
      (await asDeveloper('PUT', `/app/${appId}`, { logo_url: 'https://connecteurs.example/logo.png' })).status,
    ).toBe(200);
    // A version number is submitted once.
    const reused = await asDeveloper('POST', `/app/${appId}/submission`, { version: '1.0.0' });
    expect(reused.status).toBe(409);
    expect(reused.body.meta.field).toBe('version');
    expect((await asDeveloper('POST', `/app/${appId}/submission`, { version: '1.0.1' })).status).toBe(200);
    const approved = await t.api('POST', `/app/${appId}/review`, { key: ADMIN_KEY, json: { decision: 'approved' } });
    expect(approved.body.data).toMatchObject({ status: 'published', published_version: { version: '1.0.1' } });
    const versions = await asDeveloper('GET', `/app/${appId}/version`);
    expect(versions.body.data.map((version) => [version.version, version.status])).toEqual([
      ['1.0.1', 'published'],
      ['1.0.0', 'refused'],
    ]);

    const listed = await t.api('GET', '/marketplace', { key: client.key });
    const entry = listed.body.data.find((candidate) => candidate.id === appId);
    expect(entry).toMatchObject({
      name: 'Cyclo CRM',
      developer: 'Connecteurs SAS',
      version: '1.0.1',
      price: 9.9,
      interactions: ['product_list', 'visitor_profile', 'conversation_closing'],
      installation_id: null,
    });
    expect(
      (entry?.authentication as { fields: Array<{ id: string }> } | undefined)?.fields.map((field) => field.id),
    ).toEqual(['field_login', 'field_password']);
    // Verification URLs are the developer's business, not the installer's.
    expect(JSON.stringify(entry)).not.toContain('/verify/');
  });

  it('private apps are seen only by the clients granted', async () => {
    const created = await asDeveloper('POST', '/app', {
      name: 'Outil maison',
      description: 'Pour un seul client.',
      privacy: 'private',
      client_ids: [otherClient.clientId],
    });
    const privateId = created.body.data.id;
    await asDeveloper('POST', `/app/${privateId}/submission`, { version: '1' });
    await t.api('POST', `/app/${privateId}/review`, { key: ADMIN_KEY, json: { decision: 'approved' } });
    const mine = (await t.api('GET', '/marketplace', { key: client.key })).body.data.map((entry) => entry.id);
    const theirs = (await t.api('GET', '/marketplace', { key: otherClient.key })).body.data.map((entry) => entry.id);
    expect(mine).not.toContain(privateId);
    expect(theirs).toContain(privateId);
    const refused = await t.api('POST', '/installation', { key: client.key, json: { app_id: privateId } });
    expect(refused.status).toBe(404);
  });
});

describe('installation', () => {
  it('shows the connector’s refusal field by field and installs nothing', async () => {
    const subscribed = await t.api('POST', '/webhook', {
      key: client.key,
      json: { url: clientReceiver.url, events: ['connector.installed', 'connector.uninstalled'] },
    });
    expect(subscribed.status).toBe(200);
    const missing = await t.api('POST', '/installation', {
      key: client.key,
      json: { app_id: appId, authentication: { field_login: 'boutique-lyon' } },
    });
    expect(missing.status).toBe(400);
    expect(missing.body.meta.field).toBe('authentication[field_password]');

    const wrong = await t.api('POST', '/installation', {
      key: client.key,
      json: {
        app_id: appId,
        website_id: [websiteId],
        authentication: { field_login: 'boutique-lyon', field_password: 'faux' },
        settings: { field_currency: 'EUR' },
      },
    });
    expect(wrong.status).toBe(422);
    expect(wrong.body.meta).toMatchObject({
      status: 'fail',
      error: 'verification_refused',
      field: 'authentication[field_password]',
    });
    expect(wrong.body.data).toMatchObject({
      step: 'authentication',
      fields: [{ id: 'field_password', field: 'authentication[field_password]', message: 'password is not valid' }],
    });
    // Signed with the app's signing secret, as Standard Webhooks are: any of their libraries verifies it.
    const call = connector.verifications.at(-1);
    const signingSecret = String((await asDeveloper('GET', `/app/${appId}`)).body.data.signing_secret);
    expect(signingSecret).toMatch(/^whsec_/);
    const headers = Object.fromEntries(
      Object.entries(call?.headers ?? {}).map(([name, value]) => [name, String(value)]),
    );
    expect(new Webhook(signingSecret).verify(JSON.stringify(call?.values), headers)).toEqual(call?.values);
    expect(() => new Webhook(securityToken).verify(JSON.stringify(call?.values), headers)).toThrow();
    // The seed's request payload reached the verification URL.
    expect(connector.verifications.at(-1)?.values).toEqual([
      { id: 'field_login', value: 'boutique-lyon', fieldType: 'TEXT' },
      { id: 'field_password', value: 'faux', fieldType: 'PASSWORD' },
    ]);
    expect((await t.api('GET', '/installation', { key: client.key })).body.data).toEqual([]);
    const webhooks = await t.store.db
      .selectFrom('webhook')
      .select('id')
      .where('installation_id', 'is not', null)
      .execute();
    expect(webhooks).toEqual([]);

    // The wizard's step check says the same without installing.
    const step = await t.api('POST', '/installation/verification', {
      key: client.key,
      json: { app_id: appId, step: 'settings', values: { field_currency: 'USD' } },
    });
    expect(step.status).toBe(422);
    expect(step.body.data).toMatchObject({
      step: 'settings',
      fields: [{ field: 'settings[field_currency]', message: 'EUR or CHF' }],
    });
    const stepOk = await t.api('POST', '/installation/verification', {
      key: client.key,
      json: {
        app_id: appId,
        step: 'authentication',
        values: { field_login: 'boutique-lyon', field_password: 'p4ssw0rd-lyon' },
      },
    });
    expect(stepOk.status).toBe(200);
  });

  it('installs a valid one: the app gets its key and a signed connector.installed; secrets stay sealed', async () => {
    const installed = await t.api('POST', '/installation', {
      key: client.key,
      json: {
        app_id: appId,
        website_id: [websiteId],
        authentication: { field_login: 'boutique-lyon', field_password: 'p4ssw0rd-lyon' },
        settings: { field_currency: 'EUR', field_sync: true },
      },
    });
    expect(installed.status).toBe(200);
    const installation = installed.body.data;
    expect(installation).toMatchObject({
      app_id: appId,
      app_name: 'Cyclo CRM',
      version: '1.0.1',
      website_id: [websiteId],
      values: { field_login: 'boutique-lyon', field_currency: 'EUR', field_sync: 'true' },
      interactions: ['product_list', 'visitor_profile', 'conversation_closing'],
    });
    expect(installation.values).not.toHaveProperty('field_password');
    const stored = await t.store.db
      .selectFrom('app_installation')
      .select('field_values')
      .where('id', '=', installation.id)
      .executeTakeFirstOrThrow();
    expect(stored.field_values).not.toContain('p4ssw0rd-lyon');
    // Installed once.
    expect((await t.api('POST', '/installation', { key: client.key, json: { app_id: appId } })).status).toBe(409);

    // The last verified step carried the app's client-scoped key: it reads this client's data, and only it.
    const settingsCall = connector.verifications.filter((call) => call.step === 'settings').at(-1);
    const appKey = String(settingsCall?.headers['x-causerie-api-key']);
    expect(appKey).toMatch(/^csk_/);
    expect(settingsCall?.headers['x-causerie-connector-version-id']).toBe(installation.connector_version_id);
    const sites = await t.api('GET', '/website', { key: appKey });
    expect(sites.status).toBe(200);
    expect(sites.body.data.map((site) => site.id)).toEqual([websiteId]);

    // connector.installed, signed with the app webhook's security token, in the seed's shape.
    const [delivery] = await appReceiver.waitFor(1, 15_000);
    const body = new Webhook(securityToken).verify(delivery?.body ?? '', delivery?.headers ?? {}) as Record<
      string,
      unknown
    >;
    expect(body).toMatchObject({
      eventType: 'connector.installed',
      websiteId,
      connectorId: installation.connector_id,
      connectorVersionId: installation.connector_version_id,
    });
    expect(typeof body.eventId).toBe('string');
    // The client's own subscription hears it too.
    await clientReceiver.waitFor(1, 15_000);
    const marketplace = await t.api('GET', '/marketplace', { key: client.key });
    expect(marketplace.body.data.find((entry) => entry.id === appId)?.installation_id).toBe(installation.id);
  });

  it('installs an app once per client, even when two installs race', async () => {
    const shop = await clientWithKey(t, `Course ${Math.random().toString(36).slice(2, 8)}`);
    await t.api('POST', '/website', { key: shop.key, json: { url: 'https://course.example' } });
    const name = `Course CRM ${Math.random().toString(36).slice(2, 8)}`;
    const id = (await asDeveloper('POST', '/app', { ...connectorApp(connector, name) })).body.data.id;
    await asDeveloper('POST', `/app/${id}/submission`, { version: '1.0.0' });
    await t.api('POST', `/app/${id}/review`, { key: ADMIN_KEY, json: { decision: 'approved' } });
    const install = () =>
      t.api('POST', '/installation', {
        key: shop.key,
        json: {
          app_id: id,
          authentication: { field_login: 'boutique-lyon', field_password: 'p4ssw0rd-lyon' },
          settings: { field_currency: 'EUR' },
        },
      });
    // A website of another client is refused, naming the field, and nothing is installed.
    const elsewhere = (await t.api('GET', '/website', { key: otherClient.key })).body.data[0]?.id;
    const foreign = await t.api('POST', '/installation', {
      key: shop.key,
      json: {
        app_id: id,
        website_id: [elsewhere],
        authentication: { field_login: 'boutique-lyon', field_password: 'p4ssw0rd-lyon' },
        settings: { field_currency: 'EUR' },
      },
    });
    expect(foreign.status).toBeGreaterThanOrEqual(400);
    expect(foreign.status).toBeLessThan(500);
    expect(foreign.body.meta.field).toBe('website_id');
    expect((await t.api('GET', '/installation', { key: shop.key })).body.data).toEqual([]);

    const answers = await Promise.all([install(), install()]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 409]);
    const refused = answers.find((answer) => answer.status === 409);
    const installed = answers.find((answer) => answer.status === 200);
    expect(refused?.body.meta).toMatchObject({ status: 'fail', field: 'app_id' });
    expect(refused?.body.meta.message).toBe(
      `'${name}' is installed already (installation ${installed?.body.data.id}): change it with PUT /api/2/installation/${installed?.body.data.id}, or uninstall it first.`,
    );
    expect((await t.api('GET', '/installation', { key: shop.key })).body.data).toHaveLength(1);

    // The database holds the rule whatever the code does: a second live installation is refused, an uninstalled
    // one may sit beside the live one.
    const row = await t.store.db
      .selectFrom('app_installation')
      .selectAll()
      .where('id', '=', Number(installed?.body.data.id))
      .executeTakeFirstOrThrow();
    const { id: _id, ...copy } = row;
    await expect(t.store.db.insertInto('app_installation').values(copy).execute()).rejects.toThrow();
    await t.store.db
      .insertInto('app_installation')
      .values({ ...copy, deleted_at: row.created_at })
      .execute();
  });

  it("changes an installation's values and websites after the connector's checks, and only then", async () => {
    const shop = await clientWithKey(t, `Valeurs ${Math.random().toString(36).slice(2, 8)}`);
    const site = async (url: string) =>
      (await t.api('POST', '/website', { key: shop.key, json: { url } })).body.data.id;
    const first = await site('https://valeurs-un.example');
    const second = await site('https://valeurs-deux.example');
    const hooks = await startReceiver('/update-hook');
    try {
      const { installationId } = await installedApp(
        t,
        developerToken,
        shop.key,
        connectorApp(connector, `Valeurs CRM ${Math.random().toString(36).slice(2, 8)}`),
        {
          websiteIds: [first],
          webhooks: [{ name: 'Installs', url: hooks.url, events: ['connector.installed', 'connector.uninstalled'] }],
        },
      );
      await hooks.waitFor(1, 15_000);
      const sealed = async () =>
        (
          await t.store.db
            .selectFrom('app_installation')
            .select('field_values')
            .where('id', '=', installationId)
            .executeTakeFirstOrThrow()
        ).field_values;
      const before = await sealed();
      const put = (json: unknown, key = shop.key) => t.api('PUT', `/installation/${installationId}`, { key, json });

      // Refused by the settings step: 422 per field, nothing changed. Both steps were asked, in order, with the
      // stored password the client never sees.
      const calls = connector.verifications.length;
      const refused = await put({ settings: { field_currency: 'USD' } });
      expect(refused.status).toBe(422);
      expect(refused.body.meta).toMatchObject({ error: 'verification_refused', field: 'settings[field_currency]' });
      expect(refused.body.data).toMatchObject({
        step: 'settings',
        fields: [{ id: 'field_currency', field: 'settings[field_currency]', message: 'EUR or CHF' }],
      });
      const asked = connector.verifications.slice(calls);
      expect(asked.map((call) => call.step)).toEqual(['authentication', 'settings']);
      expect(asked[0]?.values).toEqual([
        { id: 'field_login', value: 'boutique-lyon', fieldType: 'TEXT' },
        { id: 'field_password', value: 'p4ssw0rd-lyon', fieldType: 'PASSWORD' },
      ]);
      expect(asked[1]?.values).toEqual([{ id: 'field_currency', value: 'USD', fieldType: 'TEXT' }]);
      // Refused by the authentication step.
      const wrongPassword = await put({
        authentication: { field_password: 'faux' },
        settings: { field_currency: 'CHF' },
      });
      expect(wrongPassword.status).toBe(422);
      expect(wrongPassword.body.meta.field).toBe('authentication[field_password]');
      // Bad input names its field.
      expect((await put({ settings: { nope: 'x' } })).body.meta.field).toBe('settings[nope]');
      const elsewhere = (await t.api('GET', '/website', { key: otherClient.key })).body.data[0]?.id;
      const foreign = await put({ website_id: [elsewhere] });
      expect(foreign.status).toBeGreaterThanOrEqual(400);
      expect(foreign.status).toBeLessThan(500);
      expect(foreign.body.meta.field).toBe('website_id');
      expect((await put({ settings: { field_currency: 'CHF' } }, otherClient.key)).status).toBe(404);
      expect(await sealed()).toBe(before);
      const unchanged = (await t.api('GET', `/installation/${installationId}`, { key: shop.key })).body.data;
      expect(unchanged).toMatchObject({ values: { field_currency: 'EUR' }, website_id: [first] });

      // Valid: values sealed again (the password kept, never returned), a second website, announced to the app.
      const changed = await put({ settings: { field_currency: 'CHF' }, website_id: [first, second] });
      expect(changed.status).toBe(200);
      expect(changed.body.data).toMatchObject({
        id: installationId,
        values: { field_login: 'boutique-lyon', field_currency: 'CHF' },
        website_id: [first, second],
      });
      expect(changed.body.data.values).not.toHaveProperty('field_password');
      const after = await sealed();
      expect(after).not.toBe(before);
      expect(after).not.toContain('CHF');
      expect(after).not.toContain('p4ssw0rd-lyon');
      const heard = await hooks.waitFor(2, 15_000);
      expect(JSON.parse(heard[1]?.body ?? '{}')).toMatchObject({ eventType: 'connector.installed', websiteId: second });
      const event = await t.store.db
        .selectFrom('event')
        .select('payload')
        .where('type', '=', 'app_installation.updated')
        .where('subject_id', '=', installationId)
        .executeTakeFirstOrThrow();
      expect(JSON.parse(event.payload)).toEqual({
        installationId,
        appId: changed.body.data.app_id,
        websiteIds: [first, second],
        changed: ['field_currency', 'website_id'],
      });
      // The password still opens the connector: the next check sends it as stored.
      const again = await put({ settings: { field_currency: 'EUR' } });
      expect(again.status).toBe(200);
      expect(connector.verifications.filter((call) => call.step === 'authentication').at(-1)?.values).toContainEqual({
        id: 'field_password',
        value: 'p4ssw0rd-lyon',
        fieldType: 'PASSWORD',
      });
    } finally {
      await hooks.close();
    }
  });

  it('keeps the installed version when the developer publishes a change', async () => {
    expect((await asDeveloper('PUT', `/app/${appId}`, { price: 12 })).body.data).toMatchObject({
      status: 'sandbox',
      published_version: { version: '1.0.1' },
    });
    const [installation] = (await t.api('GET', '/installation', { key: client.key })).body.data;
    expect(installation?.version).toBe('1.0.1');
    await asDeveloper('POST', `/app/${appId}/submission`, { version: '1.1.0' });
    await t.api('POST', `/app/${appId}/review`, { key: ADMIN_KEY, json: { decision: 'approved' } });
    expect(
      (await t.api('GET', '/marketplace', { key: client.key })).body.data.find((e) => e.id === appId)?.version,
    ).toBe('1.1.0');
    const [still] = (await t.api('GET', '/installation', { key: client.key })).body.data;
    expect(still?.version).toBe('1.0.1');
  });

  it('uninstalls: the key stops working, the app hears its own connector.uninstalled and nothing after it', async () => {
    const [installation] = (await t.api('GET', '/installation', { key: client.key })).body.data;
    const appKey = String(
      connector.verifications.filter((call) => call.step === 'settings').at(-1)?.headers['x-causerie-api-key'],
    );
    const heardBefore = appReceiver.received.length;
    const appWebhooks = await t.store.db
      .selectFrom('webhook')
      .select('id')
      .where('installation_id', '=', Number(installation?.id))
      .execute();
    expect(appWebhooks).toHaveLength(1);
    // Another client cannot see or remove it.
    expect((await t.api('DELETE', `/installation/${installation?.id}`, { key: otherClient.key })).status).toBe(404);
    expect((await t.api('DELETE', `/installation/${installation?.id}`, { key: client.key })).status).toBe(200);
    expect((await t.api('GET', '/website', { key: appKey })).status).toBe(403);
    // The app's subscription is gone for the client's API...
    const listed = (await t.api('GET', '/webhook', { key: client.key })).body.data.map((webhook) => webhook.id);
    expect(listed).not.toContain(appWebhooks[0]?.id);
    expect((await t.api('GET', `/webhook/${appWebhooks[0]?.id}`, { key: client.key })).status).toBe(404);
    // ...but the app receives its own connector.uninstalled, signed with its webhook's token, in the seed's shape.
    const heard = await appReceiver.waitFor(heardBefore + 1, 15_000);
    const last = heard.at(-1);
    const body = new Webhook(securityToken).verify(last?.body ?? '', last?.headers ?? {}) as Record<string, unknown>;
    expect(body).toMatchObject({
      eventType: 'connector.uninstalled',
      websiteId,
      connectorId: installation?.connector_id,
      connectorVersionId: installation?.connector_version_id,
    });
    expect(typeof body.eventId).toBe('string');
    const received = await until(async () => {
      const all = await clientReceiver.waitFor(2, 15_000);
      const types = all.map((request) => (JSON.parse(request.body) as { eventType: string }).eventType);
      expect(types).toContain('connector.uninstalled');
      return types;
    }, 15_000);
    expect(received).toContain('connector.installed');

    // A later event of the client the app's webhook selected (conversation.closed) reaches the client's own
    // subscription, and the app no more.
    const laterReceiver = await startReceiver('/later-hook');
    try {
      await t.api('POST', '/webhook', {
        key: client.key,
        json: { url: laterReceiver.url, events: ['conversation.closed'] },
      });
      const visitor = await t.api('POST', '/visitor', { key: client.key, json: { firstname: 'Marc' } });
      const conversationId = (
        await t.api('POST', '/conversation', {
          key: client.key,
          json: { website_id: websiteId, visitor_uid: visitor.body.data.unique_id },
        })
      ).body.data.id;
      expect((await t.api('POST', `/conversation/${conversationId}/close`, { key: client.key, json: {} })).status).toBe(
        200,
      );
      const [closed] = await laterReceiver.waitFor(1, 15_000);
      expect(JSON.parse(closed?.body ?? '{}')).toMatchObject({ eventType: 'conversation.closed' });
      await new Promise((resolve) => setTimeout(resolve, 300));
      const appHeard = appReceiver.received
        .slice(heardBefore)
        .map((request) => (JSON.parse(request.body) as { eventType: string }).eventType);
      expect(appHeard).toEqual(['connector.uninstalled']);
    } finally {
      await laterReceiver.close();
    }
    expect((await t.api('GET', '/installation', { key: client.key })).body.data).toEqual([]);
    // An app installed somewhere cannot be deleted; once uninstalled everywhere it can.
    expect((await asDeveloper('DELETE', `/app/${appId}`)).status).toBe(200);
  });

  it('tells the installer when the connector is broken, without installing', async () => {
    const another = await clientWithKey(t, 'Troisième Boutique');
    await t.api('POST', '/website', { key: another.key, json: { url: 'https://trois.example' } });
    const created = await asDeveloper('POST', '/app', {
      name: 'Connecteur fragile',
      description: 'Répond mal.',
      authentication: {
        fields: [{ id: 'field_login', label: 'Login', type: 'TEXT' }],
        verification_url: connector.authenticationUrl,
      },
    });
    const id = created.body.data.id;
    await asDeveloper('POST', `/app/${id}/submission`, { version: '0.1' });
    await t.api('POST', `/app/${id}/review`, { key: ADMIN_KEY, json: { decision: 'approved' } });
    try {
      connector.brokenAnswer = { status: 200, headers: { 'content-type': 'text/html' }, body: '<html>oops</html>' };
      const notJson = await t.api('POST', '/installation', {
        key: another.key,
        json: { app_id: id, authentication: { field_login: 'x' } },
      });
      expect(notJson.status).toBe(502);
      expect(notJson.body.meta.message).toContain('not JSON');
      connector.brokenAnswer = { status: 200, headers: { 'content-type': 'application/json' }, body: '{"valid":true}' };
      const wrongShape = await t.api('POST', '/installation', {
        key: another.key,
        json: { app_id: id, authentication: { field_login: 'x' } },
      });
      expect(wrongShape.status).toBe(502);
      expect(wrongShape.body.meta.message).toContain('isValid');
      connector.brokenAnswer = { status: 503, body: 'down' };
      const down = await t.api('POST', '/installation', {
        key: another.key,
        json: { app_id: id, authentication: { field_login: 'x' } },
      });
      expect(down.status).toBe(502);
      expect(down.body.meta.message).toContain('HTTP 503');
    } finally {
      connector.brokenAnswer = undefined;
    }
    expect((await t.api('GET', '/installation', { key: another.key })).body.data).toEqual([]);
  });
});
