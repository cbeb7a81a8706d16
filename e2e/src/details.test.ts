// Conversation details in real consoles (issue 22): the demo's closed conversation shows its tag, its satisfaction
// answer and comment and its sale; Ada reopens it, the visitor's next message continues it, and the transcript prints
// without the console around it. In French too.
import { AxeBuilder } from '@axe-core/playwright';
import { RealtimeClient } from '@causerie/test-support/realtime-client';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoApi, launchBrowser, openConsole, type RunningServer, shot, startServer } from './harness.js';

let server: RunningServer;
let browser: Browser;
const contexts: BrowserContext[] = [];
let visitor: RealtimeClient | null = null;

async function consoleFor(email: string, password: string): Promise<Page> {
  const page = await openConsole(browser, server, email, password);
  contexts.push(page.context());
  return page;
}

const demo = demoApi(() => server);
const api = <T>(path: string) => demo<T>('GET', path);

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
});
afterAll(async () => {
  visitor?.socket.close();
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
  await server?.stop();
});

describe('conversation details', () => {
  it("show the demo's closed conversation's tag, rating and sale; it reopens and the visitor continues it", async () => {
    // A retry finds it as the first attempt left it (reopened): it is closed again first.
    const lea = (
      await api<{ id: number; visitor_uid: string; status: string }[]>('/conversation?full=1&limit=100')
    ).filter((row) => row.visitor_uid === 'demo-visitor-lea');
    for (const row of lea.filter((candidate) => candidate.status !== 'closed'))
      await fetch(`${server.url}/api/2/conversation/${row.id}/close`, {
        method: 'POST',
        headers: { 'x-api-key': server.demo.apiKey, 'content-type': 'application/json' },
        body: '{}',
      });
    const closed = lea.find((row) => row.status === 'closed') ?? lea[0];
    expect(closed).toBeDefined();
    const conversationId = Number(closed?.id);

    // 1. Ada opens it from her Closed list: tag, satisfaction (notes out of 3 and the comment) and the sale.
    const ada = await consoleFor(server.demo.login.email, server.demo.login.password);
    await ada.getByRole('tab', { name: /Closed/ }).click();
    await ada.getByTestId('list-closed').getByTestId(`conversation-${conversationId}`).click();
    const details = ada.getByTestId('conversation-details');
    await details.getByTestId('conversation-tags').getByText('Delivery').waitFor();
    const satisfaction = details.getByTestId('satisfaction');
    await satisfaction.getByText('Quick answer, thanks.').waitFor();
    expect(await satisfaction.textContent()).toContain('Welcome3/3');
    expect(await satisfaction.textContent()).toContain('Resolution2/3');
    const sales = details.getByTestId('sales');
    await sales.getByText('€59.90').waitFor();
    expect(await sales.textContent()).toContain('Order DEMO-1001');
    await shot(ada, 'closed-conversation-details');
    // The side panel's details (the rest of the agent view is e2e/src/a11y.test.ts's).
    const axe = await new AxeBuilder({ page: ada })
      .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
      .include('[data-testid="conversation-details"]')
      .analyze();
    expect(
      axe.violations
        .filter((violation) => violation.impact === 'critical' || violation.impact === 'serious')
        .map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(' | ')}`),
    ).toEqual([]);

    // 2. Print / PDF: the print stylesheet keeps the transcript and drops the lists, the top bar and the buttons.
    await ada.emulateMedia({ media: 'print' });
    expect(await ada.locator('.sidebar').isVisible()).toBe(false);
    expect(await ada.locator('.topbar').isVisible()).toBe(false);
    expect(await ada.getByRole('button', { name: 'Reopen the conversation' }).isVisible()).toBe(false);
    expect(await ada.getByTestId('history').getByText('Hello, has my order 1001 been sent?').isVisible()).toBe(true);
    await shot(ada, 'print-view');
    await ada.emulateMedia({ media: 'screen' });

    // 3. Reopen: it is Ada's again, open, in her list, and she can write.
    await details.getByRole('button', { name: 'Reopen the conversation' }).click();
    await details.getByRole('status').filter({ hasText: 'Reopened' }).waitFor();
    await ada.getByRole('tab', { name: /Mine/ }).click();
    await ada.getByTestId('list-mine').getByTestId(`conversation-${conversationId}`).click();
    await ada.getByTestId('status').filter({ hasText: /open/i }).waitFor();
    const reopened = await api<{ status: string; closed_at: string | null }>(`/conversation/${conversationId}`);
    expect(reopened).toMatchObject({ status: 'open', closed_at: null });

    // 4. The visitor comes back (same visitor id): the widget's socket resumes this conversation; their message lands in it.
    visitor = await RealtimeClient.open(`${server.url.replace(/^http/, 'ws')}/realtime/visitor`);
    visitor.send({ type: 'hello', website_id: server.demo.websiteId, vuid: 'demo-visitor-lea', ref: 'h' });
    const welcome = await visitor.next((frame) => frame.type === 'welcome', 10_000);
    expect((welcome.conversation as { id?: number } | null)?.id).toBe(conversationId);
    visitor.send({ type: 'message', text: 'Actually it has not arrived yet', client_message_id: 'lea-2' });
    await ada.getByTestId('history').getByText('Actually it has not arrived yet').waitFor();
    await ada.getByRole('textbox', { name: 'Reply' }).fill('Sorry! I am checking with the carrier.');
    await ada.getByRole('textbox', { name: 'Reply' }).press('Enter');
    await visitor.next((frame) => frame.type === 'entry' && frame.kind === 'operator', 10_000);
    await shot(ada, 'reopened-and-continued');

    // 5. In French.
    await ada.getByLabel('Language').selectOption('fr');
    await details.getByRole('heading', { name: 'Étiquettes' }).waitFor();
    await details.getByRole('heading', { name: 'Ventes' }).waitFor();
    await details.getByRole('button', { name: 'Imprimer / PDF' }).waitFor();
  });
});
