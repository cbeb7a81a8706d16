// Test kit of the developer platform (issue 21): a logged-in developer, and an app built, approved and installed.
import type { FakeConnector } from '@causerie/test-support/fakes/connector';
import { ADMIN_KEY, type TestApp } from './harness.js';

/** Invites a developer as the platform admin, sets their password and logs them in: their `dvs_` token. */
export async function developerSession(t: TestApp, email: string, company = 'Connecteurs SAS'): Promise<string> {
  const invited = await t.api('POST', '/developer', { key: ADMIN_KEY, json: { email, name: 'Léa Martin', company } });
  if (invited.status !== 200) throw new Error(`invite failed: ${JSON.stringify(invited.body)}`);
  const token = (invited.body.data.invitation as { token: string }).token;
  const password = 'un-long-mot-de-passe';
  const post = (url: string, payload: object) => t.app.inject({ method: 'POST', url, payload });
  await post('/auth/developer/activation', { token, password });
  const login = await post('/auth/developer/login', { email, password });
  return String(login.json<{ data: { token: string } }>().data.token);
}

/** The app definition of the seed's three interactions and two verified steps, against a fake connector. */
export function connectorApp(connector: FakeConnector, name = 'Cyclo CRM') {
  return {
    name,
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
  };
}

/** Builds the app as the developer, approves it as the platform admin and installs it for the client. */
export async function installedApp(
  t: TestApp,
  developerToken: string,
  clientKey: string,
  definition: Record<string, unknown>,
  extra: { webhooks?: Array<Record<string, unknown>>; websiteIds?: number[] } = {},
): Promise<{ appId: number; installationId: number }> {
  const headers = { authorization: `Bearer ${developerToken}` };
  const created = await t.api('POST', '/app', { headers, json: definition });
  if (created.status !== 200) throw new Error(`app create failed: ${JSON.stringify(created.body)}`);
  const appId = created.body.data.id;
  for (const webhook of extra.webhooks ?? []) await t.api('POST', `/app/${appId}/webhook`, { headers, json: webhook });
  await t.api('POST', `/app/${appId}/submission`, { headers, json: { version: '1.0.0' } });
  await t.api('POST', `/app/${appId}/review`, { key: ADMIN_KEY, json: { decision: 'approved' } });
  const installed = await t.api('POST', '/installation', {
    key: clientKey,
    json: {
      app_id: appId,
      ...(extra.websiteIds !== undefined && { website_id: extra.websiteIds }),
      authentication: { field_login: 'boutique-lyon', field_password: 'p4ssw0rd-lyon' },
      settings: { field_currency: 'EUR' },
    },
  });
  if (installed.status !== 200) throw new Error(`install failed: ${JSON.stringify(installed.body)}`);
  return { appId, installationId: installed.body.data.id };
}
