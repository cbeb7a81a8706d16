// Issue 20's chat tokens, on SQLite and PostgreSQL, with the fake Twilio: the seed's flow "template → token →
// submit" (a template with {{chat_url}} sent by SMS carries a token's URL; opening it reports the send and the token
// read, once), the page (escaped branding, strict CSP with a nonce, the recipient identified as the contact whose SMS
// history the chat continues: the widget's signed hello lands on that visitor), single and multiple use, revoked and
// expired links (410), unknown ones (404), and bad input named by field.
import { FakeTwilio } from '@causerie/test-support/fakes/twilio';
import { socketUrl } from '@causerie/test-support/live-sockets';
import { RealtimeClient } from '@causerie/test-support/realtime-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChannelTestSetup, closeChannelTest, connectFake, startChannelApp } from '../../test/channel-app.js';
import { type CallbackReceiver, messagingCaller, startCallbackReceiver, until } from '../../test/messaging.js';
import type { ChatTokenView } from './chat-tokens.js';
import type { MessengerMessageView } from './messages.js';
import type { TemplateView } from './templates.js';

const TWILIO = {
  accountSid: `AC${'f6'.repeat(16)}`,
  authToken: 'twilio-auth-token-tokens-00001',
  numbers: ['+33757000555'],
};

let s: ChannelTestSetup;
let twilio: FakeTwilio;
let receiver: CallbackReceiver;
let agentId: number;
const call = messagingCaller(() => s.t.app);

interface Report {
  type: string;
  id: number;
  state: string;
  data: { token_id?: number; reference: string | null; channel: string | null };
}
const reports = () =>
  receiver
    .deliveries()
    .map((delivery) => delivery.body as unknown as Report)
    .filter((body) => body.type === 'MESSENGER_REPORT');

async function open(url: string) {
  const path = new URL(url).pathname;
  const response = await s.t.app.inject({ method: 'GET', url: path });
  return { status: response.statusCode, html: response.body, csp: String(response.headers['content-security-policy']) };
}

beforeAll(async () => {
  s = await startChannelApp();
  twilio = await new FakeTwilio({ ...TWILIO, ratePerSecond: 1000 }).start();
  const smsChannelId = await connectFake(s, twilio, {
    type: 'sms',
    credentials: { account_sid: TWILIO.accountSid, auth_token: TWILIO.authToken, from: TWILIO.numbers[0] ?? '' },
  });
  receiver = await startCallbackReceiver();
  const registered = await call<{ secret: string }>('POST', '/system/callback', s.key, { url: receiver.url });
  receiver.trust(registered.body.data.secret);
  const agent = await call<{ id: number }>('POST', '/chatbot/agent', s.key, {
    name: 'Boulangerie <Martin>',
    description: 'Commandes & retraits',
    logo_url: 'https://cdn.example.fr/logo.png',
    banner_url: 'https://cdn.example.fr/banner.png',
    brand_color: '#0b78d0',
    privacy_url: 'https://example.fr/privacy',
    terms_url: 'https://example.fr/terms',
    channels: ['sms'],
    sms_channel_id: smsChannelId,
  });
  agentId = agent.body.data.id;
});
afterAll(async () => {
  await receiver.close();
  await closeChannelTest(s, twilio);
});

describe('chat tokens', () => {
  it('template → token → submit: the SMS carries the URL; opening it reports the send and the token read, once', async () => {
    const template = await call<TemplateView>('POST', '/messenger/template', s.key, {
      name: 'suivi_commande',
      language: 'fr',
      category: 'UTILITY',
      content: { body: 'Bonjour {{firstname}}, discutons de votre commande : {{chat_url}}' },
    });
    expect(template.status).toBe(201);
    const customer = '+33612340201';
    const sent = await call<{ id: number }>('POST', '/messenger/submit', s.key, {
      agent_id: agentId,
      to: customer,
      content: { template_id: template.body.data.id },
      variables: { firstname: 'Léa' },
      reference: 'suivi-1',
    });
    expect(sent.status).toBe(202);
    const id = sent.body.data.id;
    await until(
      () =>
        expect(
          reports()
            .filter((r) => r.id === id)
            .map((r) => r.state),
        ).toContain('delivered'),
      15_000,
    );
    const text = twilio.accepted.find((message) => message.to === customer)?.body ?? '';
    const url = /(http:\/\/\S+\/chat\/t\/[A-Za-z0-9_-]{43})$/.exec(text)?.[1];
    expect(text.startsWith('Bonjour Léa, discutons de votre commande : ')).toBe(true);
    expect(url).toBeDefined();

    const page = await open(url ?? '');
    expect(page.status).toBe(200);
    expect(page.html).toContain('Boulangerie &#60;Martin&#62;');
    expect(page.html).not.toContain('Boulangerie <Martin>');
    const nonce = /'nonce-([^']+)'/.exec(page.csp)?.[1];
    expect(page.csp).toContain("frame-ancestors 'none'");
    expect(page.html).toContain(`<script nonce="${nonce}">`);
    await until(() => {
      const read = reports().filter((r) => r.state === 'read' && r.id === id);
      // One for the send (its state), one for the token that carried it (data.token_id).
      expect(read).toHaveLength(2);
      expect(read.filter((r) => r.data.token_id !== undefined)).toHaveLength(1);
    });
    const message = await call<MessengerMessageView>('GET', `/messenger/message/${id}`, s.key);
    expect(message.body.data.state).toBe('read');

    // The widget's signed hello from that page lands on the contact who received the SMS.
    const identity = JSON.parse(/Causerie\.identify\((\{.*?\})\)/.exec(page.html)?.[1] ?? '{}') as Record<
      string,
      string
    >;
    const websiteId = Number(/data-website="(\d+)"/.exec(page.html)?.[1]);
    const visitor = await RealtimeClient.open(socketUrl(s.publicUrl, '/realtime/visitor'));
    visitor.send({ type: 'hello', website_id: websiteId, identity });
    const welcome = await visitor.next((frame) => frame.type === 'welcome', 10_000);
    expect(welcome.vuid).toBe(`sms:${customer}`);
    visitor.socket.terminate();

    // Single use: the second opening is a page saying so; no second report.
    const again = await open(url ?? '');
    expect(again.status).toBe(410);
    expect(again.html).toContain('déjà été utilisé');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(reports().filter((r) => r.state === 'read' && r.id === id)).toHaveLength(2);
  });

  it('makes a multiple-use token through the API: one read report however often it opens; revoked → 410', async () => {
    const made = await call<ChatTokenView & { token: string; url: string }>('POST', '/chatbot/token', s.key, {
      agent_id: agentId,
      recipient: { email: 'lea@example.fr', firstname: 'Léa' },
      variables: { order: 'A-1042' },
      multiple_use: true,
      reference: 'lien-lea',
    });
    expect(made.status).toBe(201);
    expect(made.body.data.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(made.body.data.state).toBe('active');
    for (let n = 0; n < 3; n++) expect((await open(made.body.data.url)).status).toBe(200);
    await until(() =>
      expect(reports().filter((r) => r.data.token_id === made.body.data.id && r.state === 'read')).toHaveLength(1),
    );
    expect(reports().find((r) => r.data.token_id === made.body.data.id)?.data.reference).toBe('lien-lea');
    const listed = await call<ChatTokenView[]>('GET', `/chatbot/token?agent_id=${agentId}`, s.key);
    const row = listed.body.data.find((item) => item.id === made.body.data.id);
    expect(row).toMatchObject({ uses: 3, state: 'active' });
    expect(JSON.stringify(listed.body.data)).not.toContain(made.body.data.token);
    expect((await call('DELETE', `/chatbot/token/${made.body.data.id}`, s.key)).status).toBe(200);
    const revoked = await open(made.body.data.url);
    expect(revoked.status).toBe(410);
    expect(revoked.html).toContain('n’est plus valable');
  });

  it('answers an expired link with 410 and an unknown one with 404', async () => {
    const made = await call<{ id: number; url: string }>('POST', '/chatbot/token', s.key, {
      agent_id: agentId,
      recipient: { external_id: 'crm-42' },
      expires_in_days: 1,
    });
    // A day later (the clock is the row's).
    await s.t.store.db
      .updateTable('chat_token')
      .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
      .where('id', '=', made.body.data.id)
      .execute();
    expect((await open(made.body.data.url)).status).toBe(410);
    expect((await open(`${s.publicUrl}/chat/t/${'x'.repeat(43)}`)).status).toBe(404);
  });

  it('names the field of bad input', async () => {
    const nobody = await call('POST', '/chatbot/token', s.key, { agent_id: agentId, recipient: { firstname: 'Léa' } });
    expect(nobody.status).toBe(400);
    expect(nobody.body.meta.field).toBe('recipient');
    const landline = await call('POST', '/chatbot/token', s.key, {
      agent_id: agentId,
      recipient: { phone: '+33145678900' },
    });
    expect(landline.status).toBe(400);
    expect(landline.body.meta.field).toBe('recipient.phone');
    const unknown = await call('POST', '/chatbot/token', s.key, { agent_id: 999_999, recipient: { email: 'a@b.fr' } });
    expect(unknown.status).toBe(404);
    expect(unknown.body.meta.field).toBe('agent_id');
    const tooLong = await call('POST', '/chatbot/token', s.key, {
      agent_id: agentId,
      recipient: { email: 'a@b.fr' },
      expires_in_days: 400,
    });
    expect(tooLong.status).toBe(400);
  });
});
