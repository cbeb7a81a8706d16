// The developer platform's browser tests share this kit (issue 21): one world per test file (a demo node, Chromium,
// the connector server of test-support, optionally a webhook receiver), the REST calls the tests make as the platform
// admin, a developer or the demo client, an app definition that uses the connector, the browser contexts of the people
// involved (developer, platform admin, client admin, operator, visitor) and the check that a page's chunk is loaded
// on demand. Names are unique per call so that a retried test never meets the first attempt's developer or app.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { FakeConnector } from '@causerie/test-support/fakes/connector';
import { type Receiver, startReceiver } from '@causerie/test-support/webhook-receiver';
import type { Browser, BrowserContext, FrameLocator, Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { launchBrowser, makeAvailable, openConsole, type RunningServer, startServer } from './harness.js';

const ASSETS = fileURLToPath(new URL('../../console/dist/assets/', import.meta.url));

/** A short random suffix: names and emails made with it do not collide across retries or runs. */
export const uniqueSuffix = (): string => randomBytes(4).toString('hex');

// ——— The world of one test file ———

export interface AppsWorldOptions {
  /** Also start a webhook receiver (test-support's), for apps whose webhooks the test reads. */
  receiver?: boolean;
}

/** Everything a file's tests share, started once by `useAppsWorld` and stopped after its last test. */
export class AppsWorld {
  private started?: { server: RunningServer; browser: Browser; connector: FakeConnector; receiver?: Receiver };
  private readonly contexts: BrowserContext[] = [];
  /** Script errors of every page opened through the world (each test expects none). */
  readonly pageErrors: string[] = [];

  private get parts() {
    if (this.started === undefined) throw new Error('The apps world is used before its beforeAll started it.');
    return this.started;
  }
  get server(): RunningServer {
    return this.parts.server;
  }
  get browser(): Browser {
    return this.parts.browser;
  }
  get connector(): FakeConnector {
    return this.parts.connector;
  }
  get receiver(): Receiver {
    const receiver = this.parts.receiver;
    if (receiver === undefined) throw new Error('This world was started without a webhook receiver.');
    return receiver;
  }
  /** The REST API of the node, as anyone. */
  get api(): Api {
    return new Api(this.server);
  }

  async start(options: AppsWorldOptions): Promise<void> {
    const connector = await new FakeConnector().start();
    const receiver = options.receiver ? await startReceiver('/app-hooks') : undefined;
    const server = await startServer();
    const browser = await launchBrowser();
    this.started = { server, browser, connector, ...(receiver !== undefined && { receiver }) };
  }

  async stop(): Promise<void> {
    for (const context of this.contexts) await context.close().catch(() => undefined);
    await this.started?.browser.close();
    await this.started?.server.stop();
    await this.started?.connector.stop();
    await this.started?.receiver?.close();
  }

  /** A new person's browser: its own context (cookies, storage), its page's script errors collected. */
  async newPage(options: { locale?: string; height?: number; clipboard?: boolean } = {}): Promise<Page> {
    const context = await this.browser.newContext({
      locale: options.locale ?? 'en-US',
      viewport: { width: 1366, height: options.height ?? 820 },
    });
    this.contexts.push(context);
    if (options.clipboard)
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: this.server.url });
    return this.watch(await context.newPage());
  }

  /** The demo's operator (also the client's admin) logged in to the console, connected. */
  async demoConsole(): Promise<Page> {
    const { email, password } = this.server.demo.login;
    const page = await openConsole(this.browser, this.server, email, password);
    this.contexts.push(page.context());
    return this.watch(page);
  }

  /** The demo's operator, available for chats: conversations come to them. */
  async availableOperator(): Promise<Page> {
    const page = await this.demoConsole();
    await makeAvailable(page);
    return page;
  }

  /** A visitor on the demo page who opens the widget and writes `message`. */
  async visitorWrites(message: string): Promise<{ page: Page; widget: FrameLocator }> {
    const page = await this.newPage();
    await page.goto(`${this.server.url}/demo`);
    await page.getByRole('button', { name: 'Open the chat' }).click();
    const widget = page.frameLocator('#causerie-frame');
    await widget.locator('#cz-input').fill(message);
    await widget.locator('#cz-input').press('Enter');
    return { page, widget };
  }

  private watch(page: Page): Page {
    page.on('pageerror', (error) => this.pageErrors.push(error.message));
    return page;
  }
}

/** Registers the file's beforeAll/afterAll and returns the world they start and stop. */
export function useAppsWorld(options: AppsWorldOptions = {}): AppsWorld {
  const world = new AppsWorld();
  beforeAll(() => world.start(options), 120_000);
  afterAll(() => world.stop());
  return world;
}

// ——— The REST API ———

export type Auth = Record<string, string>;
export interface ApiAnswer {
  status: number;
  body: { data?: unknown; meta?: { message?: string; field?: string } };
}

/** REST calls to one node: the platform key, a developer's session, a client's API key. */
export class Api {
  constructor(private readonly server: RunningServer) {}

  get asAdmin(): Auth {
    return { 'x-api-key': this.server.adminKey };
  }
  get asDemoClient(): Auth {
    return { 'x-api-key': this.server.demo.apiKey };
  }
  asDeveloper(token: string): Auth {
    return { authorization: `Bearer ${token}` };
  }

  /** Any call: its status and JSON body, whatever they are. */
  async call(method: string, url: string, auth: Auth, body?: unknown): Promise<ApiAnswer> {
    const response = await fetch(`${this.server.url}${url}`, {
      method,
      headers: { ...auth, ...(body !== undefined && { 'content-type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as ApiAnswer['body'] };
  }

  /** A call that must succeed: its `data`, or an error naming `what` with the status and body. */
  async ok<T>(method: string, url: string, auth: Auth, body?: unknown): Promise<T> {
    const { status, body: answer } = await this.call(method, url, auth, body);
    if (status !== 200) throw new Error(`${method} ${url}: ${status} ${JSON.stringify(answer)}`);
    return answer.data as T;
  }

  /** The demo client's installations. */
  installations(): Promise<
    Array<{
      id: number;
      client_id: number;
      app_id: number;
      website_id: number[];
      connector_id: string;
      connector_version_id: string;
    }>
  > {
    return this.ok('GET', '/api/2/installation', this.asDemoClient);
  }

  /** Removes every app the demo client installed: a retried test starts as the first attempt did. */
  async uninstallEverything(): Promise<void> {
    for (const installation of await this.installations())
      await this.ok('DELETE', `/api/2/installation/${installation.id}`, this.asDemoClient);
  }
}

// ——— Developers and apps through the API ———

export interface DeveloperIdentity {
  email: string;
  name: string;
  company: string;
}
export interface Developer extends DeveloperIdentity {
  password: string;
  /** The session token of `/auth/developer/login`. */
  token: string;
  auth: Auth;
}

export const DEVELOPER_PASSWORD = 'un-long-mot-de-passe';

/** A developer identity unique to this call (email and name carry the suffix). */
export function newDeveloperIdentity(suffix = uniqueSuffix()): DeveloperIdentity {
  return { email: `lea-${suffix}@connecteurs.example`, name: `Léa Martin ${suffix}`, company: 'Cyclo SAS' };
}

/** The platform admin invites a developer: the invitation's token and link. */
export function inviteDeveloper(
  api: Api,
  identity: Partial<DeveloperIdentity> & { email: string; name: string },
): Promise<{ invitation: { token: string; link: string } }> {
  return api.ok('POST', '/api/2/developer', api.asAdmin, identity);
}

/** The developer sets their password with the invitation's token and logs in: their session. */
export async function activateDeveloper(api: Api, invitationToken: string, email: string): Promise<string> {
  await api.ok('POST', '/auth/developer/activation', {}, { token: invitationToken, password: DEVELOPER_PASSWORD });
  const session = await api.ok<{ token: string }>(
    'POST',
    '/auth/developer/login',
    {},
    { email, password: DEVELOPER_PASSWORD },
  );
  return session.token;
}

/** Invited by the platform admin, activated, logged in, all through the API. */
export async function newDeveloper(api: Api, identity = newDeveloperIdentity()): Promise<Developer> {
  const invited = await inviteDeveloper(api, identity);
  const token = await activateDeveloper(api, invited.invitation.token, identity.email);
  return { ...identity, password: DEVELOPER_PASSWORD, token, auth: api.asDeveloper(token) };
}

/** The fields of the Cyclo CRM app, which FakeConnector verifies. */
export const CYCLO_AUTHENTICATION_FIELDS = [
  { id: 'field_login', label: 'Shop login', type: 'TEXT' },
  { id: 'field_password', label: 'Shop password', type: 'PASSWORD' },
];
export const CYCLO_SETTINGS_FIELDS = [{ id: 'field_currency', label: 'Currency', type: 'TEXT' }];

/** The connector's URLs for each interaction, as an app definition names them. */
export function connectorInteractions(connector: FakeConnector) {
  return {
    product_list: { catalogue_url: `${connector.url}/products`, categories_url: `${connector.url}/categories` },
    visitor_profile: { url: `${connector.url}/visitor-profile` },
    conversation_closing: { url: `${connector.url}/closing` },
  };
}

/** An app definition (`POST /api/2/app`) backed by the connector: its two field lists and all three interactions. */
export function cycloApp(connector: FakeConnector, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'Cyclo CRM',
    description: 'Your CRM and your catalogue in the console.',
    price: 4.9,
    authentication: { fields: CYCLO_AUTHENTICATION_FIELDS, verification_url: connector.authenticationUrl },
    settings: { fields: CYCLO_SETTINGS_FIELDS, verification_url: connector.settingsUrl },
    interactions: connectorInteractions(connector),
    ...overrides,
  };
}

/** The developer creates the app and submits `version`: its id. */
export async function submittedApp(
  api: Api,
  developer: Developer,
  definition: Record<string, unknown>,
  version = '1.0.0',
): Promise<number> {
  const app = await api.ok<{ id: number }>('POST', '/api/2/app', developer.auth, definition);
  await api.ok('POST', `/api/2/app/${app.id}/submission`, developer.auth, { version });
  return app.id;
}

/** Created, submitted and approved by the platform admin: published, in the marketplace. */
export async function publishedApp(api: Api, developer: Developer, definition: Record<string, unknown>) {
  const id = await submittedApp(api, developer, definition);
  await api.ok('POST', `/api/2/app/${id}/review`, api.asAdmin, { decision: 'approved' });
  return id;
}

/** The demo client installs the app with the values the connector accepts: the installation's id. */
export async function installedApp(api: Api, connector: FakeConnector, appId: number): Promise<number> {
  const installation = await api.ok<{ id: number }>('POST', '/api/2/installation', api.asDemoClient, {
    app_id: appId,
    authentication: { field_login: connector.acceptedLogin.login, field_password: connector.acceptedLogin.password },
    settings: { field_currency: 'EUR' },
  });
  return installation.id;
}

// ——— Pages ———

/** The partner area signed in with the platform key. */
export async function signInAsPlatformAdmin(page: Page, server: RunningServer): Promise<void> {
  await page.goto(`${server.url}/admin/partner`);
  await page.getByLabel('API key').fill(server.adminKey);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('partner-scope').filter({ hasText: 'Signed in with the platform key' }).waitFor();
}

/** The `Field n id/label/type` inputs of one step's list in the developer area's app form. */
export function fieldInputs(page: Page, step: 'authentication' | 'settings', n: number) {
  const list = page.getByTestId(`step-${step}`);
  return {
    id: list.getByLabel(`Field ${n} id`),
    label: list.getByLabel(`Field ${n} label`),
    type: list.getByLabel(`Field ${n} type`),
  };
}

/** The id of the conversation a console list item stands for (`data-testid="conversation-<id>"`). */
export async function conversationIdOf(item: ReturnType<Page['getByTestId']>): Promise<number> {
  return Number((await item.getAttribute('data-testid'))?.replace('conversation-', ''));
}

// ——— Bundles ———

/**
 * The console chunks matching `pattern` exist, are not in index.html (loaded on demand) and weigh less than
 * `maxGzipBytes` gzipped together.
 */
export function expectChunkOnDemand(pattern: RegExp, maxGzipBytes: number): void {
  const html = fs.readFileSync(path.join(ASSETS, '..', 'index.html'), 'utf8');
  const chunks = fs.readdirSync(ASSETS).filter((name) => pattern.test(name));
  expect(chunks.length).toBeGreaterThan(0);
  for (const name of chunks) expect(html.includes(name)).toBe(false);
  const gzipped = chunks.reduce(
    (sum, name) => sum + gzipSync(fs.readFileSync(path.join(ASSETS, name)), { level: 9 }).length,
    0,
  );
  expect(gzipped).toBeLessThan(maxGzipBytes);
}
