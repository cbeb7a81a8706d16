// RCS end to end against the fake RBM API: webhook verification, tester invitation (seed 000 "Enregistrer un
// testeur"), capability check, signed user messages into a conversation, agent replies and DELIVERED/READ events.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChannelTestSetup, channelsSettled, eventually, startChannelApp } from './testing/app.js';
import { FakeRbm } from './testing/fake-rbm.js';

const credentials = { agent_id: 'causerie-demo-agent', access_token: 'ya29.test-access-token', client_token: 'rbm-client-token-123' };
const USER = '+33698765432';
const OTHER = '+33600000042';

let s: ChannelTestSetup;
let fake: FakeRbm;
let channelId: number;

async function deliveryOf(conversationId: number, seq: number) {
  const answer = await s.t.api('GET', `/conversation/${conversationId}/delivery`, { key: s.key });
  return (answer.body.data as unknown as Array<{ seq: number; state: string; error?: { code: string; message: string } }>).find((item) => item.seq === seq);
}

beforeAll(async () => {
  s = await startChannelApp();
  fake = await new FakeRbm({ agentId: credentials.agent_id, accessToken: credentials.access_token, clientToken: credentials.client_token, rcsEnabled: [USER] }).start();
  const created = await s.t.api('POST', '/channel', { key: s.key, json: { type: 'rcs', website_id: s.websiteId, base_url: fake.url, credentials } });
  expect(created.status).toBe(200);
  channelId = Number(created.body.data.id);
  fake.webhookUrl = String(created.body.data.webhook_url);
});
afterAll(async () => {
  await fake.settle();
  await channelsSettled(s.t);
  await fake.stop();
  await s.t.close();
});

describe('RCS Business Messaging', () => {
  it('answers the clientToken verification with the secret, 403 for another token', async () => {
    expect(await fake.verifyWebhook(credentials.client_token, 's3cr3t')).toEqual({ status: 200, body: '{"secret":"s3cr3t"}' });
    expect((await fake.verifyWebhook('wrong-token', 's3cr3t')).status).toBe(403);
  });

  it('checks capabilities and registers a tester (PENDING until accepted on the device)', async () => {
    const capable = await s.t.api('GET', `/channel/${channelId}/capability?phone_number=${encodeURIComponent(USER)}`, { key: s.key });
    expect(capable.status).toBe(200);
    expect(capable.body.data).toMatchObject({ phone_number: USER, reachable: true, features: expect.arrayContaining(['RICHCARD_STANDALONE']) });
    const incapable = await s.t.api('GET', `/channel/${channelId}/capability?phone_number=${encodeURIComponent(OTHER)}`, { key: s.key });
    expect(incapable.body.data).toEqual({ phone_number: OTHER, reachable: false, features: [] });
    const invited = await s.t.api('POST', `/channel/${channelId}/tester`, { key: s.key, json: { phone_number: USER } });
    expect(invited.status).toBe(200);
    expect(invited.body.data).toEqual({ phone_number: USER, invite_status: 'PENDING' });
    const refused = await s.t.api('POST', `/channel/${channelId}/tester`, { key: s.key, json: { phone_number: OTHER } });
    expect(refused.status).toBe(409);
    expect(refused.body.meta.message).toContain('NOT_FOUND');
    const bad = await s.t.api('POST', `/channel/${channelId}/tester`, { key: s.key, json: { phone_number: '0612' } });
    expect(bad.status).toBe(400);
    expect(bad.body.meta.message).toContain("'phone_number'");
    fake.accept(USER);
  });

  let conversationId: number;
  it('turns a signed user message into a conversation with source rcs; a bad signature is refused', async () => {
    expect(await fake.push({ senderPhoneNumber: USER, messageId: 'forged', text: 'x' }, 'AAAA')).toBe(403);
    const sent = await fake.userSends(USER, { text: 'Bonjour, je voudrais un rendez-vous' });
    expect(sent.status).toBe(200);
    await fake.userSends(USER, { text: 'Bonjour, je voudrais un rendez-vous' }, sent.messageId);
    await fake.userSends(USER, { suggestionResponse: { postbackData: 'slot_10h', text: 'Demain 10h' } });
    const conversation = await eventually(async () => {
      const list = await s.t.api('GET', '/conversation?full=1', { key: s.key });
      return list.body.data.find((item) => item.phone_number === USER);
    });
    conversationId = conversation.id;
    expect(conversation.source).toBe('rcs');
    await channelsSettled(s.t);
    const history = await s.t.api('GET', `/conversation/${conversationId}/message`, { key: s.key });
    expect((history.body.data as unknown as Array<{ type: number; text: string }>).filter((entry) => entry.type === 2).map((entry) => entry.text)).toEqual(['Bonjour, je voudrais un rendez-vous', 'Demain 10h']);
  });

  it('sends the reply to phones/{msisdn}/agentMessages with our messageId and follows DELIVERED and READ', async () => {
    const reply = await s.t.api('POST', `/conversation/${conversationId}/message`, { key: s.key, json: { type: 'operator', text: 'Demain 10h, c’est noté.', operator_id: s.operatorId } });
    expect(reply.status).toBe(200);
    const sent = await eventually(async () => fake.accepted[0]);
    expect(sent).toMatchObject({ msisdn: USER, contentMessage: { text: 'Demain 10h, c’est noté.' } });
    expect(sent.messageId).toMatch(/^causerie-\d+$/);
    await eventually(async () => ((await deliveryOf(conversationId, Number(reply.body.data.seq)))?.state === 'read' ? true : undefined), 8000, 'read');
  });
});
