// Small defects a support team trying the console would notice (issue 22 §8), in Chromium: the operator create form
// gives a new operator the client's websites (so they receive chats) with translated roles, and warns about an
// available operator on no website; the widget says nobody is available before the visitor types; every page has an
// icon; the "Waiting" tab holds on one line in French; /docs asks nothing of another host and shows no hosted-service
// button of the reference's vendor.
import { randomBytes } from 'node:crypto';
import { availableOperator } from '@causerie/test-support/live-sockets';
import type { RealtimeClient } from '@causerie/test-support/realtime-client';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoApi, launchBrowser, type RunningServer, shot, startServer } from './harness.js';

let server: RunningServer;
let browser: Browser;
const contexts: BrowserContext[] = [];
const sockets: RealtimeClient[] = [];

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  for (const socket of sockets) await socket.close();
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
  await server?.stop();
});

const api = demoApi(() => server);

async function newPage(locale = 'en-US', viewport = { width: 1440, height: 900 }): Promise<Page> {
  const context = await browser.newContext({ locale, viewport });
  contexts.push(context);
  return context.newPage();
}

async function login(page: Page, path: string, labels = { email: 'Email', password: 'Password', button: 'Log in' }) {
  await page.goto(`${server.url}${path}`);
  await page.getByLabel(labels.email).fill(server.demo.login.email);
  await page.getByLabel(labels.password).fill(server.demo.login.password);
  await page.getByRole('button', { name: labels.button }).click();
}

const suffix = () => randomBytes(4).toString('hex');

async function tokenOf(credentials: { email: string; password: string }): Promise<string> {
  const response = await fetch(`${server.url}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(credentials),
  });
  return ((await response.json()) as { data: { token: string } }).data.token;
}

interface OperatorRow {
  id: number;
  name: string;
  email: string;
  roles: string[];
  website_list: number[];
  skill_list: number[];
  group_id: number | null;
}

describe('the operator create form', () => {
  it('ticks every website by default, takes a group and skills, and says a new operator on no website gets no chat', async () => {
    const websites = await api<{ id: number }[]>('GET', '/website?full=1');
    const skill = await api<{ id: number; name: string }>('POST', '/skill', { name: `Returns ${suffix()}` });
    const group = await api<{ id: number; name: string }>('POST', '/group', { name: `Level 2 ${suffix()}` });
    const page = await newPage();
    await login(page, '/admin/operators');
    const form = page.getByTestId('operator-create');
    const websiteBoxes = form.locator('input[name="website_list"]');
    await expect.poll(() => websiteBoxes.count()).toBe(websites.length);
    for (const box of await websiteBoxes.all()) expect(await box.isChecked()).toBe(true);
    // The roles are words, not API values.
    await form.getByRole('checkbox', { name: 'Operator', exact: true }).waitFor();
    await form.getByRole('checkbox', { name: 'Manager', exact: true }).waitFor();

    const email = `grace-${suffix()}@defects.example`;
    await form.getByLabel('Name', { exact: true }).fill('Grace Defects');
    await form.getByLabel('Email').fill(email);
    await form.getByLabel('Password').fill('a-long-password-1');
    await form.getByLabel('Group').selectOption({ label: group.name });
    await form.getByRole('checkbox', { name: skill.name }).check();
    await shot(page, 'operator-create-form');
    await form.getByRole('button', { name: 'Create' }).click();
    await page.getByTestId('operators').getByText('Grace Defects').waitFor();
    const created = (await api<OperatorRow[]>('GET', '/operator?full=1')).find((row) => row.email === email);
    expect(created?.website_list.toSorted()).toEqual(websites.map((website) => website.id).toSorted());
    expect(created?.skill_list).toEqual([skill.id]);
    expect(created?.group_id).toBe(group.id);
    expect(created?.roles).toEqual(['operator']);

    // Unticking every website: the form says what it means before anything is created.
    for (const box of await websiteBoxes.all()) await box.uncheck();
    await form.getByTestId('no-website-warning').filter({ hasText: 'receives no chat' }).waitFor();
  });

  it('names an available operator on no website above the list, and marks them in it', async () => {
    const email = `nowhere-${suffix()}@defects.example`;
    const password = 'a-long-password-2';
    const operator = await api<{ id: number }>('POST', '/operator', {
      name: 'Nadia Nowhere',
      email,
      password,
      website_list: [],
    });
    sockets.push(await availableOperator(server.url, await tokenOf({ email, password })));
    const page = await newPage();
    await login(page, '/admin/operators');
    await page.getByTestId('available-without-website').filter({ hasText: 'Nadia Nowhere' }).waitFor();
    await page.getByTestId(`operator-${operator.id}`).getByTestId('no-website').waitFor();
    await shot(page, 'operator-without-website');
  });

  it('translates the role boxes in French, on the create form and in the editor', async () => {
    const page = await newPage('fr-FR');
    await login(page, '/admin/operators', { email: 'E-mail', password: 'Mot de passe', button: 'Se connecter' });
    const form = page.getByTestId('operator-create');
    for (const role of ['Opérateur', 'Expert', 'Manager', 'Administrateur'])
      await form.getByRole('checkbox', { name: role, exact: true }).waitFor();
    expect(await form.getByRole('checkbox', { name: 'admin', exact: true }).count()).toBe(0);
    await shot(page, 'operator-create-form-fr');
    await page
      .getByTestId('operators')
      .getByRole('button', { name: /^Modifier/ })
      .first()
      .click();
    const editor = page.getByTestId('operator-editor');
    for (const role of ['Opérateur', 'Expert', 'Manager', 'Administrateur'])
      await editor.getByRole('checkbox', { name: role, exact: true }).waitFor();
  });
});

describe('the widget before the visitor types', () => {
  it('says nobody is available when no operator is, and welcomes once someone is', async () => {
    const visitor = await newPage('en-US', { width: 1280, height: 800 });
    await visitor.goto(`${server.url}/demo`);
    await visitor.getByRole('button', { name: 'Open the chat' }).click();
    const frame = visitor.frameLocator('#causerie-frame');
    const firstLine = frame.locator('.cz-log .cz-system').first();
    await expect.poll(() => firstLine.textContent()).toMatch(/^Nobody is available to chat right now\./);
    await shot(visitor, 'widget-nobody-available');

    const operator = await availableOperator(server.url, await tokenOf(server.demo.login));
    try {
      const later = await newPage('fr-FR', { width: 1280, height: 800 });
      await later.goto(`${server.url}/demo`);
      await later.getByRole('button', { name: 'Ouvrir la discussion' }).click();
      const laterLine = later.frameLocator('#causerie-frame').locator('.cz-log .cz-system').first();
      await expect
        .poll(() => laterLine.textContent())
        .toBe('Bonjour ! Posez-nous vos questions : quelqu’un vous répondra ici.');
    } finally {
      await operator.close();
    }
  });
});

describe('the icon', () => {
  it('is served as SVG, /favicon.ico leads to it, and the console, the chat page and /docs name it', async () => {
    const svg = await fetch(`${server.url}/favicon.svg`);
    expect(svg.status).toBe(200);
    expect(svg.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    expect(await svg.text()).toContain('<svg');
    const ico = await fetch(`${server.url}/favicon.ico`, { redirect: 'manual' });
    expect(ico.status).toBe(301);
    expect(ico.headers.get('location')).toBe('/favicon.svg');

    const page = await newPage();
    const missing: string[] = [];
    page.on('response', (response) => {
      if (response.status() === 404) missing.push(response.url());
    });
    for (const path of ['/admin/', `/widget/frame.html?w=${server.demo.websiteId}`, '/docs/']) {
      await page.goto(`${server.url}${path}`);
      const icon = page.locator('link[rel="icon"]');
      await expect.poll(() => icon.count()).toBeGreaterThan(0);
      const href = await icon.first().getAttribute('href');
      expect(new URL(href ?? '', server.url).href).toBe(`${server.url}/favicon.svg`);
    }
    expect(missing).toEqual([]);
  });
});

describe('the agent view in French at 1440×900', () => {
  it('keeps each conversation tab, "Miennes" and "En attente" with their counts, on one line', async () => {
    // A conversation waiting in line, so that the tab shows its count: one operator with one slot, two visitors.
    const email = `keeper-${suffix()}@defects.example`;
    const password = 'a-long-password-3';
    await api('POST', '/operator', {
      name: 'Queue Keeper',
      email,
      password,
      website_list: [server.demo.websiteId],
      chat_max_number: 1,
    });
    sockets.push(await availableOperator(server.url, await tokenOf({ email, password })));
    // The demo admin available too: their own conversations give "Miennes" a count as well.
    sockets.push(await availableOperator(server.url, await tokenOf(server.demo.login)));
    // New visitors until one waits (an operator of an earlier test may still hold a free slot for a moment).
    let outcome = '';
    for (let visitor = 1; visitor <= 20 && outcome !== 'queued'; visitor++) {
      const started = await fetch(`${server.url}/realtime/visitor/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: server.url },
        body: JSON.stringify({ website_id: server.demo.websiteId, text: `Visitor ${visitor} in line` }),
      });
      expect(started.status).toBe(200);
      outcome = ((await started.json()) as { data: { outcome?: string } }).data.outcome ?? '';
    }
    expect(outcome).toBe('queued');
    const page = await newPage('fr-FR');
    await login(page, '/admin/', { email: 'E-mail', password: 'Mot de passe', button: 'Se connecter' });
    await page.getByTestId('connection').filter({ hasText: 'Connecté' }).waitFor();
    const tabs = page.getByRole('tablist').first().getByRole('tab');
    await tabs.filter({ hasText: 'En attente' }).locator('.count').waitFor();
    await tabs.filter({ hasText: 'Miennes' }).locator('.count').waitFor();
    // A wrapped label is a taller button, or text wider than its button.
    const boxes = await tabs.evaluateAll((elements) =>
      elements.map((element) => ({
        text: element.textContent ?? '',
        height: element.getBoundingClientRect().height,
        overflows: element.scrollWidth > element.clientWidth,
        lines: new Set(
          Array.from(element.childNodes)
            .filter((node) => node.nodeType === Node.TEXT_NODE)
            .flatMap((node) => {
              const range = document.createRange();
              range.selectNodeContents(node);
              return Array.from(range.getClientRects(), (rect) => Math.round(rect.top));
            }),
        ).size,
      })),
    );
    for (const box of boxes) {
      expect(box.lines, box.text).toBe(1);
      expect(box.overflows, box.text).toBe(false);
    }
    expect(new Set(boxes.map((box) => Math.round(box.height))).size).toBe(1);
    await shot(page, 'agent-view-fr-1440');
  });
});

describe('/docs', () => {
  it('asks nothing of another host and shows none of the vendor’s hosted-service buttons', {
    timeout: 120_000,
  }, async () => {
    const page = await newPage();
    const elsewhere: string[] = [];
    page.on('request', (request) => {
      const url = request.url();
      if (url.startsWith('data:') || url.startsWith('blob:')) return;
      if (new URL(url).origin !== server.url) elsewhere.push(url);
    });
    await page.goto(`${server.url}/docs/`);
    // The reference renders the whole document in the browser: slow on a busy machine.
    await page.getByRole('heading', { name: 'Causerie API', exact: true }).waitFor({ timeout: 60_000 });
    await page.waitForLoadState('networkidle');
    await shot(page, 'docs');
    expect(elsewhere).toEqual([]);
    for (const name of [/Open API Client/i, /^Deploy/i, /Generate SDKs?/i, /^Share/i, /Ask AI/i])
      expect(await page.getByRole('button', { name }).count(), String(name)).toBe(0);
    expect(await page.locator('a[href*="scalar.com"]:visible').count()).toBe(0);
  });
});
