// The supervisor view in real browsers: Alan (operator, one chat at a time) has a conversation; a visitor writes in
// the widget while nobody is free and waits. Ada (admin) sees it waiting first in the queue on /admin/supervisor, with
// Alan's load; she assigns it to Alan from the keyboard and the row changes, takes the other over, and a transfer
// nobody can take shows its refusal beside the row; axe finds nothing critical or serious. Alan has no Supervisor link
// and the API refuses him. French too.
import { AxeBuilder } from '@axe-core/playwright';
import { RealtimeClient } from '@causerie/test-support/realtime-client';
import type { Browser, BrowserContext, FrameLocator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, makeAvailable, openConsole, type RunningServer, shot, startServer } from './harness.js';

let server: RunningServer;
let browser: Browser;
const contexts: BrowserContext[] = [];
let firstVisitor: RealtimeClient | null = null;

async function api<T>(method: 'GET' | 'PUT' | 'POST', apiPath: string, body?: unknown): Promise<T> {
  const response = await fetch(`${server.url}/api/2${apiPath}`, {
    method,
    headers: { 'X-API-Key': server.demo.apiKey, ...(body !== undefined && { 'Content-Type': 'application/json' }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const answer = (await response.json()) as { data: T };
  if (!response.ok) throw new Error(`${method} ${apiPath}: ${response.status} ${JSON.stringify(answer)}`);
  return answer.data;
}

/** The critical and serious WCAG 2.1 A/AA violations axe finds on the page as it is now, one line each. */
async function blockingViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return results.violations
    .filter((violation) => violation.impact === 'critical' || violation.impact === 'serious')
    .map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(' | ')}`);
}

async function consoleFor(email: string, password: string): Promise<Page> {
  const page = await openConsole(browser, server, email, password);
  contexts.push(page.context());
  return page;
}

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
});
afterAll(async () => {
  firstVisitor?.socket.close();
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
  await server?.stop();
});

describe('the supervisor view', () => {
  it('shows a waiting visitor with its queue place, assigns it, takes over, and shows refusals beside the row', async () => {
    // 1. Alan answers one chat at a time and is available; nobody else is.
    const operators = await api<Array<{ id: number; email: string }>>('GET', '/operator?full=1&limit=100');
    const alanId = operators.find((operator) => operator.email === 'alan@demo.causerie.test')?.id ?? 0;
    const adaId = operators.find((operator) => operator.email === server.demo.login.email)?.id ?? 0;
    await api('PUT', `/operator/${alanId}`, { chat_max_number: 1 });
    // A retry starts from a quiet website: what a failed first attempt left waiting or open is closed.
    for (const status of ['waiting', 'open'])
      for (const left of await api<Array<{ id: number }>>('GET', `/conversation?limit=100&filters[status]=${status}`))
        await api('POST', `/conversation/${left.id}/close`, {});
    const alan = await consoleFor('alan@demo.causerie.test', server.demo.login.password);
    await makeAvailable(alan);

    // 2. A first visitor is given to Alan (the realtime socket, as the widget does): he is now full.
    firstVisitor = await RealtimeClient.open(`${server.url.replace(/^http/, 'ws')}/realtime/visitor`);
    firstVisitor.send({ type: 'hello', website_id: server.demo.websiteId, ref: 'h' });
    await firstVisitor.next((frame) => frame.type === 'welcome', 10_000);
    firstVisitor.send({ type: 'start', text: 'My parcel never came', client_message_id: 'first-1' });
    const first = await firstVisitor.next((frame) => frame.type === 'started', 10_000);
    expect(first.outcome).toBe('assigned');
    const answeredId = Number(first.conversation_id);

    // 3. A visitor writes in the widget while nobody is free: they wait, first in line.
    const visitorContext = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 800 } });
    contexts.push(visitorContext);
    const visitor = await visitorContext.newPage();
    await visitor.goto(`${server.url}/demo`);
    await visitor.getByRole('button', { name: 'Open the chat' }).click();
    const widget: FrameLocator = visitor.frameLocator('#causerie-frame');
    await widget.locator('#cz-input').fill('Is anyone there? I need help with my order');
    await widget.locator('#cz-input').press('Enter');
    await widget.getByText('You are number 1 in line.').waitFor({ timeout: 15_000 });

    // 4. Ada opens the supervisor view from the navigation.
    const ada = await consoleFor(server.demo.login.email, server.demo.login.password);
    await ada.getByRole('link', { name: 'Supervisor' }).click();
    await ada.getByRole('heading', { level: 1, name: 'Supervisor' }).waitFor();
    const table = ada.getByRole('table', { name: /^\d+ conversations:/ });
    await table.waitFor();
    const waitingRow = table.locator('tr[data-status="waiting"]').first();
    await waitingRow.waitFor();
    const waitingId = Number((await waitingRow.getAttribute('data-testid'))?.replace('supervised-', ''));
    expect(waitingId).toBeGreaterThan(answeredId);
    await expect.poll(() => waitingRow.getByTestId('supervised-operator').textContent()).toBe('waiting');
    await expect.poll(() => waitingRow.getByTestId('supervised-queue').textContent()).toContain('#1');
    expect(await waitingRow.textContent()).toContain('Is anyone there? I need help with my order');
    // The wait ticks live.
    const clock = waitingRow.getByTestId('supervised-clock');
    const before = await clock.textContent();
    await expect.poll(() => clock.textContent(), { timeout: 5_000 }).not.toBe(before);
    expect(await clock.textContent()).toMatch(/^waiting \d+:\d{2}$/);
    const answeredRow = ada.getByTestId(`supervised-${answeredId}`);
    await expect.poll(() => answeredRow.getByTestId('supervised-operator').textContent()).toBe('Alan');
    // Headers name the columns; the visitor cell heads its row.
    expect(await table.getByRole('columnheader', { name: 'Queue' }).count()).toBe(1);
    // Alan's load: one chat of one, at his limit.
    const alanRow = ada.getByTestId(`supervised-operator-${alanId}`);
    await expect.poll(() => alanRow.getByTestId('supervised-load-chat').textContent()).toContain('at their limit');
    expect(await alanRow.getByTestId('supervised-load-chat').textContent()).toContain('1 of 1');
    expect(await alanRow.textContent()).toContain('Connected');
    await shot(ada, 'supervisor-waiting');
    expect(await blockingViolations(ada)).toEqual([]);

    // 5. Filters: waiting only hides the open one.
    await ada.getByLabel('Status').selectOption('waiting');
    await expect.poll(() => answeredRow.count()).toBe(0);
    await ada.getByLabel('Status').selectOption('');
    await answeredRow.waitFor();

    // 6. From the keyboard, Ada assigns the waiting visitor to Alan (over his limit: her decision).
    await ada.getByRole('button', { name: `Assign conversation ${waitingId}` }).focus();
    await ada.keyboard.press('Enter');
    const picker = ada.getByLabel(`Give conversation ${waitingId} to`);
    await expect.poll(() => picker.evaluate((element) => element === document.activeElement)).toBe(true);
    const alanOption = picker.locator('option', { hasText: 'Alan' });
    expect(await alanOption.textContent()).toContain('at their limit, 1 of 1');
    await picker.selectOption({ value: `operator:${alanId}` });
    await ada.keyboard.press('Tab');
    await ada.keyboard.press('Enter');
    await ada.getByTestId('supervisor-notice').getByText(`Conversation ${waitingId} is now with Alan.`).waitFor();
    const assignedRow = ada.getByTestId(`supervised-${waitingId}`);
    await expect.poll(() => assignedRow.getAttribute('data-status')).toBe('open');
    await expect.poll(() => assignedRow.getByTestId('supervised-operator').textContent()).toBe('Alan');
    expect(await assignedRow.getByTestId('supervised-queue').textContent()).toBe('—');
    await expect.poll(() => alanRow.getByTestId('supervised-load-chat').textContent()).toContain('2 of 1');
    // Alan's console gets it.
    await alan.getByTestId(`conversation-${waitingId}`).waitFor({ timeout: 15_000 });
    await shot(ada, 'supervisor-assigned');

    // 7. Ada takes the first one over.
    await ada.getByRole('button', { name: `Take over conversation ${answeredId}` }).click();
    await expect.poll(() => answeredRow.getByTestId('supervised-operator').textContent()).toBe('Ada');
    expect(await ada.getByRole('button', { name: `Take over conversation ${answeredId}` }).count()).toBe(0);

    // 8. A transfer nobody can take (the Support group has nobody free) is refused beside the row.
    await ada.getByRole('button', { name: `Transfer conversation ${answeredId}` }).click();
    await ada.getByLabel(`Give conversation ${answeredId} to`).selectOption({ label: 'Group Support' });
    await ada.getByRole('button', { name: 'Transfer', exact: true }).click();
    const refusal = answeredRow.getByTestId('supervised-error');
    await refusal.waitFor();
    // The server's reason (group_nobody_free) is said in the console's words, not the server's English message.
    expect(await refusal.textContent()).toBe(
      `Conversation ${answeredId}: nobody in Group Support is online, available and free on this website.`,
    );
    await expect.poll(() => answeredRow.getByTestId('supervised-operator').textContent()).toBe('Ada');
    // The picker open and a refusal shown: axe finds nothing critical or serious either.
    expect(await blockingViolations(ada)).toEqual([]);
    // Esc closes the picker and gives the focus back to its button.
    await ada.getByLabel(`Give conversation ${answeredId} to`).press('Escape');
    await expect
      .poll(() =>
        ada
          .getByRole('button', { name: `Transfer conversation ${answeredId}` })
          .evaluate((b) => b === document.activeElement),
      )
      .toBe(true);
    await shot(ada, 'supervisor-refused');

    // 9. In French (Alan has only the assigned one left: Ada took the other).
    await ada.getByLabel('Language').first().selectOption('fr');
    await ada.getByRole('heading', { level: 1, name: 'Supervision' }).waitFor();
    expect(await ada.getByRole('columnheader', { name: 'Opérateur' }).count()).toBe(1);
    // The refusal beside the row follows the language.
    expect(await answeredRow.getByTestId('supervised-error').textContent()).toBe(
      `Conversation ${answeredId} : personne dans Groupe Support n’est en ligne, disponible et libre sur ce site.`,
    );
    await expect.poll(() => alanRow.getByTestId('supervised-load-chat').textContent()).toContain('1 sur 1');
    await shot(ada, 'supervisor-fr');
    expect(adaId).toBeGreaterThan(0);

    // 10. Alan, an operator, has no Supervisor link; the page and the API refuse him.
    expect(await alan.getByRole('link', { name: 'Supervisor' }).count()).toBe(0);
    const refused = await alan.evaluate(async () => {
      const session = JSON.parse(localStorage.getItem('causerie.console.session') ?? '{}') as { token?: string };
      const response = await fetch('/api/2/supervision', { headers: { Authorization: `Bearer ${session.token}` } });
      return { status: response.status, body: (await response.json()) as { meta: { status: string } } };
    });
    expect(refused.status).toBe(403);
    expect(refused.body.meta.status).not.toBe('success');
  });
});
