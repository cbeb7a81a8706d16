// Tags in real consoles (issue 22): Ada manages them on the tags page (create with a colour, a wrong colour refused
// beside its field, rename, archive), tags an open conversation of a visitor from the side panel with the keyboard,
// Alan sees the tag on that conversation and adds one that Ada's panel shows live, and the Closed list filters by it.
import { AxeBuilder } from '@axe-core/playwright';
import { RealtimeClient } from '@causerie/test-support/realtime-client';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  demoApi,
  launchBrowser,
  makeAvailable,
  openConsole,
  type RunningServer,
  shot,
  startServer,
} from './harness.js';

let server: RunningServer;
let browser: Browser;
const contexts: BrowserContext[] = [];
let visitor: RealtimeClient | null = null;
const suffix = Math.random().toString(36).slice(2, 7);

async function consoleFor(email: string, password: string): Promise<Page> {
  const page = await openConsole(browser, server, email, password);
  contexts.push(page.context());
  return page;
}

/** The critical and serious WCAG 2.1 A/AA violations axe finds on the page (or only in `within`) as it is now. */
async function blockingViolations(page: Page, within?: string): Promise<string[]> {
  let axe = new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']);
  if (within !== undefined) axe = axe.include(within);
  const results = await axe.analyze();
  return results.violations
    .filter((violation) => violation.impact === 'critical' || violation.impact === 'serious')
    .map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(' | ')}`);
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

describe('tags', () => {
  it('are managed on the tags page, put on an open conversation, seen by another operator and filtered by', async () => {
    const refund = `Refund ${suffix}`;
    const legacy = `Legacy ${suffix}`;
    const ada = await consoleFor(server.demo.login.email, server.demo.login.password);

    // 1. The tags page: create two tags (one green), refuse a colour that is not #rrggbb beside its field.
    await ada.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Administration' }).click();
    await ada.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'Tags' }).click();
    await ada.getByRole('heading', { name: 'Tags', level: 1 }).waitFor();
    const create = ada.getByRole('form', { name: 'New tag' });
    await create.getByLabel('Name').fill(`Refnd ${suffix}`);
    await create.getByLabel('Colour', { exact: true }).selectOption({ label: 'Green' });
    await create.getByRole('button', { name: 'Create the tag' }).click();
    await ada
      .getByTestId('tags-notice')
      .filter({ hasText: `Tag “Refnd ${suffix}” created.` })
      .waitFor();
    await create.getByLabel('Name').fill(legacy);
    await create.getByLabel('Other colour (#rrggbb)').fill('blue');
    await create.getByRole('button', { name: 'Create the tag' }).click();
    const colourInput = create.getByLabel('Other colour (#rrggbb)');
    await expect.poll(() => colourInput.getAttribute('aria-invalid')).toBe('true');
    await create.getByRole('alert').filter({ hasText: 'colour' }).waitFor();
    expect(await colourInput.evaluate((input) => input === document.activeElement)).toBe(true);
    await shot(ada, 'colour-refused');
    await colourInput.fill('#975A16');
    await create.getByRole('button', { name: 'Create the tag' }).click();
    await ada
      .getByTestId('tags-notice')
      .filter({ hasText: `Tag “${legacy}” created.` })
      .waitFor();

    // 2. Rename the first one (its row's form, keyboard: Enter saves); archive the second.
    await ada.getByRole('button', { name: `Edit Refnd ${suffix}` }).click();
    const edit = ada.getByRole('form', { name: `Edit the tag Refnd ${suffix}` });
    await edit.getByLabel('Name').fill(refund);
    await edit.getByLabel('Name').press('Enter');
    await ada
      .getByTestId('tags-notice')
      .filter({ hasText: `Tag “${refund}” saved.` })
      .waitFor();
    await ada.getByRole('button', { name: `Archive ${legacy}` }).click();
    await ada
      .getByTestId('tags-notice')
      .filter({ hasText: `Tag “${legacy}” archived.` })
      .waitFor();
    await ada.getByRole('button', { name: `Offer ${legacy} again` }).waitFor();
    await shot(ada, 'tags-page');
    expect(await blockingViolations(ada)).toEqual([]);
    await ada.getByRole('button', { name: `Edit ${refund}` }).click();
    expect(await blockingViolations(ada)).toEqual([]);
    await ada.keyboard.press('Escape');
    await ada.getByRole('button', { name: `Edit ${refund}` }).waitFor();
    const tags =
      await api<{ id: number; name: string; colour: string | null; archived: boolean }[]>('/tag?full=1&limit=100');
    const refundTag = tags.find((tag) => tag.name === refund);
    expect(refundTag).toMatchObject({ colour: '#2f855a', archived: false });
    expect(tags.find((tag) => tag.name === legacy)).toMatchObject({ colour: '#975a16', archived: true });

    // 3. A visitor writes; Ada takes it and tags it from the side panel with the keyboard. The archived tag is not offered.
    await ada.getByRole('link', { name: 'Conversations' }).click();
    await makeAvailable(ada);
    visitor = await RealtimeClient.open(`${server.url.replace(/^http/, 'ws')}/realtime/visitor`);
    visitor.send({ type: 'hello', website_id: server.demo.websiteId, ref: 'h' });
    await visitor.next((frame) => frame.type === 'welcome', 10_000);
    visitor.send({ type: 'start', text: 'I want my money back', client_message_id: 'v-1' });
    const started = await visitor.next((frame) => frame.type === 'started', 10_000);
    const conversationId = Number(started.conversation_id);
    await ada.getByTestId(`conversation-${conversationId}`).click();
    const details = ada.getByTestId('conversation-details');
    await details.getByText('No tag.').waitFor();
    const picker = details.getByLabel('Add a tag');
    expect(await picker.locator('option').allTextContents()).not.toContain(legacy);
    await picker.focus();
    await picker.selectOption({ label: refund });
    await ada.keyboard.press('Tab');
    await ada.keyboard.press('Enter');
    await details.getByTestId('conversation-tags').getByText(refund).waitFor();
    await shot(ada, 'tagged-open-conversation');
    expect(await blockingViolations(ada, '[data-testid="conversation-details"]')).toEqual([]);
    const stored = await api<{ tag_list: number[]; status: string }>(`/conversation/${conversationId}`);
    expect(stored).toMatchObject({ status: 'open', tag_list: [refundTag?.id] });

    // 4. Alan sees the tag on Ada's conversation.
    const alan = await consoleFor('alan@demo.causerie.test', server.demo.login.password);
    await alan.goto(`${server.url}/admin/conversations/${conversationId}`);
    await alan.getByTestId('conversation-details').getByTestId('conversation-tags').getByText(refund).waitFor();
    await shot(alan, 'alan-sees-the-tag');

    // 4b. Alan adds "Delivery" from his side: Ada's panel shows it without a reload (conversation.updated → state frame).
    const alanDetails = alan.getByTestId('conversation-details');
    await alanDetails.getByLabel('Add a tag').selectOption({ label: 'Delivery' });
    await alanDetails.getByRole('button', { name: 'Add', exact: true }).click();
    await alanDetails.getByTestId('conversation-tags').getByText('Delivery').waitFor();
    await details.getByTestId('conversation-tags').getByText('Delivery').waitFor();
    // And Ada removes it again with the keyboard (the chip's button is named after the tag).
    await details.getByRole('button', { name: 'Remove the tag Delivery' }).focus();
    await ada.keyboard.press('Enter');
    await details.getByTestId('conversation-tags').getByText('Delivery').waitFor({ state: 'detached' });

    // 5. Ada closes it; her Closed list filters by the tag (and by another, which hides it).
    await ada.getByRole('button', { name: 'Close' }).click();
    await ada.getByRole('dialog').getByRole('button', { name: 'Close the conversation' }).click();
    await ada.getByTestId('read-only').waitFor();
    await ada.getByRole('tab', { name: /Closed/ }).click();
    const filter = ada.getByLabel('Filter by tag');
    await filter.selectOption({ label: refund });
    const closedList = ada.getByTestId('list-closed');
    await closedList.getByTestId(`conversation-${conversationId}`).waitFor();
    expect(await closedList.getByTestId(`conversation-${conversationId}`).textContent()).toContain(refund);
    await shot(ada, 'closed-filtered-by-tag');
    await filter.selectOption({ label: 'Delivery' });
    await closedList.getByTestId(`conversation-${conversationId}`).waitFor({ state: 'detached' });

    // 6. The same page in French.
    await ada.getByLabel('Language').selectOption('fr');
    await ada.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Administration' }).click();
    await ada.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'Étiquettes' }).click();
    await ada.getByRole('heading', { name: 'Étiquettes', level: 1 }).waitFor();
    await ada.getByRole('button', { name: `Proposer à nouveau ${legacy}` }).waitFor();
    await ada
      .getByLabel('Langue')
      .selectOption('en')
      .catch(() => ada.getByLabel('Language').selectOption('en'));
  });
});
