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
let smsChannelId: number;
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

const BROWSER =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 Safari/604.1';

async function open(url: string, userAgent = BROWSER, method: 'GET' | 'HEAD' = 'GET') {
  const path = new URL(url).pathname;
  const response = await s.t.app.inject({ method, url: path, headers: { 'user-agent': userAgent } });
  return { status: response.statusCode, html: response.body, csp: String(response.headers['content-security-policy']) };
}

beforeAll(async () => {
  s = await startChannelApp();
  twilio = await new FakeTwilio({ ...TWILIO, ratePerSecond: 1000 }).start();
  smsChannelId = await connectFake(s, twilio, {
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

    // The messaging app's link preview and a HEAD use nothing: the recipient's own opening is still the first.
    expect((await open(url ?? '', 'WhatsApp/2.24.8.78 i')).status).toBe(200);
    expect((await open(url ?? '', 'facebookexternalhit/1.1 Facebot Twitterbot/1.0')).status).toBe(200);
    expect((await open(url ?? '', BROWSER, 'HEAD')).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(reports().filter((r) => r.state === 'read' && r.id === id)).toHaveLength(0);

    const page = await open(url ?? '');
    expect(page.status).toBe(200);
    // The widget's loader adds a <style> to its shadow root: the policy lets it, scripts stay nonce-only.
    expect(page.csp).toMatch(/style-src 'self' 'unsafe-inline';/);
    expect(page.csp).not.toContain("script-src 'self' 'unsafe-inline'");
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

    // The widget's loader reads `window.causerieIdentity` ({ external_id, email?, hash }) and says hello with it: that
    // hello lands on the contact who received the SMS, resumes their conversation (the SMS, then the opening with
    // its variables in context), and what the person writes from the page is in that conversation.
    const identity = JSON.parse(/window\.causerieIdentity=(\{.*?\});/.exec(page.html)?.[1] ?? '{}') as Record<
      string,
      string
    >;
    expect(Object.keys(identity).sort()).toEqual(['external_id', 'hash']);
    const websiteId = Number(/data-website="(\d+)"/.exec(page.html)?.[1]);
    const smsConversation = await s.t.store.db
      .selectFrom('messenger_message')
      .select('conversation_id')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    const visitor = await RealtimeClient.open(socketUrl(s.publicUrl, '/realtime/visitor'));
    visitor.send({ type: 'hello', website_id: websiteId, identity });
    const welcome = await visitor.next((frame) => frame.type === 'welcome', 10_000);
    expect(welcome.vuid).toBe(`sms:${customer}`);
    expect((welcome.conversation as { id: number } | null)?.id).toBe(smsConversation.conversation_id);
    const smsEntry = await visitor.next((frame) => frame.type === 'entry' && frame.text === text, 10_000);
    expect(smsEntry.conversation_id).toBe(smsConversation.conversation_id);
    const opened = await visitor.next(
      (frame) => frame.type === 'entry' && String(frame.text).startsWith('Lien de discussion ouvert.'),
      10_000,
    );
    expect(opened.text).toBe('Lien de discussion ouvert.\nfirstname : Léa');
    visitor.send({ type: 'message', text: 'Je passe la prendre à 18 h', client_message_id: 'chat-page-1' });
    const ack = await visitor.next((frame) => frame.type === 'ack', 10_000);
    expect(ack.conversation_id).toBe(smsConversation.conversation_id);
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

  it('opened at once from several browsers: one read report, and a single-use link opens once', async () => {
    const many = await call<{ id: number; url: string }>('POST', '/chatbot/token', s.key, {
      agent_id: agentId,
      recipient: { phone: '+33612340777', firstname: 'Hugo' },
      multiple_use: true,
    });
    const once = await call<{ id: number; url: string }>('POST', '/chatbot/token', s.key, {
      agent_id: agentId,
      recipient: { email: 'hugo@example.fr' },
    });
    const [manyOpened, onceOpened] = await Promise.all([
      Promise.all(Array.from({ length: 6 }, () => open(many.body.data.url))),
      Promise.all(Array.from({ length: 4 }, () => open(once.body.data.url))),
    ]);
    expect(manyOpened.map((page) => page.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(onceOpened.map((page) => page.status).sort()).toEqual([200, 410, 410, 410]);
    await until(() => {
      expect(reports().filter((r) => r.data.token_id === many.body.data.id)).toHaveLength(1);
      expect(reports().filter((r) => r.data.token_id === once.body.data.id)).toHaveLength(1);
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(reports().filter((r) => r.data.token_id === many.body.data.id)).toHaveLength(1);
    expect(reports().filter((r) => r.data.token_id === once.body.data.id)).toHaveLength(1);
    const listed = await call<ChatTokenView[]>('GET', '/chatbot/token', s.key);
    expect(listed.body.data.find((item) => item.id === many.body.data.id)?.uses).toBe(6);
    expect(listed.body.data.find((item) => item.id === once.body.data.id)?.state).toBe('used');
    // A number the account never wrote to: one contact made for it, however many pages opened at once.
    const contacts = await s.t.store.db
      .selectFrom('visitor')
      .select(['firstname', 'phone'])
      .where('external_id', '=', 'contact:+33612340777')
      .execute();
    expect(contacts).toEqual([{ firstname: 'Hugo', phone: '+33612340777' }]);
  });

  it('follows a merge: a link to a contact merged into another opens the surviving contact and its conversation', async () => {
    const run = Math.random().toString(36).slice(2, 8);
    const visitor = async (json: Record<string, unknown>): Promise<{ id: number; unique_id: string }> => {
      const made = await call<{ id: number; unique_id: string }>('POST', '/api/2/visitor', s.key, json);
      expect(made.status).toBe(200);
      return made.body.data;
    };
    const hello = async (url: string) => {
      const page = await open(url);
      expect(page.status).toBe(200);
      const identity = JSON.parse(/window\.causerieIdentity=(\{.*?\});/.exec(page.html)?.[1] ?? '{}') as Record<
        string,
        string
      >;
      const websiteId = Number(/data-website="(\d+)"/.exec(page.html)?.[1]);
      const client = await RealtimeClient.open(socketUrl(s.publicUrl, '/realtime/visitor'));
      client.send({ type: 'hello', website_id: websiteId, identity });
      const welcome = await client.next((frame) => frame.type === 'welcome', 10_000);
      client.socket.terminate();
      return { identity, welcome };
    };

    // 1. Both have their own account id: the link named the merged one's, it now names the survivor's.
    const survivor = await visitor({ unique_id: `web-survivor-${run}`, external_id: `crm-survivor-${run}` });
    const merged = await visitor({ unique_id: `web-merged-${run}`, external_id: `crm-merged-${run}` });
    const byAccount = await call<{ id: number; url: string }>('POST', '/chatbot/token', s.key, {
      agent_id: agentId,
      recipient: { external_id: `crm-merged-${run}` },
    });
    expect(byAccount.status).toBe(201);
    const merging = await call('POST', `/api/2/visitor/${survivor.id}/merge`, s.key, { from_id: merged.id });
    expect(merging.status).toBe(200);
    const first = await hello(byAccount.body.data.url);
    expect(first.identity.external_id).toBe(`crm-survivor-${run}`);
    expect(first.welcome.vuid).toBe(survivor.unique_id);

    // 2. An SMS contact (the link finds it by phone) merged into a web visitor without an account id: the survivor
    // takes the contact's id, the link opens on it and on the conversation the SMS contact had.
    const phone = `+3361234${Math.floor(1000 + Math.random() * 8999)}`;
    const smsContact = await visitor({ unique_id: `sms:${phone}`, phone });
    const web = await visitor({ unique_id: `web-${run}`, firstname: 'Léa' });
    const smsConversation = await call<{ id: number }>('POST', '/api/2/conversation', s.key, {
      website_id: s.websiteId,
      visitor_uid: `sms:${phone}`,
    });
    expect(smsConversation.status).toBe(200);
    const byPhone = await call<{ id: number; url: string }>('POST', '/chatbot/token', s.key, {
      agent_id: agentId,
      recipient: { phone },
    });
    expect(byPhone.status).toBe(201);
    expect((await call('POST', `/api/2/visitor/${web.id}/merge`, s.key, { from_id: smsContact.id })).status).toBe(200);
    const second = await hello(byPhone.body.data.url);
    expect(second.welcome.vuid).toBe(web.unique_id);
    expect((second.welcome.conversation as { id: number } | null)?.id).toBe(smsConversation.body.data.id);
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

  it('answers 410 for the links of a deleted environment, and counts no use', async () => {
    const other = await call<{ id: number }>('POST', '/chatbot/agent', s.key, {
      name: 'Fromagerie',
      description: 'Plateaux',
      logo_url: 'https://cdn.example.fr/f.png',
      banner_url: 'https://cdn.example.fr/fb.png',
      brand_color: '#aa3300',
      privacy_url: 'https://example.fr/privacy',
      terms_url: 'https://example.fr/terms',
      channels: ['sms'],
      sms_channel_id: smsChannelId,
    });
    expect(other.status).toBe(201);
    const made = await call<{ id: number; url: string }>('POST', '/chatbot/token', s.key, {
      agent_id: other.body.data.id,
      recipient: { email: 'fromage@example.fr' },
    });
    expect(made.status).toBe(201);
    expect((await call('DELETE', `/chatbot/agent/${other.body.data.id}`, s.key)).status).toBe(200);
    const page = await open(made.body.data.url);
    expect(page.status).toBe(410);
    expect(page.html).toContain('n’est plus valable');
    const listed = await call<ChatTokenView[]>('GET', '/chatbot/token', s.key);
    expect(listed.body.data.find((item) => item.id === made.body.data.id)).toMatchObject({ uses: 0 });
    expect(reports().filter((r) => r.data.token_id === made.body.data.id)).toHaveLength(0);
  });

  it('keeps the token out of an Idempotency-Key repeat, and wants a client key', async () => {
    const body = { agent_id: agentId, recipient: { external_id: 'crm-99' } };
    const headers = { 'idempotency-key': 'token-crm-99' };
    const first = await call<{ id: number; token: string | null; url: string | null }>(
      'POST',
      '/chatbot/token',
      s.key,
      body,
      headers,
    );
    const again = await call<{ id: number; token: string | null; url: string | null }>(
      'POST',
      '/chatbot/token',
      s.key,
      body,
      headers,
    );
    expect(first.status).toBe(201);
    expect(first.body.data.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(again.status).toBe(201);
    expect(again.body.data).toMatchObject({ id: first.body.data.id, token: null, url: null });
    const stored = await s.t.store.db.selectFrom('messaging_idempotency').selectAll().execute();
    expect(JSON.stringify(stored)).not.toContain(first.body.data.token);
    const tokens = await s.t.store.db.selectFrom('chat_token').selectAll().execute();
    expect(JSON.stringify(tokens)).not.toContain(first.body.data.token);
    expect((await open(first.body.data.url ?? '')).status).toBe(200);

    const anonymous = await call('POST', '/chatbot/token', undefined, body);
    expect(anonymous.status).toBe(403); // as every messaging route without a key (keys.authenticate)
    expect(anonymous.body.meta.status).toBe('error');
    expect((await call('DELETE', '/chatbot/token/abc', s.key)).status).toBe(400);
    expect((await call('DELETE', '/chatbot/token/999999', s.key)).status).toBe(404);
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
