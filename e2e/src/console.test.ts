// The agent console in Chromium: password and SSO login (with backto, refusing open redirects), roles, admin pages, French, tablet layout, and user content rendered as text.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoApi, launchBrowser, type RunningServer, shot, startServer } from './harness.js';

let server: RunningServer;
let browser: Browser;
const contexts: BrowserContext[] = [];

interface OperatorRow {
  id: number;
  name: string;
  email: string;
  sso_key: string;
  roles: string[];
}

const api = demoApi(() => server);

/** The operator with this email, with a freshly issued SSO key: reads never carry one (it is shown once). */
async function operatorByEmail(email: string): Promise<OperatorRow> {
  const operators = await api<Omit<OperatorRow, 'sso_key'>[]>('GET', '/operator?full=1');
  const found = operators.find((operator) => operator.email === email);
  if (!found) throw new Error(`no operator ${email}`);
  const issued = await api<{ sso_key: string }>('POST', `/operator/${found.id}/sso_key`);
  return { ...found, sso_key: issued.sso_key };
}

async function newPage(options: { locale?: string; viewport?: { width: number; height: number } } = {}): Promise<Page> {
  const context = await browser.newContext({
    locale: options.locale ?? 'en-US',
    viewport: options.viewport ?? { width: 1366, height: 800 },
  });
  contexts.push(context);
  return context.newPage();
}

async function passwordLogin(page: Page, email: string, password: string, path = '/admin/'): Promise<void> {
  await page.goto(`${server.url}${path}`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
}

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
});
afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
  await server?.stop();
});

describe('password login', () => {
  it('refuses a wrong password with a message, then opens the agent view', async () => {
    const page = await newPage();
    await passwordLogin(page, server.demo.login.email, 'not-the-password');
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('Email or password is not correct.');
    await shot(page, 'login-refused');
    await page.getByLabel('Password').fill(server.demo.login.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByTestId('me').waitFor();
    expect(await page.getByTestId('me').textContent()).toBe('Ada');
    await page.getByTestId('connection').filter({ hasText: 'Connected' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/admin/');
    await shot(page, 'agent-view');
    // Logging out ends the session on the server too.
    const token = await page.evaluate(
      () => JSON.parse(localStorage.getItem('causerie.console.session') ?? '{}').token as string,
    );
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('heading', { name: 'Log in to the console' }).waitFor();
    const after = await fetch(`${server.url}/auth/session`, { headers: { authorization: `Bearer ${token}` } });
    expect(after.status).toBe(401);
  });

  it('comes back to a deep link after login', async () => {
    const page = await newPage();
    await passwordLogin(page, server.demo.login.email, server.demo.login.password, '/admin/websites');
    await page.getByRole('heading', { name: 'Websites' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/admin/websites');
  });
});

describe('a session ended elsewhere', () => {
  it('sends the console back to login (error id forbidden), coming back to the same page after', async () => {
    const page = await newPage();
    await passwordLogin(page, server.demo.login.email, server.demo.login.password, '/admin/websites');
    await page.getByRole('heading', { name: 'Websites' }).waitFor();
    // The page's own calls (the operator's name, the list) must be answered first: one refused after the logout
    // below would send the console to login with backto=/admin/websites before the click on Groups.
    await page.getByTestId('me').waitFor();
    await page.waitForLoadState('networkidle');
    // The operator logs out in another tab: this tab's token is refused from then on.
    const token = await page.evaluate(() => JSON.parse(localStorage.getItem('causerie.console.session') ?? '{}').token);
    const ended = await fetch(`${server.url}/auth/logout`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(ended.status).toBe(200);
    await page.getByRole('link', { name: 'Groups' }).click();
    await page.getByRole('button', { name: 'Log in' }).waitFor();
    expect(`${new URL(page.url()).pathname}${new URL(page.url()).search}`).toBe(
      '/admin/login?backto=%2Fadmin%2Fgroups',
    );
    await page.getByLabel('Email').fill(server.demo.login.email);
    await page.getByLabel('Password').fill(server.demo.login.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Groups' }).waitFor();
  });
});

describe('Single Sign-On (seed 003): /admin/login?key={SSO_KEY}&backto=…', () => {
  it('logs in and opens the backto page, and the key leaves the address bar', async () => {
    const ada = await operatorByEmail(server.demo.login.email);
    const page = await newPage();
    await page.goto(`${server.url}/admin/login?key=${encodeURIComponent(ada.sso_key)}&backto=/users`);
    await page.getByRole('heading', { name: 'Operators' }).waitFor();
    const url = new URL(page.url());
    expect(url.pathname).toBe('/admin/users');
    expect(page.url()).not.toContain(ada.sso_key);
    await page.getByTestId('operators').getByText('Grace Hopper').waitFor();
    await shot(page, 'sso-backto-users');
    // The history entry with the key was replaced, not kept.
    expect(await page.evaluate(() => history.length)).toBeLessThanOrEqual(2);
  });

  it('goes to the discussion panel with backto=/pupitre', async () => {
    const ada = await operatorByEmail(server.demo.login.email);
    const page = await newPage();
    await page.goto(`${server.url}/admin/login?key=${encodeURIComponent(ada.sso_key)}&backto=/pupitre`);
    await page.getByTestId('connection').waitFor();
    expect(new URL(page.url()).pathname).toBe('/admin/pupitre');
  });

  it('never redirects to another site', async () => {
    const ada = await operatorByEmail(server.demo.login.email);
    for (const backto of ['//evil.example/steal', 'https://evil.example/', '/\\evil.example', 'javascript:alert(1)']) {
      const page = await newPage();
      await page.goto(
        `${server.url}/admin/login?key=${encodeURIComponent(ada.sso_key)}&backto=${encodeURIComponent(backto)}`,
      );
      await page.getByTestId('connection').waitFor();
      const url = new URL(page.url());
      expect(url.origin, backto).toBe(server.url);
      expect(url.pathname, backto).toBe('/admin/');
      await page.context().close();
    }
  });

  it('refuses an unknown key and offers the password form', async () => {
    const page = await newPage();
    await page.goto(`${server.url}/admin/login?key=not-a-key&backto=/users`);
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('This sign-on link is not valid.');
    expect(await page.getByLabel('Email').isVisible()).toBe(true);
    await shot(page, 'sso-refused');
  });

  it('an operator without manager or admin role gets no administration', async () => {
    const alan = await operatorByEmail('alan@demo.causerie.test');
    const page = await newPage();
    await page.goto(`${server.url}/admin/login?key=${encodeURIComponent(alan.sso_key)}&backto=/users`);
    await page
      .getByRole('alert')
      .filter({ hasText: 'Your role does not give access to the administration.' })
      .waitFor();
    expect(await page.getByRole('link', { name: 'Administration' }).count()).toBe(0);
    // The server says the same, whatever the page shows.
    const token = await page.evaluate(
      () => JSON.parse(localStorage.getItem('causerie.console.session') ?? '{}').token as string,
    );
    const refused = await fetch(`${server.url}/api/2/operator`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'X', email: 'x@demo.causerie.test' }),
    });
    expect(refused.status).toBe(403);
    await shot(page, 'operator-role-no-admin');
  });
});

describe('administration', () => {
  it("issues an operator's new SSO link, shown once, which signs that operator in", async () => {
    const page = await newPage();
    await passwordLogin(page, server.demo.login.email, server.demo.login.password, '/admin/operators');
    await page.getByRole('button', { name: 'New SSO link Alan Turing' }).click();
    const link = await page.getByTestId('new-sso-link').locator('code').textContent();
    expect(link).toMatch(new RegExp(`^${server.url}/admin/login\\?key=[A-Za-z0-9_-]{43}$`));
    await shot(page, 'admin-sso-link');
    const alan = await newPage();
    await alan.goto(`${link}&backto=/pupitre`);
    await alan.getByTestId('me').filter({ hasText: 'Alan' }).waitFor();
    await page.reload();
    await page.getByTestId('operators').waitFor();
    expect(await page.getByTestId('new-sso-link').count()).toBe(0);
  });

  it('shows each website with its tag to copy, and creates an API key shown once', async () => {
    const page = await newPage();
    await passwordLogin(page, server.demo.login.email, server.demo.login.password, '/admin/websites');
    const embed = page.getByTestId(`embed-${server.demo.websiteId}`);
    await embed.waitFor();
    expect(await embed.textContent()).toBe(
      `<script src="${server.url}/widget.js" data-website="${server.demo.websiteId}" async></script>`,
    );
    await shot(page, 'admin-websites');
    await page.getByRole('link', { name: 'API keys' }).click();
    await page.getByLabel('Name').fill('Console e2e key');
    await page.getByRole('button', { name: 'Create' }).click();
    const secret = await page.getByTestId('new-key').locator('code').textContent();
    expect(secret).toBeTruthy();
    const works = await fetch(`${server.url}/api/2/website`, { headers: { 'x-api-key': secret ?? '' } });
    expect(works.status).toBe(200);
    await shot(page, 'admin-key-created');
    await page.reload();
    await page.getByTestId('keys').getByText('Console e2e key').waitFor();
    expect(await page.getByTestId('new-key').count()).toBe(0);
    await page.getByRole('link', { name: 'Webhooks' }).click();
    await page.getByRole('heading', { name: 'Webhooks' }).waitFor();
    await shot(page, 'admin-webhooks');
  });
});

describe('webhooks in the administration', () => {
  it('subscribes, shows the secret once, disables, replays a period and lists the deliveries', async () => {
    const page = await newPage();
    await passwordLogin(page, server.demo.login.email, server.demo.login.password, '/admin/webhooks');
    // Something to deliver: a tag created through the API today.
    await api('POST', '/tag', { name: 'Webhook e2e tag' });
    await page.getByLabel('Name').fill('Local receiver');
    await page.getByLabel('URL').fill('http://127.0.0.1:9/hook');
    await page.getByLabel('Events (comma-separated)').fill('*');
    await page.getByRole('button', { name: 'Create' }).click();
    const secret = page.getByRole('status').filter({ hasText: 'Signing secret (shown once):' });
    await secret.waitFor();
    expect(((await secret.locator('code').textContent()) ?? '').length).toBeGreaterThan(16);
    const card = page.locator('.cards > li').filter({ has: page.getByRole('heading', { name: /Local receiver/ }) });
    await card.waitFor();
    await shot(page, 'webhook-created');

    // Disabling goes through PUT /webhook/{id}; the API agrees.
    await card.getByRole('checkbox').click();
    await card.getByText(/^Disabled/).waitFor();
    const stored = await api<{ id: number; name: string; enabled: boolean }[]>('GET', '/webhook?full=1');
    expect(stored.find((webhook) => webhook.name === 'Local receiver')?.enabled).toBe(false);

    // Replaying today queues the day's events for this subscription; they appear in its delivery log.
    await card.getByRole('button', { name: 'Deliveries' }).click();
    const today = new Date().toISOString().slice(0, 10);
    await card.getByLabel('From').fill(today);
    await card.getByLabel('To').fill(today);
    await card.getByRole('button', { name: 'Replay', exact: true }).first().click();
    await card.getByText(/deliveries queued\./).waitFor();
    expect(
      Number(/(\d+) deliveries queued/.exec((await card.getByText(/deliveries queued\./).textContent()) ?? '')?.[1]),
    ).toBeGreaterThan(0);
    await card.locator('.deliveries tbody tr').first().waitFor();
    await shot(page, 'webhook-deliveries');
    await page.reload();
    await page.getByRole('heading', { name: /Local receiver/ }).waitFor();
    expect(await page.getByText('Signing secret (shown once):').count()).toBe(0);
  });
});

describe('language and layout', () => {
  it('speaks French to a French browser, and switches back to English', async () => {
    const page = await newPage({ locale: 'fr-FR' });
    await page.goto(`${server.url}/admin/`);
    await page.getByRole('heading', { name: 'Connexion à la console' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('fr');
    await page.getByLabel('E-mail').fill(server.demo.login.email);
    await page.getByLabel('Mot de passe').fill(server.demo.login.password);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByRole('tab', { name: /Miennes/ }).waitFor();
    await page.getByTestId('me').waitFor();
    await shot(page, 'french');
    await page.getByLabel('Langue').selectOption('en');
    await page.getByRole('tab', { name: /Mine/ }).waitFor();
  });

  it('lays the agent view out for a tablet', async () => {
    const page = await newPage({ viewport: { width: 820, height: 1180 } });
    await passwordLogin(page, server.demo.login.email, server.demo.login.password);
    await page.getByTestId('connection').waitFor();
    await page.getByRole('tab', { name: /Closed/ }).click();
    await page.getByTestId('list-closed').locator('button').first().click();
    await page.getByTestId('conversation').waitFor();
    // On a tablet the visitor panel is an overlay opened from the conversation.
    expect(await page.getByTestId('visitor-panel').isVisible()).toBe(false);
    await page.getByRole('button', { name: 'Visitor' }).click();
    await page.getByTestId('visitor-panel').waitFor({ state: 'visible' });
    await shot(page, 'tablet');
  });
});

describe('user content is text', () => {
  it('shows HTML and script payloads of a conversation literally, running nothing', async () => {
    const ada = await operatorByEmail(server.demo.login.email);
    const payload = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script><b>bold?</b>';
    const stamp = new Date(Date.now() - 60_000).toISOString().slice(0, 19).replace('T', ' ');
    const conversation = await api<{ id: number }>('POST', '/conversation', {
      website_id: server.demo.websiteId,
      operator_id: ada.id,
      history: [
        [2, stamp, payload],
        [5, stamp, 'https://shop.causerie.test/"><script>window.__pwned=3</script>'],
      ],
    });
    const page = await newPage();
    await passwordLogin(
      page,
      server.demo.login.email,
      server.demo.login.password,
      `/admin/conversations/${conversation.id}`,
    );
    const history = page.getByTestId('history');
    await history.getByText(payload, { exact: true }).waitFor();
    expect(await history.locator('img, script, b').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.getByTestId('navigation').textContent()).toContain('<script>window.__pwned=3</script>');
    await shot(page, 'html-as-text');
  });
});
