// The developer area's calls: the developer's own sign-in (/auth/developer/…, outside /api/2) and their apps, webhooks,
// submissions and versions on /api/2 with the `dvs_…` bearer token (docs/APPS.md). Every call goes through the SDK.
import { type CauserieClient, createCauserieClient, unwrap } from '@causerie/sdk/client';
import type { DeveloperSession } from './logic';

const baseUrl = (): string => window.location.origin;
const anonymous = (): CauserieClient => createCauserieClient({ baseUrl: baseUrl() });

/** The SDK client of a developer's session; `onRefused` runs when the server no longer takes the token (401). */
export function developerClient(token: string, onRefused: () => void): CauserieClient {
  const client = createCauserieClient({ baseUrl: baseUrl(), token });
  client.use({
    onResponse({ response }) {
      if (response.status === 401) onRefused();
    },
  });
  return client;
}

/** Sets the password of an invited developer with the token of their invitation link. */
export async function activate(token: string, password: string): Promise<void> {
  await unwrap(anonymous().POST('/auth/developer/activation', { body: { token, password } }));
}

export async function login(email: string, password: string): Promise<DeveloperSession> {
  const answer = (await unwrap(anonymous().POST('/auth/developer/login', { body: { email, password } }))).data;
  return { token: answer.token, developerId: answer.developer_id, expiresAt: answer.expires_at };
}

/** Ends the session on the server, best effort (the tab forgets it anyway). */
export async function logout(token: string): Promise<void> {
  await createCauserieClient({ baseUrl: baseUrl(), token })
    .POST('/auth/developer/logout', {})
    .catch(() => undefined);
}

export const listApps = async (client: CauserieClient) =>
  (await unwrap(client.GET('/api/2/app', { params: { query: { full: '1', limit: 100 } } }))).data;

export const getApp = async (client: CauserieClient, id: number) =>
  (await unwrap(client.GET('/api/2/app/{id}', { params: { path: { id } } }))).data;

export type App = Awaited<ReturnType<typeof getApp>>;

/**
 * Creates or changes an app with the body as the developer typed it: the server judges it and names the wrong field
 * (so its type is the server's, not the compiler's).
 */
export const createApp = async (client: CauserieClient, body: Readonly<Record<string, unknown>>) =>
  (await unwrap(client.POST('/api/2/app', { body: body as { name: string } }))).data;

export const updateApp = async (client: CauserieClient, id: number, body: Readonly<Record<string, unknown>>) =>
  (await unwrap(client.PUT('/api/2/app/{id}', { params: { path: { id } }, body: body as { name?: string } }))).data;

export const deleteApp = async (client: CauserieClient, id: number): Promise<void> => {
  await unwrap(client.DELETE('/api/2/app/{id}', { params: { path: { id } } }));
};

export const listWebhooks = async (client: CauserieClient, id: number) =>
  (await unwrap(client.GET('/api/2/app/{id}/webhook', { params: { path: { id } } }))).data;

export type AppWebhook = Awaited<ReturnType<typeof listWebhooks>>[number];

export const addWebhook = async (
  client: CauserieClient,
  id: number,
  body: {
    name: string;
    url: string;
    content_type: 'application/json' | 'application/x-www-form-urlencoded';
    events: string[];
  },
) => (await unwrap(client.POST('/api/2/app/{id}/webhook', { params: { path: { id } }, body }))).data;

export const removeWebhook = async (client: CauserieClient, id: number, webhookId: number): Promise<void> => {
  await unwrap(client.DELETE('/api/2/app/{id}/webhook/{webhookId}', { params: { path: { id, webhookId } } }));
};

export const submit = async (client: CauserieClient, id: number, version: string) =>
  (await unwrap(client.POST('/api/2/app/{id}/submission', { params: { path: { id } }, body: { version } }))).data;

export const listVersions = async (client: CauserieClient, id: number) =>
  (await unwrap(client.GET('/api/2/app/{id}/version', { params: { path: { id } } }))).data;

export type AppVersion = Awaited<ReturnType<typeof listVersions>>[number];
