// Transcript by e-mail in a real console (issue 22 §6): the node runs with SMTP_URL pointing at an SMTP server this
// test starts; Ada opens a conversation, e-mails its transcript to the visitor's address (prefilled), sees it queued
// then sent, and the SMTP server receives the visitor's and Ada's messages without the private note. In French too.
import { randomUUID } from 'node:crypto';
import { AxeBuilder } from '@axe-core/playwright';
import { Mailbox, quotedPrintableText } from '@causerie/test-support/mailbox';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoApi, launchBrowser, openConsole, type RunningServer, shot, startServer } from './harness.js';

let server: RunningServer;
let browser: Browser;
const contexts: BrowserContext[] = [];
const mailbox = new Mailbox();

const api = demoApi(() => server);

beforeAll(async () => {
  await mailbox.start();
  server = await startServer({ env: { SMTP_URL: mailbox.url } });
  browser = await launchBrowser();
});
afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
  await server?.stop();
  await mailbox.close();
});

describe('transcript by e-mail', () => {
  it("mails the conversation's transcript to the visitor from the console, without the private note", async () => {
    // A conversation of Ada's with a visitor who left an e-mail address, two messages and a private note.
    const suffix = randomUUID().slice(0, 8);
    const email = `julie-${suffix}@visitor.example`;
    const operators = await api<{ id: number; email: string }[]>('GET', '/operator?full=1&limit=100');
    const ada = operators.find((operator) => operator.email === server.demo.login.email);
    expect(ada).toBeDefined();
    await api('POST', '/visitor', { unique_id: `transcript-${suffix}`, email });
    const conversation = await api<{ id: number }>('POST', '/conversation', {
      website_id: server.demo.websiteId,
      operator_id: ada?.id,
      visitor_uid: `transcript-${suffix}`,
    });
    const post = (json: object) => api('POST', `/conversation/${conversation.id}/message`, json);
    await post({ type: 'visitor', text: `My parcel ${suffix} has not arrived.` });
    await post({ type: 'note', text: 'Private: offer a voucher only if they insist' });
    await post({ type: 'operator', text: 'I am sorry, I am sending a new one today.' });

    const page: Page = await openConsole(browser, server, server.demo.login.email, server.demo.login.password);
    contexts.push(page.context());
    await page.goto(`${server.url}/admin/conversations/${conversation.id}`);
    const details = page.getByTestId('conversation-details');
    await details.getByRole('button', { name: 'E-mail the transcript' }).click();
    const form = details.getByRole('form', { name: 'E-mail the transcript' });
    const address = form.getByLabel('Send to');
    // Prefilled with the visitor's address.
    await expect.poll(() => address.inputValue()).toBe(email);
    await shot(page, 'transcript-form');
    const axe = await new AxeBuilder({ page })
      .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
      .include('[data-testid="transcript-mail"]')
      .analyze();
    expect(
      axe.violations
        .filter((violation) => violation.impact === 'critical' || violation.impact === 'serious')
        .map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(' | ')}`),
    ).toEqual([]);

    // An incomplete address is not sent (the field is an e-mail field: the browser says what is missing).
    await address.fill('julie@');
    await form.getByRole('button', { name: 'Send' }).click();
    expect(await address.evaluate((input: HTMLInputElement) => input.validity.valid)).toBe(false);

    // Keyboard only: the address typed again, Enter sends.
    await address.fill(email);
    await address.press('Enter');
    const requests = details.getByTestId('transcript-requests');
    await requests.getByText(`Queued: transcript to ${email}`).waitFor();
    await requests.getByText(`Sent: transcript to ${email}`).waitFor({ timeout: 15_000 });
    await shot(page, 'transcript-sent');

    const [received] = await mailbox.mailsTo(email);
    const mail = quotedPrintableText(received?.raw ?? '');
    expect(mail).toContain('Subject: Your conversation with');
    expect(mail).toContain(`You: My parcel ${suffix} has not arrived.`);
    expect(mail).toContain('I am sorry, I am sending a new one today.');
    expect(mail).not.toContain('voucher');

    // In French: the button, and the statuses.
    await page.getByLabel('Language').selectOption('fr');
    await details.getByRole('button', { name: 'Envoyer la transcription par e-mail' }).waitFor();
    await requests.getByText(`Envoyée : transcription pour ${email}`, { exact: false }).waitFor();
  });
});
