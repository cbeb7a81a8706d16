// Issue 20's WhatsApp header and URL-button variables against the fake Graph API, on SQLite and PostgreSQL: a template
// with a text header variable and a dynamic URL button is filed at Meta with its examples, approved by the signed
// review webhook, and sent through `/messenger/submit` with the header, body and button components Meta expects;
// when Meta's approved template wants other parameters than the send gives, Meta's 132000 refusal fails the send.
import { FakeWhatsApp } from '@causerie/test-support/fakes/whatsapp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChannelTestSetup, closeChannelTest, connectFake, startChannelApp } from '../../test/channel-app.js';
import {
  type CallbackReceiver,
  messagingCaller,
  startCallbackReceiver,
  until as untilWithin,
} from '../../test/messaging.js';
import type { TemplateView } from './templates.js';

/** The worker's calls to Meta wait behind whatever else the machine runs: 30 s. */
const until = <T>(check: () => Promise<T> | T, timeoutMs = 30_000) => untilWithin(check, timeoutMs);

const WABA = '102290129340777';
const WHATSAPP = {
  phone_number_id: '106540352242777',
  access_token: 'EAAG-template-variables-token-0123',
  app_secret: 'app-secret-template-variables',
  verify_token: 'verify-template-variables',
};

let s: ChannelTestSetup;
let whatsapp: FakeWhatsApp;
let receiver: CallbackReceiver;
let whatsappChannelId: number;
let agentId: number;
const call = messagingCaller(() => s.t.app);

interface ReportCallback {
  type: string;
  id: number;
  state: string;
  data: Record<string, unknown>;
}
const reports = (id: number) =>
  receiver
    .deliveries()
    .map((delivery) => delivery.body as unknown as ReportCallback)
    .filter((body) => body.type === 'MESSENGER_REPORT' && body.id === id);

async function lastReport(id: number, state: string): Promise<ReportCallback> {
  return until(() => {
    const last = reports(id).at(-1);
    if (last?.state !== state) throw new Error(`send ${id}: ${reports(id).map((r) => r.state)} so far`);
    return last;
  });
}

/** Creates a WhatsApp template, waits until Meta filed it, and approves it by Meta's review webhook. */
async function approvedTemplate(name: string, content: Record<string, unknown>): Promise<number> {
  const created = await call<TemplateView>('POST', '/messenger/template', s.key, {
    name,
    language: 'fr',
    category: 'UTILITY',
    content,
    whatsapp: { channel_id: whatsappChannelId, waba_id: WABA },
  });
  expect(created.status).toBe(201);
  const id = created.body.data.id;
  await until(async () => {
    const read = await call<TemplateView>('GET', `/messenger/template/${id}`, s.key);
    expect(read.body.data.whatsapp?.meta_template_id).not.toBeNull();
  });
  expect(await whatsapp.review(name, 'APPROVED')).toBe(200);
  await until(async () => {
    const read = await call<TemplateView>('GET', `/messenger/template/${id}`, s.key);
    expect(read.body.data.whatsapp?.status).toBe('approved');
  });
  return id;
}

const SHIPPED = {
  header: { type: 'text', text: 'Commande {{order}}' },
  body: 'Bonjour {{firstname}}, votre colis est parti.',
  footer: 'Boulangerie Martin',
  buttons: [
    { type: 'reply', text: 'Merci' },
    { type: 'url', text: 'Suivre', url: 'https://shop.example/suivi/{{tracking}}' },
  ],
};

beforeAll(async () => {
  s = await startChannelApp();
  whatsapp = await new FakeWhatsApp({
    phoneNumberId: WHATSAPP.phone_number_id,
    accessToken: WHATSAPP.access_token,
    appSecret: WHATSAPP.app_secret,
    wabaId: WABA,
  }).start();
  whatsappChannelId = await connectFake(s, whatsapp, { type: 'whatsapp', credentials: WHATSAPP });
  receiver = await startCallbackReceiver();
  const registered = await call<{ secret: string }>('POST', '/system/callback', s.key, { url: receiver.url });
  receiver.trust(registered.body.data.secret);
  const agent = await call<{ id: number }>('POST', '/chatbot/agent', s.key, {
    name: 'Boulangerie Martin',
    description: 'Commandes et retraits',
    logo_url: 'https://cdn.example.fr/logo.png',
    banner_url: 'https://cdn.example.fr/banner.png',
    brand_color: '#0b78d0',
    privacy_url: 'https://example.fr/privacy',
    terms_url: 'https://example.fr/terms',
    channels: ['whatsapp'],
    whatsapp_channel_id: whatsappChannelId,
  });
  expect(agent.status).toBe(201);
  agentId = agent.body.data.id;
});
afterAll(async () => {
  await receiver.close();
  await closeChannelTest(s, whatsapp);
});

describe('WhatsApp header and URL-button variables', () => {
  it('names the field of a second header variable and of a variable inside a WhatsApp url', async () => {
    const header = await call('POST', '/messenger/template', s.key, {
      name: 'deux_en_tete',
      language: 'fr',
      category: 'UTILITY',
      content: { ...SHIPPED, header: { type: 'text', text: '{{firstname}} : commande {{order}}' } },
      whatsapp: { channel_id: whatsappChannelId, waba_id: WABA },
    });
    expect(header.status).toBe(400);
    expect(header.body.meta.field).toBe('content.header.text');
    const url = await call('POST', '/messenger/template', s.key, {
      name: 'lien_milieu',
      language: 'fr',
      category: 'UTILITY',
      content: {
        ...SHIPPED,
        buttons: [{ type: 'url', text: 'Suivre', url: 'https://shop.example/{{tracking}}/suivi' }],
      },
      whatsapp: { channel_id: whatsappChannelId, waba_id: WABA },
    });
    expect(url.status).toBe(400);
    expect(url.body.meta.field).toBe('content.buttons[0].url');
    expect(url.body.meta.message).toContain('at the end of the url');
  });

  it('files the header and the dynamic url with examples, and sends their values as Meta components', async () => {
    const id = await approvedTemplate('colis_parti', SHIPPED);
    const filed = whatsapp.templates.find((template) => template.name === 'colis_parti');
    expect(filed?.components).toEqual([
      { type: 'HEADER', format: 'TEXT', text: 'Commande {{1}}', example: { header_text: ['<order>'] } },
      {
        type: 'BODY',
        text: 'Bonjour {{1}}, votre colis est parti.',
        example: { body_text: [['<firstname>']] },
      },
      { type: 'FOOTER', text: 'Boulangerie Martin' },
      {
        type: 'BUTTONS',
        buttons: [
          { type: 'QUICK_REPLY', text: 'Merci' },
          {
            type: 'URL',
            text: 'Suivre',
            url: 'https://shop.example/suivi/{{1}}',
            example: ['https://shop.example/suivi/tracking'],
          },
        ],
      },
    ]);

    const sent = await call<{ id: number }>('POST', '/messenger/submit', s.key, {
      agent_id: agentId,
      to: '+33612345601',
      content: { template_id: id },
      variables: { firstname: 'Léa', order: 'A-1042', tracking: 'XK42-FR' },
    });
    expect(sent.status).toBe(202);
    await lastReport(sent.body.data.id, 'read');
    const message = whatsapp.accepted.find((item) => item.to === '33612345601');
    expect(message?.body.template).toEqual({
      name: 'colis_parti',
      language: { code: 'fr' },
      components: [
        { type: 'header', parameters: [{ type: 'text', text: 'A-1042' }] },
        { type: 'body', parameters: [{ type: 'text', text: 'Léa' }] },
        { type: 'button', sub_type: 'url', index: '1', parameters: [{ type: 'text', text: 'XK42-FR' }] },
      ],
    });
    // A send must give every variable, the header's and the url's included.
    const missing = await call('POST', '/messenger/submit', s.key, {
      agent_id: agentId,
      to: '+33612345602',
      content: { template_id: id },
      variables: { firstname: 'Léa', order: 'A-1042' },
    });
    expect(missing.status).toBe(400);
    expect(missing.body.meta.field).toBe('variables.tracking');
  });

  it("sends a media header's link, and fails a send Meta refuses for its parameter count with Meta's error", async () => {
    const id = await approvedTemplate('facture_prete', {
      header: { type: 'document', url: 'https://cdn.shop.example/facture.pdf' },
      body: 'Bonjour {{firstname}}, votre facture est prête.',
      buttons: [{ type: 'url', text: 'Payer', url: 'https://shop.example/payer/{{invoice}}' }],
    });
    const sent = await call<{ id: number }>('POST', '/messenger/submit', s.key, {
      agent_id: agentId,
      to: '+33612345603',
      content: { template_id: id },
      variables: { firstname: 'Hugo', invoice: 'F-77' },
    });
    await lastReport(sent.body.data.id, 'read');
    expect(whatsapp.accepted.find((item) => item.to === '33612345603')?.body.template).toMatchObject({
      components: [
        {
          type: 'header',
          parameters: [{ type: 'document', document: { link: 'https://cdn.shop.example/facture.pdf' } }],
        },
        { type: 'body', parameters: [{ type: 'text', text: 'Hugo' }] },
        { type: 'button', sub_type: 'url', index: '0', parameters: [{ type: 'text', text: 'F-77' }] },
      ],
    });

    // The business changes the approved template in WhatsApp Manager: its link is now fixed at Meta, so the one
    // parameter Causerie sends for it no longer matches what Meta expects.
    const filed = whatsapp.templates.find((template) => template.name === 'facture_prete');
    const buttons = ((filed?.components ?? []) as Array<Record<string, unknown>>).find((c) => c.type === 'BUTTONS');
    if (buttons === undefined) throw new Error('no BUTTONS component filed');
    buttons.buttons = [{ type: 'URL', text: 'Payer', url: 'https://shop.example/payer' }];
    const refused = await call<{ id: number }>('POST', '/messenger/submit', s.key, {
      agent_id: agentId,
      to: '+33612345604',
      content: { template_id: id },
      variables: { firstname: 'Inès', invoice: 'F-78' },
    });
    const failed = await lastReport(refused.body.data.id, 'failed');
    expect(failed.data.error).toEqual({
      code: '132000',
      message:
        '(#132000) Number of parameters does not match the expected number of params button 0: number of localizable_params (1) does not match the expected number of params (0)',
    });
    expect(whatsapp.accepted.some((item) => item.to === '33612345604')).toBe(false);
  });
});
