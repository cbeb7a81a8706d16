// The platform's one WhatsApp webhook /webhook/facebook/ (issue 18): the verify-token handshake, X-Hub-Signature-256
// with the Meta app secret, and each change stored in the conversation of the channel owning its phone_number_id.
import { FakeWhatsApp, whatsappSignature } from '@causerie/test-support/fakes/whatsapp';
import { freePort } from '@causerie/test-support/processes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MESSAGE_KIND } from '../db/schema.js';
import {
  type ChannelTestSetup,
  channelsSettled,
  closeChannelTest,
  connectFake,
  eventually,
} from '../test/channel-app.js';
import { clientWithKey, startTestApp } from '../test/harness.js';

const APP_SECRET = 'platform-meta-app-secret-0123456789';
const VERIFY_TOKEN = 'abcd1234';
const NUMBER_A = '106540352242922';
const NUMBER_B = '206540352242933';

let s: ChannelTestSetup;
let fakeA: FakeWhatsApp;
let fakeB: FakeWhatsApp;
let channelA: number;
let channelB: number;
let platformUrl: string;

beforeAll(async () => {
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  const t = await startTestApp({
    publicUrl,
    outboundAllowlist: '127.0.0.0/8,::1',
    metaAppSecret: APP_SECRET,
    metaVerifyToken: VERIFY_TOKEN,
  });
  await t.app.listen({ port, host: '127.0.0.1' });
  const { clientId, key } = await clientWithKey(t, 'Spedizioni Srl');
  const website = await t.api('POST', '/website', { key, json: { label: 'Negozio', url: 'https://negozio.example' } });
  s = { t, publicUrl, key, clientId, websiteId: Number(website.body.data.id), operatorId: 0 };
  // Meta signs the app-level webhook with the platform app's secret, whatever the channels' own secrets are.
  fakeA = await new FakeWhatsApp({ phoneNumberId: NUMBER_A, accessToken: 'token-a', appSecret: APP_SECRET }).start();
  fakeB = await new FakeWhatsApp({ phoneNumberId: NUMBER_B, accessToken: 'token-b', appSecret: APP_SECRET }).start();
  const credentials = (number: string, token: string) => ({
    phone_number_id: number,
    access_token: token,
    app_secret: `channel-secret-${number}`,
    verify_token: `channel-verify-${number}`,
  });
  channelA = await connectFake(s, fakeA, { type: 'whatsapp', credentials: credentials(NUMBER_A, 'token-a') });
  channelB = await connectFake(s, fakeB, { type: 'whatsapp', credentials: credentials(NUMBER_B, 'token-b') });
  platformUrl = `${publicUrl}/webhook/facebook/`;
  fakeA.webhookUrl = platformUrl;
  fakeB.webhookUrl = platformUrl;
});
afterAll(async () => closeChannelTest(s, fakeA, fakeB));

/** The customer's messages as stored in the conversation of their contact on the channel. */
async function messagesOn(channelId: number, address: string): Promise<string[]> {
  const contact = await s.t.store.db
    .selectFrom('channel_contact')
    .select('conversation_id')
    .where('channel_id', '=', channelId)
    .where('address', '=', address)
    .executeTakeFirst();
  if (contact?.conversation_id == null) return [];
  const rows = await s.t.store.db
    .selectFrom('conversation_message')
    .select('body')
    .where('conversation_id', '=', contact.conversation_id)
    .where('kind', '=', MESSAGE_KIND.visitor)
    .orderBy('seq')
    .execute();
  return rows.map((row) => row.body);
}

const storedPayloads = async () =>
  Number(
    (
      await s.t.store.db
        .selectFrom('channel_inbound')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

describe('GET /webhook/facebook/', () => {
  it('echoes hub.challenge for the configured verify token, 403 otherwise', async () => {
    const challenge = await fetch(
      `${platformUrl}?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=1158201444`,
    );
    expect(challenge.status).toBe(200);
    expect(await challenge.text()).toBe('1158201444');
    for (const query of [
      `hub.mode=subscribe&hub.verify_token=wrong-token&hub.challenge=1`,
      `hub.mode=unsubscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=1`,
      `hub.verify_token=${VERIFY_TOKEN}&hub.challenge=1`,
      // A channel's own verify token is not the platform's.
      `hub.mode=subscribe&hub.verify_token=channel-verify-${NUMBER_A}&hub.challenge=1`,
    ]) {
      const refused = await fetch(`${platformUrl}?${query}`);
      expect(refused.status, query).toBe(403);
      expect(await refused.text()).not.toContain('1158201444');
    }
  });
});

describe('POST /webhook/facebook/', () => {
  it('refuses a body not signed with the Meta app secret: 401, nothing stored', async () => {
    const before = await storedPayloads();
    const { body } = fakeA.messagePayload('+393330000001', { type: 'text', text: { body: 'forged' } });
    for (const signature of [whatsappSignature(`channel-secret-${NUMBER_A}`, body), 'sha256=00', undefined]) {
      const answer = await fetch(platformUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(signature !== undefined && { 'x-hub-signature-256': signature }),
        },
        body,
      });
      expect(answer.status).toBe(401);
    }
    expect(await storedPayloads()).toBe(before);
    await channelsSettled(s.t);
    expect(await messagesOn(channelA, '+393330000001')).toEqual([]);
  });

  it("stores each customer's message in the conversation of the channel owning the number", async () => {
    const toA = await fakeA.customerSends('+393331111111', { type: 'text', text: { body: 'Ciao negozio A' } }, 'Anna');
    const toB = await fakeB.customerSends('+393332222222', { type: 'text', text: { body: 'Ciao negozio B' } }, 'Bruno');
    expect([toA.status, toB.status]).toEqual([200, 200]);
    expect(await eventually(async () => (await messagesOn(channelA, '+393331111111'))[0])).toBe('Ciao negozio A');
    expect(await eventually(async () => (await messagesOn(channelB, '+393332222222'))[0])).toBe('Ciao negozio B');
    // Each went to its own channel only.
    expect(await messagesOn(channelB, '+393331111111')).toEqual([]);
    expect(await messagesOn(channelA, '+393332222222')).toEqual([]);
    // Stored as the channel's own webhook would have: the same provider id is taken once if it also arrives there.
    const seen = await s.t.store.db
      .selectFrom('channel_message_seen')
      .select(['channel_id'])
      .where('provider_message_id', 'in', [toA.wamid, toB.wamid])
      .orderBy('channel_id')
      .execute();
    expect(seen.map((row) => row.channel_id)).toEqual([channelA, channelB].sort((a, b) => a - b));
  });

  it('splits one payload holding changes for two numbers between their channels', async () => {
    const forA = JSON.parse(fakeA.messagePayload('+393333333333', { type: 'text', text: { body: 'uno' } }).body);
    const forB = JSON.parse(fakeB.messagePayload('+393334444444', { type: 'text', text: { body: 'due' } }).body);
    forA.entry[0].changes.push(...forB.entry[0].changes);
    const body = JSON.stringify(forA);
    expect(await fakeA.post(body)).toBe(200);
    expect(await eventually(async () => (await messagesOn(channelA, '+393333333333'))[0])).toBe('uno');
    expect(await eventually(async () => (await messagesOn(channelB, '+393334444444'))[0])).toBe('due');
    expect(await messagesOn(channelA, '+393334444444')).toEqual([]);
  });

  it('answers 200 to a number no channel owns, and stores nothing for it', async () => {
    const before = await storedPayloads();
    const { body } = fakeA.messagePayload(
      '+393335555555',
      { type: 'text', text: { body: 'nessuno' } },
      'X',
      '999000999',
    );
    expect(await fakeA.post(body)).toBe(200);
    expect(await storedPayloads()).toBe(before);
    await channelsSettled(s.t);
    for (const channel of [channelA, channelB]) expect(await messagesOn(channel, '+393335555555')).toEqual([]);
  });

  it('is not served while the platform has no Meta app configured', async () => {
    const t = await startTestApp();
    try {
      const get = await t.app.inject({ method: 'GET', url: '/webhook/facebook/?hub.mode=subscribe&hub.challenge=1' });
      expect(get.statusCode).toBe(404);
      expect(get.body).toMatch(/CAUSERIE_META_VERIFY_TOKEN/);
      const post = await t.app.inject({
        method: 'POST',
        url: '/webhook/facebook/',
        headers: { 'content-type': 'application/json' },
        payload: '{}',
      });
      expect(post.statusCode).toBe(404);
    } finally {
      await t.close();
    }
  });
});
