// WhatsApp end to end against the fake Graph server: verification, signed inbound messages of every kind into
// routed conversations, operator replies sent through the Cloud API, statuses into delivery states and events.
import { FakeWhatsApp } from '@causerie/test-support/fakes/whatsapp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ChannelTestSetup,
  channelsSettled,
  closeChannelTest,
  connectFake,
  eventually,
  startChannelApp,
} from '../test/channel-app.js';
import { eventTypesFor } from '../test/harness.js';
import { channelRuntime } from './runtime.js';

const CUSTOMER = '+33612345678';
const credentials = {
  phone_number_id: '106540352242922',
  access_token: 'EAAG-test-token-0123456789',
  app_secret: 'app-secret-for-tests',
  verify_token: 'abcd1234',
};

let s: ChannelTestSetup;
let fake: FakeWhatsApp;
let channelId: number;

interface Entry {
  seq: number;
  type: number;
  text: string;
}

async function conversationOf(
  phone: string,
): Promise<{ id: number; source: string; channel: string; status: string; visitor_uid: string } | undefined> {
  const list = await s.t.api('GET', '/conversation?full=1&limit=100', { key: s.key });
  const found = list.body.data.find((item) => item.phone_number === phone && item.status !== 'closed');
  return found as unknown as
    | { id: number; source: string; channel: string; status: string; visitor_uid: string }
    | undefined;
}

async function entries(conversationId: number): Promise<Entry[]> {
  const answer = await s.t.api('GET', `/conversation/${conversationId}/message`, { key: s.key });
  return answer.body.data as unknown as Entry[];
}

async function deliveryOf(
  conversationId: number,
  seq: number,
): Promise<{ state: string; error?: { code: string; message: string } } | undefined> {
  const answer = await s.t.api('GET', `/conversation/${conversationId}/delivery`, { key: s.key });
  return (
    answer.body.data as unknown as Array<{ seq: number; state: string; error?: { code: string; message: string } }>
  ).find((item) => item.seq === seq);
}

beforeAll(async () => {
  s = await startChannelApp();
  fake = await new FakeWhatsApp({
    phoneNumberId: credentials.phone_number_id,
    accessToken: credentials.access_token,
    appSecret: credentials.app_secret,
    ratePerSecond: 80,
  }).start();
  channelId = await connectFake(s, fake, { type: 'whatsapp', credentials });
});

afterAll(() => closeChannelTest(s, fake));

describe('WhatsApp webhook verification', () => {
  it('echoes hub.challenge for the verify token, 403 otherwise', async () => {
    const base = `/channels/whatsapp/${channelId}/webhook`;
    const ok = await s.t.app.inject({
      method: 'GET',
      url: `${base}?hub.mode=subscribe&hub.verify_token=abcd1234&hub.challenge=1158201444`,
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toBe('1158201444');
    const wrong = await s.t.app.inject({
      method: 'GET',
      url: `${base}?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1158201444`,
    });
    expect(wrong.statusCode).toBe(403);
    const mode = await s.t.app.inject({
      method: 'GET',
      url: `${base}?hub.mode=unsubscribe&hub.verify_token=abcd1234&hub.challenge=1`,
    });
    expect(mode.statusCode).toBe(403);
    const unknown = await s.t.app.inject({
      method: 'GET',
      url: `/channels/whatsapp/99999/webhook?hub.mode=subscribe&hub.verify_token=abcd1234&hub.challenge=1`,
    });
    expect(unknown.statusCode).toBe(404);
  });

  it('refuses a POST whose X-Hub-Signature-256 is missing or wrong, and stores nothing', async () => {
    const payload = fake.messagePayload('+33600000001', { type: 'text', text: { body: 'forged' } });
    expect(await fake.post(payload.body, 'sha256=' + '0'.repeat(64))).toBe(403);
    const unsigned = await s.t.app.inject({
      method: 'POST',
      url: `/channels/whatsapp/${channelId}/webhook`,
      headers: { 'content-type': 'application/json' },
      payload: payload.body,
    });
    expect(unsigned.statusCode).toBe(403);
    // Signed over other bytes (re-serialised JSON with spaces): refused, since the signature covers the raw body.
    const reserialised = JSON.stringify(JSON.parse(payload.body), null, 1);
    expect(
      await fake.post(
        reserialised,
        (await import('./whatsapp.js')).whatsappSignature(credentials.app_secret, payload.body),
      ),
    ).toBe(403);
    const stored = await s.t.store.db.selectFrom('channel_inbound').select('id').execute();
    expect(stored).toHaveLength(0);
  });
});

describe('WhatsApp changes for another phone number', () => {
  const OTHER_NUMBER_ID = '106540352249999';

  it('answers 200 but opens no conversation for a signed change naming another phone_number_id, and notes it', async () => {
    // Same Meta app (same secret, so the signature is right), another number of the business: not this channel's.
    const stranger = '+33611110000';
    const payload = fake.messagePayload(
      stranger,
      { type: 'text', text: { body: 'Pour un autre numéro' } },
      'Paul',
      OTHER_NUMBER_ID,
    );
    // The runtime's log sink, read here (the test app logs nowhere).
    const runtime = channelRuntime(s.t.context);
    const appLogger = runtime.logger;
    const warnings: string[] = [];
    runtime.logger = { warn: (_details, message) => warnings.push(message) };
    try {
      expect(await fake.post(payload.body)).toBe(200);
      await channelsSettled(s.t);
    } finally {
      runtime.logger = appLogger;
    }
    expect(warnings).toEqual([
      expect.stringMatching(
        new RegExp(
          `^channels: channel ${channelId}, inbound payload \\d+: Change for phone_number_id ${OTHER_NUMBER_ID} skipped`,
        ),
      ),
    ]);
    expect(await conversationOf(stranger)).toBeUndefined();
    const seen = await s.t.store.db
      .selectFrom('channel_message_seen')
      .select('provider_message_id')
      .where('provider_message_id', '=', payload.wamid)
      .execute();
    expect(seen).toHaveLength(0);
    const stored = await s.t.store.db
      .selectFrom('channel_inbound')
      .select(['processed_at', 'error'])
      .where('body', 'like', `%${payload.wamid}%`)
      .executeTakeFirstOrThrow();
    expect(stored.processed_at).not.toBeNull();
    expect(stored.error).toBe(
      `Change for phone_number_id ${OTHER_NUMBER_ID} skipped: this channel is phone_number_id ${credentials.phone_number_id}.`,
    );
  });

  it("keeps this number's changes of a payload that also carries another number's", async () => {
    const ours = fake.messagePayload('+33622220000', { type: 'text', text: { body: 'Pour nous' } });
    const theirs = fake.messagePayload(
      '+33633330000',
      { type: 'text', text: { body: 'Pas pour nous' } },
      'X',
      OTHER_NUMBER_ID,
    );
    const body = JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [...JSON.parse(theirs.body).entry, ...JSON.parse(ours.body).entry],
    });
    expect(await fake.post(body)).toBe(200);
    const conversation = await eventually(() => conversationOf('+33622220000'), 8000, 'conversation');
    await channelsSettled(s.t);
    expect((await entries(conversation.id)).filter((entry) => entry.type === 2).map((entry) => entry.text)).toEqual([
      'Pour nous',
    ]);
    expect(await conversationOf('+33633330000')).toBeUndefined();
  });
});

describe('WhatsApp conversation end to end', () => {
  let conversationId: number;

  it('opens a waiting conversation with source whatsapp for a new number, once per wamid', async () => {
    const sent = await fake.customerSends(
      CUSTOMER,
      { type: 'text', text: { body: 'Bonjour, ma commande est en retard' } },
      'Marie',
    );
    expect(sent.status).toBe(200);
    const conversation = await eventually(() => conversationOf(CUSTOMER), 8000, 'conversation');
    conversationId = conversation.id;
    expect(conversation).toMatchObject({
      source: 'whatsapp',
      channel: 'chat',
      status: 'waiting',
      visitor_uid: `whatsapp:${CUSTOMER}`,
    });
    // The same payload again (Meta retries until it gets a 200): answered 200, ignored.
    expect(await fake.post(sent.body)).toBe(200);
    await channelsSettled(s.t);
    const texts = (await entries(conversationId)).filter((entry) => entry.type === 2).map((entry) => entry.text);
    expect(texts).toEqual(['Bonjour, ma commande est en retard']);
    expect(await eventTypesFor(s.t, 'conversation', conversationId)).toEqual(
      expect.arrayContaining(['conversation.started', 'conversation.queued', 'message.created']),
    );
    const visitor = await s.t.api('GET', `/visitor?full=1`, { key: s.key });
    // The customer's WhatsApp profile name names the visitor operators see.
    expect(visitor.body.data.find((item) => item.phone === CUSTOMER)).toMatchObject({ firstname: 'Marie' });
  });

  it('appends media (downloaded through the Graph API and stored), location, contacts, replies and reactions', async () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    const mediaId = fake.addMedia(png, 'image/png');
    await fake.customerSends(CUSTOMER, {
      type: 'image',
      image: { id: mediaId, mime_type: 'image/png', caption: 'Le colis abîmé' },
    });
    await fake.customerSends(CUSTOMER, {
      type: 'location',
      location: { latitude: 45.07, longitude: 7.69, name: 'Magazzino', address: 'Via Roma 1, Torino' },
    });
    await fake.customerSends(CUSTOMER, {
      type: 'contacts',
      contacts: [{ name: { formatted_name: 'Luigi Verdi' }, phones: [{ phone: '+39 333 1234567', type: 'CELL' }] }],
    });
    await fake.customerSends(CUSTOMER, {
      type: 'interactive',
      interactive: { type: 'button_reply', button_reply: { id: 'track', title: 'Suivre mon colis' } },
    });
    await fake.customerSends(CUSTOMER, {
      type: 'interactive',
      interactive: { type: 'list_reply', list_reply: { id: 'refund', title: 'Remboursement', description: 'x' } },
    });
    await fake.customerSends(CUSTOMER, { type: 'reaction', reaction: { message_id: 'wamid.unknown', emoji: '👍' } });
    await eventually(async () => ((await entries(conversationId)).length >= 7 ? true : undefined), 8000, 'entries');
    const texts = (await entries(conversationId)).filter((entry) => entry.type === 2).map((entry) => entry.text);
    expect(texts.slice(1)).toEqual([
      '[image] Le colis abîmé',
      '[location] Magazzino, Via Roma 1, Torino (45.07, 7.69)',
      '[contacts] Luigi Verdi +39 333 1234567',
      'Suivre mon colis',
      'Remboursement',
      '[reaction] 👍',
    ]);
    const media = await s.t.store.db.selectFrom('channel_media').selectAll().execute();
    expect(media).toHaveLength(1);
    expect(media[0]?.mime_type).toBe('image/png');
    expect(Buffer.from(media[0]?.content ?? []).equals(png)).toBe(true);
    const row = await s.t.store.db
      .selectFrom('conversation_message')
      .select('data')
      .where('conversation_id', '=', conversationId)
      .where('body', '=', '[image] Le colis abîmé')
      .executeTakeFirstOrThrow();
    expect(JSON.parse(row.data ?? '{}')).toMatchObject({
      source: 'whatsapp',
      media_kind: 'image',
      media_id: media[0]?.id,
      mime_type: 'image/png',
    });
    const download = await s.t.app.inject({
      method: 'GET',
      url: `/api/2/conversation/${conversationId}/media/${media[0]?.id}`,
      headers: { 'x-api-key': s.key },
    });
    expect(download.statusCode).toBe(200);
    expect(download.headers['content-type']).toBe('image/png');
    expect(download.rawPayload.equals(png)).toBe(true);
  });

  it("sends an operator's reply through the Cloud API and follows its statuses to read", async () => {
    const reply = await s.t.api('POST', `/conversation/${conversationId}/message`, {
      key: s.key,
      json: { type: 'operator', text: 'Je regarde votre commande.', operator_id: s.operatorId },
    });
    expect(reply.status).toBe(200);
    const seq = Number(reply.body.data.seq);
    const accepted = await eventually(
      async () => fake.accepted.find((message) => message.type === 'text'),
      8000,
      'the fake to receive the reply',
    );
    expect(accepted.to).toBe('33612345678');
    expect(accepted.body).toMatchObject({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      type: 'text',
      text: { body: 'Je regarde votre commande.' },
    });
    const read = await eventually(
      async () => ((await deliveryOf(conversationId, seq))?.state === 'read' ? true : undefined),
      8000,
      'read',
    );
    expect(read).toBe(true);
    const events = await s.t.store.db
      .selectFrom('event')
      .select(['type', 'payload'])
      .where('type', '=', 'message.status_changed')
      .where('subject_id', '=', conversationId)
      .orderBy('id')
      .execute();
    expect(events.map((event) => (JSON.parse(event.payload) as { state: string }).state)).toEqual([
      'sent',
      'delivered',
      'read',
    ]);
    expect(JSON.parse(events[0]?.payload ?? '{}')).toMatchObject({
      conversationId,
      seq,
      source: 'whatsapp',
      channelId,
      error: null,
    });
  });

  it('refuses a free-form reply outside the 24-hour window with a 409 naming it, and sends a template instead', async () => {
    await s.t.store.db
      .updateTable('channel_contact')
      .set({ last_inbound_at: new Date(Date.now() - 25 * 3600 * 1000).toISOString() })
      .where('conversation_id', '=', conversationId)
      .execute();
    const before = (await entries(conversationId)).length;
    const refused = await s.t.api('POST', `/conversation/${conversationId}/message`, {
      key: s.key,
      json: { type: 'operator', text: 'Toujours là ?' },
    });
    expect(refused.status).toBe(409);
    expect(refused.body.meta.message).toMatch(
      /outside the WhatsApp customer-service window: it closed at .* Only an approved template can be sent now/,
    );
    expect((await entries(conversationId)).length).toBe(before);
    const template = await s.t.api('POST', `/channel/${channelId}/template`, {
      key: s.key,
      json: { conversation_id: conversationId, name: 'order_update', language: 'fr', parameters: ['A-1042', 'demain'] },
    });
    expect(template.status).toBe(200);
    expect(template.body.data).toMatchObject({ state: 'queued' });
    const sent = await eventually(
      async () => fake.accepted.find((message) => message.type === 'template'),
      8000,
      'template',
    );
    expect(sent.body.template).toEqual({
      name: 'order_update',
      language: { code: 'fr' },
      components: [
        {
          type: 'body',
          parameters: [
            { type: 'text', text: 'A-1042' },
            { type: 'text', text: 'demain' },
          ],
        },
      ],
    });
    const texts = (await entries(conversationId)).map((entry) => entry.text);
    expect(texts).toContain('[template order_update (fr)] A-1042 | demain');

    // The same, addressed by the conversation (what the console uses): answers the history entry, queued.
    const byConversation = await s.t.api('POST', `/conversation/${conversationId}/template`, {
      key: s.key,
      json: { name: 'delivery_slot', language: 'en_US', parameters: ['Tuesday'] },
    });
    expect(byConversation.status).toBe(200);
    expect(byConversation.body.data).toMatchObject({
      type: 1,
      text: '[template delivery_slot (en_US)] Tuesday',
      delivery: { state: 'queued' },
    });
    await eventually(
      async () =>
        fake.accepted.find(
          (message) => (message.body.template as { name?: string } | undefined)?.name === 'delivery_slot',
        ),
      8000,
      'second template',
    );
    const badName = await s.t.api('POST', `/conversation/${conversationId}/template`, {
      key: s.key,
      json: { name: 'Delivery Slot', language: 'en_US' },
    });
    expect(badName.status).toBe(400);
    expect(badName.body.meta.message).toContain("'name'");
    // A web chat conversation has no templates.
    const web = await s.t.api('POST', '/conversation', {
      key: s.key,
      json: { website_id: s.websiteId, channel: 'chat', visitor_uid: 'template-web-visitor' },
    });
    const refusedWeb = await s.t.api('POST', `/conversation/${Number(web.body.data.id)}/template`, {
      key: s.key,
      json: { name: 'order_update', language: 'fr', operator_id: s.operatorId },
    });
    expect(refusedWeb.status).toBe(409);
    expect(refusedWeb.body.meta.message).toContain('not a WhatsApp conversation');
  });

  it("surfaces Meta's asynchronous 131047 failure on the message's delivery state", async () => {
    await fake.customerSends(CUSTOMER, { type: 'text', text: { body: 'Je suis là' } });
    await channelsSettled(s.t);
    fake.forget('33612345678');
    const reply = await s.t.api('POST', `/conversation/${conversationId}/message`, {
      key: s.key,
      json: { type: 'operator', text: 'Parfait.' },
    });
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    const failed = await eventually(async () => {
      const state = await deliveryOf(conversationId, Number(reply.body.data.seq));
      return state?.state === 'failed' ? state : undefined;
    });
    expect(failed.error).toEqual({
      code: '131047',
      message:
        'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
    });
  });

  it('fails a message with the Graph error 190 when the token is wrong', async () => {
    await fake.customerSends(CUSTOMER, { type: 'text', text: { body: 'Encore moi' } });
    const changed = await s.t.api('PUT', `/channel/${channelId}`, {
      key: s.key,
      json: { credentials: { access_token: 'expired-token-xyz' } },
    });
    expect(changed.status).toBe(200);
    const reply = await s.t.api('POST', `/conversation/${conversationId}/message`, {
      key: s.key,
      json: { type: 'operator', text: 'Un instant.' },
    });
    const failed = await eventually(async () => {
      const state = await deliveryOf(conversationId, Number(reply.body.data.seq));
      return state?.state === 'failed' ? state : undefined;
    });
    expect(failed.error).toEqual({ code: '190', message: 'Invalid OAuth access token - Cannot parse access token' });
    await s.t.api('PUT', `/channel/${channelId}`, {
      key: s.key,
      json: { credentials: { access_token: credentials.access_token } },
    });
  });
});

describe('WhatsApp payloads stored before a crash', () => {
  it('are processed from the store when the node runs again', async () => {
    // A payload acknowledged (stored) but never processed, as a node dying right after its 200 leaves it.
    const payload = fake.messagePayload('+33644444444', { type: 'text', text: { body: 'Stocké avant la panne' } });
    await s.t.store.db
      .insertInto('channel_inbound')
      .values({
        channel_id: channelId,
        content_type: 'application/json',
        body: Buffer.from(payload.body, 'utf8').toString('latin1'),
        received_at: new Date().toISOString(),
        processed_at: null,
        claimed_until: null,
        error: null,
      })
      .execute();
    const conversation = await eventually(
      () => conversationOf('+33644444444'),
      8000,
      'conversation from the stored payload',
    );
    expect((await entries(conversation.id)).map((entry) => entry.text)).toContain('Stocké avant la panne');
  });
});

describe('WhatsApp send rate', () => {
  it('keeps a reply behind an earlier one that Meta could not take yet, and says why the earlier one waits', async () => {
    const customer = '+33644444444';
    await fake.customerSends(customer, { type: 'text', text: { body: 'Bonjour' } });
    const conversation = await eventually(() => conversationOf(customer), 8000, 'conversation');
    const reply = (text: string) =>
      s.t.api('POST', `/conversation/${conversation.id}/message`, {
        key: s.key,
        json: { type: 'operator', text, operator_id: s.operatorId },
      });
    const textsTo = () =>
      fake.accepted
        .filter((message) => message.to === customer.slice(1))
        .map((message) => (message.body.text as { body: string }).body);
    fake.unavailable = true;
    const first = await reply('Votre commande part demain.');
    expect(first.status).toBe(200);
    const firstSeq = Number(first.body.data.seq);
    // Meta is down for the first reply: it stays queued, with Meta's error for the operators.
    await eventually(
      async () => ((await deliveryOf(conversation.id, firstSeq))?.error?.code === '2' ? true : undefined),
      8000,
      "the first reply's postponement",
    );
    fake.unavailable = false;
    // The second reply could leave now, but it waits for the first, which Meta takes on its retry.
    expect((await reply('Le numéro de suivi suivra.')).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 500));
    // Nothing left yet, or (on a slow machine) the first reply on its retry: never the second alone.
    expect(textsTo().slice(0, 1)).toEqual(textsTo().length === 0 ? [] : ['Votre commande part demain.']);
    await eventually(async () => (textsTo().length === 2 ? true : undefined), 15000, 'both replies accepted');
    expect(textsTo()).toEqual(['Votre commande part demain.', 'Le numéro de suivi suivra.']);
    // Left on its retry: sent, then followed by Meta's statuses.
    expect(['sent', 'delivered', 'read']).toContain((await deliveryOf(conversation.id, firstSeq))?.state);
  });

  it('retries 130429 refusals of a number over its throughput, and keeps under a configured send rate', async () => {
    const limited = await new FakeWhatsApp({
      phoneNumberId: '200000000000001',
      accessToken: credentials.access_token,
      appSecret: credentials.app_secret,
      ratePerSecond: 5,
      statuses: ['sent'],
    }).start();
    const created = await s.t.api('POST', '/channel', {
      key: s.key,
      json: {
        type: 'whatsapp',
        website_id: s.websiteId,
        base_url: limited.url,
        send_rate: 1000,
        credentials: { ...credentials, phone_number_id: '200000000000001' },
      },
    });
    const id = Number(created.body.data.id);
    limited.webhookUrl = String(created.body.data.webhook_url);
    await limited.customerSends('+33633333333', { type: 'text', text: { body: 'Salut' } });
    const conversation = await eventually(() => conversationOf('+33633333333'), 8000, 'conversation');
    // The ten replies are queued while the worker is paused, so they leave back to back, faster than the number's 5/s.
    await channelRuntime(s.t.context).stop();
    for (let index = 0; index < 10; index += 1) {
      const reply = await s.t.api('POST', `/conversation/${conversation.id}/message`, {
        key: s.key,
        json: { type: 'operator', text: `Message ${index}`, operator_id: s.operatorId },
      });
      expect(reply.status).toBe(200);
    }
    channelRuntime(s.t.context).start();
    await eventually(async () => (limited.accepted.length === 10 ? true : undefined), 15000, 'all ten accepted');
    expect(limited.rateLimited).toBeGreaterThan(0);
    // Order is kept within the conversation despite the retries.
    expect(limited.accepted.map((message) => (message.body.text as { body: string }).body)).toEqual(
      Array.from({ length: 10 }, (_, index) => `Message ${index}`),
    );

    // At the number's own rate, the provider never refuses.
    await s.t.api('PUT', `/channel/${id}`, { key: s.key, json: { send_rate: 4 } });
    await new Promise((resolve) => setTimeout(resolve, 1200));
    const refusedBefore = limited.rateLimited;
    const started = Date.now();
    for (let index = 0; index < 8; index += 1)
      await s.t.api('POST', `/conversation/${conversation.id}/message`, {
        key: s.key,
        json: { type: 'operator', text: `Lent ${index}` },
      });
    await eventually(async () => (limited.accepted.length === 18 ? true : undefined), 15000, 'all eight accepted');
    expect(limited.rateLimited).toBe(refusedBefore);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    await limited.settle();
    await channelsSettled(s.t);
    await limited.stop();
  });
});
