// WhatsApp in a real console: a customer's photo shows in Ada's conversation, Ada answers with a file, and the
// reply's delivery state moves to Read as the (local) Cloud API reports it; a template goes from the Template dialog.
import { FakeWhatsApp } from '@causerie/test-support/fakes/whatsapp';
import type { Browser, Page } from 'playwright-core';
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

const CREDENTIALS = {
  phone_number_id: '123456789012345',
  access_token: 'EAAG-e2e-token',
  app_secret: 'e2e-app-secret',
  verify_token: 'e2e',
};
const CUSTOMER = '+33611112222';
// A 2×2 red PNG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEUlEQVR4nGP4z8DwnwGMgRQAH+4D/dJQfRoAAAAASUVORK5CYII=',
  'base64',
);
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');

let server: RunningServer;
let browser: Browser;
let fake: FakeWhatsApp;

const api = demoApi(() => server);

/** The customer's conversation, once the node has processed the webhook. */
async function conversationOf(phone: string): Promise<{ id: number; source: string }> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const found = (
      await api<Array<{ id: number; phone_number: string | null; source: string }>>(
        'GET',
        '/conversation?full=1&limit=50',
      )
    ).find((item) => item.phone_number === phone);
    if (found !== undefined) return found;
    if (Date.now() > deadline)
      throw new Error(`No conversation for ${phone} within 10 s:\n${server.output().slice(-2000)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  fake = await new FakeWhatsApp({
    phoneNumberId: CREDENTIALS.phone_number_id,
    accessToken: CREDENTIALS.access_token,
    appSecret: CREDENTIALS.app_secret,
  }).start();
  const channel = await api<{ webhook_url: string }>('POST', '/channel', {
    type: 'whatsapp',
    website_id: server.demo.websiteId,
    base_url: fake.url,
    credentials: CREDENTIALS,
  });
  fake.webhookUrl = channel.webhook_url;
});
afterAll(async () => {
  await fake?.settle();
  await fake?.stop();
  await browser?.close();
  await server?.stop();
});

describe('WhatsApp in the console', () => {
  it("shows the customer's photo, sends a file, and follows its delivery to Read", async () => {
    const ada: Page = await openConsole(browser, server, server.demo.login.email, server.demo.login.password);
    await makeAvailable(ada);

    // The customer sends a photo: Meta's webhook names a media id, the node downloads it from the Graph API.
    const mediaId = fake.addMedia(PNG, 'image/png');
    await fake.customerSends(
      CUSTOMER,
      { type: 'image', image: { id: mediaId, mime_type: 'image/png', caption: 'The box arrived broken' } },
      'Marie Curie',
    );
    const conversation = await conversationOf(CUSTOMER);
    const conversationId = conversation.id;
    expect(conversation.source).toBe('whatsapp');

    const item = ada.getByTestId(`conversation-${conversationId}`);
    await item.waitFor({ timeout: 10_000 });
    await item.click();
    const history = ada.getByTestId('history');
    await history.getByText('[image] The box arrived broken').waitFor();
    const photo = history.getByTestId('attachment-image');
    await photo.waitFor();
    // The picture itself was decoded (2×2), not a broken image.
    await expect.poll(() => photo.evaluate((image: HTMLImageElement) => image.naturalWidth)).toBe(2);
    // The visitor panel shows the customer's WhatsApp name and number.
    await ada.getByTestId('visitor-phone').filter({ hasText: CUSTOMER }).waitFor();
    await ada.getByTestId('visitor-panel').getByText('Marie Curie').waitFor();
    await shot(ada, 'whatsapp-photo');

    // Ada types a caption and sends a PDF with it.
    await ada.getByRole('textbox', { name: 'Reply' }).fill('Here is the return label');
    await ada
      .getByTestId('attach')
      .setInputFiles({ name: 'return-label.pdf', mimeType: 'application/pdf', buffer: PDF });
    const reply = history.getByTestId('entry').filter({ hasText: '[document] Here is the return label' });
    await reply.waitFor({ timeout: 10_000 });
    await reply.getByTestId('delivery').filter({ hasText: 'Read' }).waitFor({ timeout: 10_000 });
    expect(await ada.getByRole('textbox', { name: 'Reply' }).inputValue()).toBe('');
    expect(await reply.getByTestId('attachment-download').textContent()).toBe('Download return-label.pdf');
    await shot(ada, 'whatsapp-file-read');

    // What Meta received: a document by link, fetched from the node, the same bytes.
    const sent = fake.accepted.find((message) => message.type === 'document');
    expect(sent?.body.document).toMatchObject({ filename: 'return-label.pdf', caption: 'Here is the return label' });
    expect(sent?.fetched?.bytes.equals(PDF)).toBe(true);

    // An approved template (what WhatsApp still delivers after the 24-hour window), from the Template dialog.
    await ada.getByRole('button', { name: 'Template' }).click();
    const dialog = ada.getByRole('dialog', { name: 'Send a WhatsApp template' });
    await dialog.getByLabel('Template name').fill('order_update');
    await dialog.getByLabel('Parameters').fill('A-1042\ntomorrow');
    await dialog.getByRole('button', { name: 'Send the template' }).click();
    await dialog.waitFor({ state: 'detached' });
    const template = history
      .getByTestId('entry')
      .filter({ hasText: '[template order_update (en_US)] A-1042 | tomorrow' });
    await template.getByTestId('delivery').filter({ hasText: 'Read' }).waitFor({ timeout: 10_000 });
    expect(fake.accepted.find((message) => message.type === 'template')?.body.template).toMatchObject({
      name: 'order_update',
      language: { code: 'en_US' },
    });
    await shot(ada, 'whatsapp-template');
  });
});
