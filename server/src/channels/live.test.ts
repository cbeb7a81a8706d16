// WhatsApp with a live operator: the customer's first message is routed to the available operator like web chat, the
// operator replies from the realtime socket, and a reply outside the 24-hour window is refused on the socket whole.
import { FakeWhatsApp } from '@causerie/test-support/fakes/whatsapp';
import { availableOperator, liveTenant, socketUrl } from '@causerie/test-support/live-sockets';
import { RealtimeClient } from '@causerie/test-support/realtime-client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type ChannelTestSetup, channelsSettled, eventually, startChannelApp } from '../test/channel-app.js';
import { ADMIN_KEY } from '../test/harness.js';

const credentials = {
  phone_number_id: '300000000000003',
  access_token: 'EAAG-live-token',
  app_secret: 'live-app-secret',
  verify_token: 'live',
};
let s: ChannelTestSetup;
let fake: FakeWhatsApp;
let operator: RealtimeClient;
let tenant: { websiteId: number; operatorId: number; token: string };

beforeAll(async () => {
  s = await startChannelApp();
  tenant = await liveTenant(s.publicUrl, 'Live WhatsApp');
  fake = await new FakeWhatsApp({
    phoneNumberId: credentials.phone_number_id,
    accessToken: credentials.access_token,
    appSecret: credentials.app_secret,
  }).start();
  const website = await s.t.api('GET', `/website/${tenant.websiteId}`, { key: ADMIN_KEY });
  const created = await s.t.api('POST', '/channel', {
    key: ADMIN_KEY,
    json: {
      type: 'whatsapp',
      website_id: tenant.websiteId,
      client_id: website.body.data.client_id,
      base_url: fake.url,
      credentials,
    },
  });
  expect(created.status).toBe(200);
  fake.webhookUrl = String(created.body.data.webhook_url);
  operator = await availableOperator(s.publicUrl, tenant.token);
});
afterAll(async () => {
  await operator.close();
  await fake.settle();
  await channelsSettled(s.t);
  await fake.stop();
  await s.t.close();
});

it('routes the first message to the available operator, who replies from the socket; outside the window the socket gets the refusal', async () => {
  await fake.customerSends('+393331234567', { type: 'text', text: { body: 'Ciao, dov’è il mio ordine?' } });
  const assigned = await operator.next('assigned', 8000);
  const conversationId = Number((assigned.conversation as { id: number }).id);
  const conversation = await s.t.store.db
    .selectFrom('conversation')
    .selectAll()
    .where('id', '=', conversationId)
    .executeTakeFirstOrThrow();
  expect(conversation).toMatchObject({
    source: 'whatsapp',
    channel: 'chat',
    status: 'open',
    operator_id: tenant.operatorId,
  });

  const ack = await operator.request(
    { type: 'reply', conversation_id: conversationId, text: 'Arriva domani.', client_message_id: 'op-1' },
    (frame) => frame.type === 'ack' || frame.type === 'error',
  );
  expect(ack.type).toBe('ack');
  const sent = await eventually(async () => fake.accepted.find((message) => message.to === '393331234567'));
  expect(sent.body.text).toEqual({ preview_url: false, body: 'Arriva domani.' });

  // The operator watches the reply move on: queued, sent (Graph accepted it), then the provider's delivered and read.
  const reply = await operator.next((frame) => frame.type === 'entry' && frame.client_message_id === 'op-1');
  const replySeq = Number(reply.seq);
  const states: string[] = [];
  for (const expected of ['queued', 'sent', 'delivered', 'read']) {
    const frame = await operator.next(
      (candidate) => candidate.type === 'delivery' && candidate.seq === replySeq && candidate.state === expected,
      8000,
    );
    expect(frame).toMatchObject({ conversation_id: conversationId, seq: replySeq });
    states.push(String(frame.state));
  }
  expect(states).toEqual(['queued', 'sent', 'delivered', 'read']);

  // The REST history carries the same state on the reply, and the customer's entry has none.
  const history = await s.t.api('GET', `/conversation/${conversationId}/message`, { key: ADMIN_KEY });
  expect(history.status).toBe(200);
  const entries = history.body.data as unknown as Array<{
    seq: number;
    type: number;
    delivery?: { state: string; updated_at: string };
  }>;
  expect(entries.find((entry) => entry.seq === replySeq)?.delivery).toMatchObject({ state: 'read' });
  expect(entries.find((entry) => entry.type === 2)?.delivery).toBeUndefined();

  // An operator who connects again finds the reply's state in the snapshot's history.
  const again = await RealtimeClient.open(
    socketUrl(s.publicUrl, `/realtime/operator?token=${encodeURIComponent(tenant.token)}`),
  );
  try {
    const snapshot = await again.next('snapshot', 8000);
    const mine = (
      snapshot.conversations as Array<{
        conversation: { id: number; source?: string };
        history: Array<{ seq: number; delivery?: { state: string } }>;
      }>
    ).find((item) => item.conversation.id === conversationId);
    expect(mine?.conversation.source).toBe('whatsapp');
    expect(mine?.history.find((entry) => entry.seq === replySeq)?.delivery).toEqual({ state: 'read' });
  } finally {
    await again.close();
  }

  // A reply written through the REST API answers with its delivery state: queued with the message.
  const posted = await s.t.api('POST', `/conversation/${conversationId}/message`, {
    key: ADMIN_KEY,
    json: { type: 'operator', text: 'Tracking: A-1042' },
  });
  expect(posted.status).toBe(200);
  expect(posted.body.data.delivery).toMatchObject({ state: 'queued' });
  await eventually(async () =>
    fake.accepted.find((message) => (message.body.text as { body?: string } | undefined)?.body === 'Tracking: A-1042'),
  );

  await s.t.store.db
    .updateTable('channel_contact')
    .set({ last_inbound_at: new Date(Date.now() - 30 * 3600 * 1000).toISOString() })
    .where('conversation_id', '=', conversationId)
    .execute();
  const before = await s.t.store.db
    .selectFrom('conversation')
    .select('last_seq')
    .where('id', '=', conversationId)
    .executeTakeFirstOrThrow();
  const refused = await operator.request(
    { type: 'reply', conversation_id: conversationId, text: 'Ci sei?', client_message_id: 'op-2' },
    (frame) => frame.type === 'ack' || frame.type === 'error',
  );
  expect(refused).toMatchObject({ type: 'error', code: 'service_window_closed' });
  expect(String(refused.message)).toContain('outside the WhatsApp customer-service window');
  const after = await s.t.store.db
    .selectFrom('conversation')
    .select('last_seq')
    .where('id', '=', conversationId)
    .executeTakeFirstOrThrow();
  expect(after.last_seq).toBe(before.last_seq);
});
