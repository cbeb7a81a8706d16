// A whole conversation in real consoles: a visitor chats with Ada both ways (typing, read, notes, navigation), Ada transfers to Alan, Alan closes it.
import { type Frame, RealtimeClient } from '@causerie/test-support/realtime-client';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, makeAvailable, openConsole, type RunningServer, shot, startServer } from './harness.js';

let server: RunningServer;
let browser: Browser;
const contexts: BrowserContext[] = [];
let visitor: RealtimeClient | null = null;

const HOSTILE = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script> my order is late';

async function consoleFor(email: string, password: string): Promise<Page> {
  const page = await openConsole(browser, server, email, password);
  contexts.push(page.context());
  return page;
}

/** Frames of the visitor socket of a type, from the start. */
const framesOf = (type: string): Frame[] => visitor?.frames.filter((frame) => frame.type === type) ?? [];

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

describe('a conversation between a visitor and the console', () => {
  it('goes both ways, is transferred, and is closed with the closing form', async () => {
    // 1. Ada logs in and becomes available for chat.
    const ada = await consoleFor(server.demo.login.email, server.demo.login.password);
    await makeAvailable(ada);
    await shot(ada, 'ada-available');

    // 2. A visitor on the demo website starts a conversation (realtime socket, as the widget does).
    visitor = await RealtimeClient.open(`${server.url.replace(/^http/, 'ws')}/realtime/visitor`);
    visitor.send({ type: 'hello', website_id: server.demo.websiteId, ref: 'h' });
    await visitor.next((frame) => frame.type === 'welcome', 10_000);
    visitor.send({ type: 'start', text: HOSTILE, client_message_id: 'v-1' });
    const started = await visitor.next((frame) => frame.type === 'started', 10_000);
    expect(started.outcome).toBe('assigned');
    const conversationId = Number(started.conversation_id);

    // 3. It appears in Ada's list; the hostile message shows as text and runs nothing.
    const item = ada.getByTestId(`conversation-${conversationId}`);
    await item.waitFor();
    await item.click();
    const adaHistory = ada.getByTestId('history');
    await adaHistory.getByText(HOSTILE, { exact: true }).waitFor();
    expect(await adaHistory.locator('img, script').count()).toBe(0);
    expect(await ada.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    await shot(ada, 'ada-new-conversation');

    // 4. Typing both ways.
    visitor.send({ type: 'typing', on: true });
    await ada.getByTestId('typing').waitFor();
    await shot(ada, 'visitor-typing');
    visitor.send({ type: 'typing', on: false });
    await ada.getByTestId('typing').waitFor({ state: 'detached' });
    const composer = ada.getByRole('textbox', { name: 'Reply' });
    await composer.fill('Hello! Let me check <b>that</b> for you.');
    await visitor.next((frame) => frame.type === 'typing' && frame.on === true, 10_000);

    // 5. Ada answers; the visitor gets it, as text.
    await composer.press('Enter');
    const answer = await visitor.next((frame) => frame.type === 'entry' && frame.kind === 'operator', 10_000);
    expect(answer.text).toBe('Hello! Let me check <b>that</b> for you.');
    await adaHistory
      .locator('[data-kind="operator"]')
      .getByText('Hello! Let me check <b>that</b> for you.', { exact: true })
      .waitFor();

    // 6. The visitor reads it: Ada sees "Seen". The visitor saw Ada read theirs.
    visitor.send({ type: 'read', seq: Number(answer.seq) });
    await ada.getByTestId('seen').waitFor();
    expect(framesOf('read').some((frame) => frame.by === 'operator')).toBe(true);

    // 7. The visitor answers and moves to another page; both show up.
    visitor.send({ type: 'message', text: 'Order #1001, thanks', client_message_id: 'v-2' });
    await adaHistory.getByText('Order #1001, thanks', { exact: true }).waitFor();
    visitor.send({ type: 'navigate', url: 'https://shop.causerie.test/orders/1001' });
    await ada.getByTestId('navigation').getByText('https://shop.causerie.test/orders/1001').waitFor();
    await shot(ada, 'both-ways');

    // 8. A private note: shown apart to operators, never sent to the visitor.
    await ada.getByRole('radio', { name: /Private note/ }).check();
    await ada.getByRole('textbox', { name: 'Private note' }).fill('VIP customer, be quick');
    await ada.getByRole('button', { name: 'Send' }).click();
    const note = adaHistory.locator('[data-kind="note"]').filter({ hasText: 'VIP customer, be quick' });
    await note.waitFor();
    expect(await note.textContent()).toContain('Private note');
    await shot(ada, 'private-note');

    // 9. Alan logs in; Ada transfers the conversation to him.
    const alan = await consoleFor('alan@demo.causerie.test', server.demo.login.password);
    await makeAvailable(alan);
    await ada.getByRole('button', { name: 'Transfer' }).click();
    await ada.getByRole('dialog').getByLabel('To an operator').first().check();
    await ada.getByRole('dialog').locator('select[name="transfer-target"]').selectOption({ label: 'Alan' });
    await shot(ada, 'transfer-dialog');
    await ada.getByRole('dialog').getByRole('button', { name: 'Transfer' }).click();
    await ada.getByRole('dialog').waitFor({ state: 'detached' });
    await alan.getByTestId(`conversation-${conversationId}`).waitFor();
    await ada.getByTestId('list-mine').getByTestId(`conversation-${conversationId}`).waitFor({ state: 'detached' });
    await ada.getByTestId('read-only').waitFor();
    await shot(ada, 'ada-after-transfer');

    // 10. Alan sees the history (notes included) and answers.
    await alan.getByTestId(`conversation-${conversationId}`).click();
    const alanHistory = alan.getByTestId('history');
    await alanHistory.getByText('VIP customer, be quick').waitFor();
    await alanHistory.getByText('Conversation transferred to Alan', { exact: true }).waitFor();
    await alanHistory.getByText(HOSTILE, { exact: true }).waitFor();
    await alan.getByRole('textbox', { name: 'Reply' }).fill('Alan here, your parcel leaves today.');
    await alan.getByRole('button', { name: 'Send' }).click();
    await visitor.next(
      (frame) => frame.type === 'entry' && frame.kind === 'operator' && frame.operator_id !== answer.operator_id,
      10_000,
    );
    await shot(alan, 'alan-answers');

    // 11. Alan closes with the closing form (a tag and a closing note).
    await alan.getByRole('button', { name: 'Close' }).click();
    const dialog = alan.getByRole('dialog');
    await dialog.getByLabel('Delivery').check();
    await dialog.getByLabel('Closing note (private)').fill('Parcel shipped');
    await shot(alan, 'closing-form');
    await dialog.getByRole('button', { name: 'Close the conversation' }).click();
    await alan.getByTestId('read-only').filter({ hasText: 'This conversation is closed.' }).waitFor();
    await visitor.next(
      (frame) => frame.type === 'conversation' && (frame.conversation as { status?: string }).status === 'closed',
      10_000,
    );
    await shot(alan, 'closed');

    // The visitor never received a note; the API has the outcome.
    expect(visitor.frames.filter((frame) => frame.type === 'entry').some((frame) => frame.kind === 'note')).toBe(false);
    const stored = await fetch(`${server.url}/api/2/conversation/${conversationId}`, {
      headers: { 'x-api-key': server.demo.apiKey },
    });
    const data = ((await stored.json()) as { data: { status: string; operator_id: number; tag_list: number[] } }).data;
    expect(data.status).toBe('closed');
    expect(data.tag_list.length).toBe(1);
    const alanRow = (
      (await (
        await fetch(`${server.url}/api/2/operator?full=1`, { headers: { 'x-api-key': server.demo.apiKey } })
      ).json()) as { data: { id: number; email: string }[] }
    ).data.find((operator) => operator.email === 'alan@demo.causerie.test');
    expect(data.operator_id).toBe(alanRow?.id);

    // Closed conversations are in Alan's "Closed" list.
    await alan.getByRole('tab', { name: /Closed/ }).click();
    await alan.getByTestId('list-closed').getByTestId(`conversation-${conversationId}`).waitFor();
  });

  it('rings and notifies for a new conversation, and lets a busy operator take one from the waiting queue', async () => {
    const operators = (
      (await (
        await fetch(`${server.url}/api/2/operator?full=1`, { headers: { 'x-api-key': server.demo.apiKey } })
      ).json()) as { data: { id: number; email: string }[] }
    ).data;
    const idOf = (email: string) => operators.find((operator) => operator.email === email)?.id ?? 0;
    const put = (path: string, body: unknown) =>
      fetch(`${server.url}/api/2${path}`, {
        method: 'PUT',
        headers: { 'x-api-key': server.demo.apiKey, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    // Only Grace answers, with one free slot.
    for (const email of [server.demo.login.email, 'alan@demo.causerie.test'])
      expect((await put(`/operator/${idOf(email)}/live`, { chat: { available: 0 } })).status).toBe(200);
    // Her slots: the demo conversations she already has open, plus one.
    const graceId = idOf('grace@demo.causerie.test');
    const hers = (
      (await (
        await fetch(`${server.url}/api/2/conversation?full=1&filters[operator_id]=${graceId}`, {
          headers: { 'x-api-key': server.demo.apiKey },
        })
      ).json()) as { data: { status: string }[] }
    ).data;
    expect(
      (await put(`/operator/${graceId}`, { chat_max_number: hers.filter((row) => row.status !== 'closed').length + 1 }))
        .status,
    ).toBe(200);

    const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1366, height: 820 } });
    contexts.push(context);
    await context.grantPermissions(['notifications'], { origin: server.url });
    // Records desktop notifications (headless Chromium shows none).
    await context.addInitScript(() => {
      const Original = window.Notification;
      const shown: { title: string; body: string | undefined }[] = [];
      (window as unknown as { __notifications: typeof shown }).__notifications = shown;
      class Recorded extends Original {
        constructor(title: string, options?: NotificationOptions) {
          super(title, options);
          shown.push({ title, body: options?.body });
        }
      }
      window.Notification = Recorded;
    });
    const grace = await context.newPage();
    await grace.goto(`${server.url}/admin/`);
    await grace.getByLabel('Email').fill('grace@demo.causerie.test');
    await grace.getByLabel('Password').fill(server.demo.login.password);
    await grace.getByRole('button', { name: 'Log in' }).click();
    await grace.getByTestId('connection').filter({ hasText: 'Connected' }).waitFor();
    await makeAvailable(grace);

    const first = await RealtimeClient.open(`${server.url.replace(/^http/, 'ws')}/realtime/visitor`);
    const second = await RealtimeClient.open(`${server.url.replace(/^http/, 'ws')}/realtime/visitor`);
    try {
      await first.request({ type: 'hello', website_id: server.demo.websiteId }, 'welcome', 10_000);
      const assigned = await first.request({ type: 'start', text: 'First in line' }, 'started', 10_000);
      expect(assigned.outcome).toBe('assigned');
      await grace.getByTestId(`conversation-${String(assigned.conversation_id)}`).waitFor();
      await expect
        .poll(() =>
          grace.evaluate(
            () => (window as unknown as { __notifications: { title: string; body?: string }[] }).__notifications,
          ),
        )
        .toEqual([
          {
            title: 'New conversation',
            body: `Conversation #${String(assigned.conversation_id)} is waiting for your answer.`,
          },
        ]);

      await second.request({ type: 'hello', website_id: server.demo.websiteId }, 'welcome', 10_000);
      const queued = await second.request({ type: 'start', text: 'Second in line' }, 'started', 10_000);
      expect(queued.outcome).toBe('queued');
      await grace.getByTestId('queue-count').filter({ hasText: '1 waiting' }).waitFor();
      await grace.getByRole('tab', { name: /Waiting/ }).click();
      const waitingItem = grace
        .getByTestId('list-waiting')
        .getByTestId(`conversation-${String(queued.conversation_id)}`);
      await waitingItem.waitFor();
      await shot(grace, 'waiting-queue');
      await grace.getByTestId('list-waiting').getByRole('button', { name: 'Take' }).click();
      await grace.getByTestId('history').getByText('Second in line', { exact: true }).waitFor();
      await grace.getByRole('tab', { name: /Mine/ }).click();
      await grace
        .getByTestId('list-mine')
        .getByTestId(`conversation-${String(queued.conversation_id)}`)
        .waitFor();
      await second.next(
        (frame) =>
          frame.type === 'conversation' &&
          (frame.conversation as { operator?: { name?: string } | null }).operator?.name === 'Grace',
        10_000,
      );
      await shot(grace, 'taken-from-queue');
    } finally {
      await first.close();
      await second.close();
    }
  });

  it('two browser contexts: a visitor using the widget on /demo and Ada in the console, both ways, as text', async () => {
    const operators = (
      (await (
        await fetch(`${server.url}/api/2/operator?full=1`, { headers: { 'x-api-key': server.demo.apiKey } })
      ).json()) as { data: { id: number; email: string }[] }
    ).data;
    // Only Ada answers.
    for (const operator of operators.filter((row) => row.email !== server.demo.login.email)) {
      await fetch(`${server.url}/api/2/operator/${operator.id}/live`, {
        method: 'PUT',
        headers: { 'x-api-key': server.demo.apiKey, 'content-type': 'application/json' },
        body: JSON.stringify({ chat: { available: 0 } }),
      });
    }
    const ada = await consoleFor(server.demo.login.email, server.demo.login.password);
    await makeAvailable(ada);

    const visitorContext = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 800 } });
    contexts.push(visitorContext);
    const shop = await visitorContext.newPage();
    await shop.goto(`${server.url}/demo`);
    await shop.getByRole('button', { name: 'Open the chat' }).click();
    const widget = shop.frameLocator('#causerie-frame');
    await widget.locator('#cz-input').fill(`Widget visitor: ${HOSTILE}`);
    await widget.locator('#cz-input').press('Enter');
    await shot(shop, 'widget-visitor-asks');

    // Ada gets it in her list and reads it as text.
    const item = ada.getByTestId('list-mine').getByRole('button').filter({ hasText: 'Widget visitor:' });
    await item.waitFor({ timeout: 20_000 });
    await item.click();
    const history = ada.getByTestId('history');
    await history.getByText(`Widget visitor: ${HOSTILE}`, { exact: true }).waitFor();
    expect(await history.locator('img, script').count()).toBe(0);

    // Ada answers with markup; the visitor's widget shows it as text.
    const reply = '<a href="javascript:alert(1)">click</a> & <i>done</i>';
    await ada.getByRole('textbox', { name: 'Reply' }).fill(reply);
    await ada.getByRole('textbox', { name: 'Reply' }).press('Enter');
    await expect
      .poll(() => widget.locator('.cz-theirs .cz-text').allTextContents(), { timeout: 15_000 })
      .toContain(reply);
    expect(await widget.locator('.cz-theirs a, .cz-theirs i').count()).toBe(0);
    await shot(shop, 'widget-visitor-reads');

    // And the visitor answers back.
    await widget.locator('#cz-input').fill('Thanks, bye');
    await widget.locator('#cz-input').press('Enter');
    await history.getByText('Thanks, bye', { exact: true }).waitFor();
    expect(await shop.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await ada.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    await shot(ada, 'console-with-widget-visitor');

    // Ada closes; the API has it closed.
    const conversationId = Number(/conversations\/(\d+)/.exec(ada.url())?.[1]);
    await ada.getByRole('button', { name: 'Close' }).click();
    await ada.getByRole('dialog').getByRole('button', { name: 'Close the conversation' }).click();
    await ada.getByTestId('read-only').filter({ hasText: 'This conversation is closed.' }).waitFor();
    const stored = await fetch(`${server.url}/api/2/conversation/${conversationId}`, {
      headers: { 'x-api-key': server.demo.apiKey },
    });
    expect(((await stored.json()) as { data: { status: string } }).data.status).toBe('closed');
    await shot(shop, 'widget-after-close');
  });
});
