// Targeting rules in a real browser: a rule with an invitation on the demo shop shows once the page declares its type
// and cart, its display is reported by beacon and counted, and a visitor accepting it starts a conversation that keeps
// the rule and the page type; a rule whose conditions do not hold leaves the page without a button. An admin manages
// rules in the console: create with a condition and an invitation (shown as text), disable, edit, delete.
import { RealtimeClient } from '@causerie/test-support/realtime-client';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openConsole, type RunningServer, shot, startServer } from './harness.js';

let server: RunningServer;
let browser: Browser;
let operator: RealtimeClient;
const contexts: BrowserContext[] = [];

async function api(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; data: Record<string, unknown> }> {
  const answer = await fetch(`${server.url}/api/2${path}`, {
    method,
    headers: { 'X-API-Key': server.demo.apiKey, ...(body !== undefined && { 'content-type': 'application/json' }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const json = (await answer.json()) as { data: Record<string, unknown> };
  return { status: answer.status, data: json.data };
}

async function visitorPage(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
  contexts.push(context);
  const page = await context.newPage();
  await page.goto(`${server.url}/demo`);
  return page;
}

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  const login = await fetch(`${server.url}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(server.demo.login),
  });
  const token = ((await login.json()) as { data: { token: string } }).data.token;
  operator = await RealtimeClient.open(
    `${server.url.replace('http', 'ws')}/realtime/operator?token=${encodeURIComponent(token)}`,
  );
  await operator.next('snapshot');
  expect(await operator.request({ type: 'availability', chat: true }, 'availability')).toMatchObject({ chat: true });
});

afterAll(async () => {
  for (const context of contexts) await context.close();
  await operator?.close();
  await browser?.close();
  await server?.stop();
});

describe('a targeting rule with an invitation', () => {
  let ruleId: number;
  let page: Page;

  it('stays hidden until the page declares a product with a big cart, then invites after its delay', async () => {
    const created = await api('POST', '/targeting_rule', {
      name: 'Big carts on product pages',
      website_id: server.demo.websiteId,
      priority: 1,
      conditions: {
        match: 'all',
        list: [
          { type: 'page_type', operator: 'equals', value: 'product' },
          { type: 'cart_amount', operator: 'gte', value: 100 },
          { type: 'page_url', operator: 'matches', value: '/demo$' },
        ],
      },
      action: 'invitation',
      invitation_message: 'Questions about your order? We are here.',
      invitation_delay_seconds: 1,
      only_when_available: true,
    });
    expect(created.status).toBe(200);
    ruleId = Number(created.data.id);

    page = await visitorPage();
    const invitation = page.getByRole('button', { name: 'Questions about your order? We are here.' });
    const launcher = page.getByRole('button', { name: 'Open the chat' });
    // The rule does not hold yet: neither the invitation nor the button (the site targets its chat).
    await page.waitForTimeout(2500);
    expect(await invitation.isVisible()).toBe(false);
    expect(await launcher.isVisible()).toBe(false);

    const reported = page.waitForResponse((response) => response.url().endsWith('/widget/targeting/report'), {
      timeout: 30_000,
    });
    await page.evaluate(() => {
      (window as unknown as { Causerie: { setContext(context: object): void } }).Causerie.setContext({
        page_type: 'product',
        cart_amount: 129.9,
      });
    });
    await invitation.waitFor({ timeout: 10_000 });
    expect(await launcher.isVisible()).toBe(true);
    await shot(page, 'targeting-invitation');

    // Reported in the next batch: one trigger and one display of the rule on a product page, added to the counters.
    const answer = await reported;
    expect(answer.status()).toBe(200);
    const sent = JSON.parse(answer.request().postData() ?? '{}') as { website_id: number; entries: unknown[] };
    expect(sent).toEqual({
      website_id: server.demo.websiteId,
      entries: [{ rule_id: ruleId, page_type: 'product', triggers: 1, displays: 1 }],
    });
    expect(((await answer.json()) as { data: unknown }).data).toEqual({ accepted: 1, ignored: 0 });
    // Counted: the statistics read the hourly counters (today, by rule).
    const figures = async () => {
      const answer = await fetch(
        `${server.url}/api/2/statistic?filters[indicators]=rule_display_number,targeting_rule_triggered&filters[resource]=rule&filters[resource_id]=${ruleId}`,
        { headers: { 'X-API-Key': server.demo.apiKey } },
      );
      return ((await answer.json()) as { data?: Record<string, unknown>[] }).data?.[0];
    };
    await expect
      .poll(figures, { timeout: 10_000 })
      .toMatchObject({ resource_id: ruleId, rule_display_number: 1, targeting_rule_triggered: 1 });
  });

  it('accepted, opens the chat; the conversation keeps the rule and the page type', async () => {
    await page.getByRole('button', { name: 'Questions about your order? We are here.' }).click();
    const frame = page.frameLocator('#causerie-frame');
    await frame.locator('#cz-input').fill('Is the blue one in stock?');
    await frame.locator('#cz-input').press('Enter');
    const assigned = await operator.next('assigned', 15_000);
    const conversationId = Number((assigned.conversation as { id: number }).id);
    const conversation = await api('GET', `/conversation/${conversationId}`);
    expect(conversation.data).toMatchObject({ rule_id: ruleId, page_type: 'product' });
  });

  it('a visitor on a page the rule does not target sees no button, and nothing is shown for a disabled rule', async () => {
    const other = await visitorPage();
    await other.waitForTimeout(2500);
    expect(await other.getByRole('button', { name: 'Open the chat' }).isVisible()).toBe(false);
    expect((await api('PUT', `/targeting_rule/${ruleId}`, { status: 'inactive' })).status).toBe(200);
    // No active rule left: the button shows everywhere, as without targeting.
    const again = await visitorPage();
    await again.getByRole('button', { name: 'Open the chat' }).waitFor({ timeout: 10_000 });
  });
});

describe('a rule on the second page of a visit', () => {
  it('counts page views, not declarations of the context: the button shows from the second page', async () => {
    const created = await api('POST', '/targeting_rule', {
      name: 'Second page',
      website_id: server.demo.websiteId,
      conditions: { list: [{ type: 'pages_viewed', operator: 'gte', value: 2 }] },
    });
    expect(created.status).toBe(200);
    const page = await visitorPage();
    const launcher = page.getByRole('button', { name: 'Open the chat' });
    await page.evaluate(() => {
      const causerie = (window as unknown as { Causerie: { setContext(context: object): void } }).Causerie;
      causerie.setContext({ page_type: 'home' });
      causerie.setContext({ cart_amount: 10 });
    });
    await page.waitForTimeout(2500);
    expect(await launcher.isVisible()).toBe(false);
    await page.getByRole('link', { name: 'Delivery' }).click();
    await launcher.waitFor({ timeout: 10_000 });
    expect((await api('DELETE', `/targeting_rule/${created.data.id}`)).status).toBe(200);
  });
});

describe('the console page of targeting rules', () => {
  const MESSAGE = '<b>Hi</b> & <img src=x onerror="window.pwned=1">';

  it('creates a rule with a condition and an invitation, shown as text, then disables, edits and deletes it', async () => {
    const admin = await openConsole(browser, server, server.demo.login.email, server.demo.login.password);
    contexts.push(admin.context());
    await admin.getByRole('link', { name: 'Administration' }).click();
    await admin.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'Targeting' }).click();
    const form = admin.getByTestId('targeting-form');
    await form.getByLabel('Name').fill('Console rule');
    await form.getByLabel('Priority').fill('4');
    await form.getByRole('button', { name: 'Add a condition' }).click();
    const condition = form.getByRole('group', { name: 'Condition 1' });
    await condition.getByLabel('Condition', { exact: true }).selectOption('page_type');
    await condition.getByLabel('Comparison').selectOption('equals');
    await condition.getByLabel('Value').fill('checkout');
    await form.getByLabel('Action').selectOption('invitation');
    await form.getByLabel('Invitation message').fill(MESSAGE);
    await form.getByLabel('Delay (seconds)').fill('3');
    await form.getByLabel('Only when an operator is available').check();
    await form.getByRole('button', { name: 'Create' }).click();
    await admin.getByTestId('saved').waitFor();

    const rules = (await api('GET', '/targeting_rule?full=1&filters[status]=active')).data as unknown as {
      id: number;
      name: string;
    }[];
    const created = rules.find((rule) => rule.name === 'Console rule');
    expect(created).toBeDefined();
    const id = created?.id ?? 0;
    expect((await api('GET', `/targeting_rule/${id}`)).data).toMatchObject({
      priority: 4,
      action: 'invitation',
      invitation_message: MESSAGE,
      invitation_delay_seconds: 3,
      only_when_available: true,
      conditions: { match: 'all', list: [{ type: 'page_type', operator: 'equals', value: 'checkout' }] },
    });
    const row = admin.getByTestId(`targeting-rule-${id}`);
    await row.getByText(MESSAGE, { exact: false }).waitFor();
    expect(await row.locator('b, img').count()).toBe(0);
    expect(await admin.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
    await shot(admin, 'targeting-console');

    await row.getByRole('button', { name: 'Disable' }).click();
    await row.getByText('Inactive').waitFor();
    expect((await api('GET', `/targeting_rule/${id}`)).data.status).toBe('inactive');

    await row.getByRole('button', { name: /Edit/ }).click();
    await form.getByLabel('Priority').fill('7');
    await form.getByLabel('Status').selectOption('active');
    await form.getByRole('button', { name: 'Save' }).click();
    await admin.getByTestId('saved').waitFor();
    expect((await api('GET', `/targeting_rule/${id}`)).data).toMatchObject({ priority: 7, status: 'active' });

    admin.once('dialog', (dialog) => void dialog.accept());
    await row.getByRole('button', { name: /Delete/ }).click();
    await row.waitFor({ state: 'detached' });
    expect((await api('GET', `/targeting_rule/${id}`)).status).toBe(404);
  });
});
