// SMS end to end against the fake Twilio-compatible API: signed inbound texts into a conversation, the operator's
// reply sent with Basic auth, status callbacks into delivery states, provider errors surfaced.
import { FakeTwilio } from '@causerie/test-support/fakes/twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ChannelTestSetup,
  channelsSettled,
  closeChannelTest,
  connectFake,
  eventually,
  startChannelApp,
} from '../test/channel-app.js';
import { twilioSignature } from './sms.js';

const ACCOUNT = `AC${'a1'.repeat(16)}`;
const TOKEN = 'twilio-auth-token-0123456789';
const NUMBER = '+33757000000';
const CUSTOMER = '+33611223344';

let s: ChannelTestSetup;
let fake: FakeTwilio;
let channelId: number;

async function conversationOf(phone: string): Promise<{ id: number; source: string } | undefined> {
  const list = await s.t.api('GET', '/conversation?full=1&limit=100', { key: s.key });
  return list.body.data.find((item) => item.phone_number === phone) as unknown as
    | { id: number; source: string }
    | undefined;
}
async function deliveryOf(conversationId: number, seq: number) {
  const answer = await s.t.api('GET', `/conversation/${conversationId}/delivery`, { key: s.key });
  return (
    answer.body.data as unknown as Array<{ seq: number; state: string; error?: { code: string; message: string } }>
  ).find((item) => item.seq === seq);
}

beforeAll(async () => {
  s = await startChannelApp();
  fake = await new FakeTwilio({ accountSid: ACCOUNT, authToken: TOKEN, numbers: [NUMBER] }).start();
  channelId = await connectFake(s, fake, {
    type: 'sms',
    credentials: { account_sid: ACCOUNT, auth_token: TOKEN, from: NUMBER },
  });
});
afterAll(() => closeChannelTest(s, fake));

describe('SMS (Twilio-compatible)', () => {
  it('refuses an inbound post whose X-Twilio-Signature does not match the URL and parameters', async () => {
    const params = { MessageSid: 'SM1', From: CUSTOMER, To: NUMBER, Body: 'forged', SmsStatus: 'received' };
    expect(await fake.postSigned(fake.webhookUrl, params, 'AAAA')).toBe(403);
    // Signed for another URL (the signature covers the full URL).
    expect(
      await fake.postSigned(fake.webhookUrl, params, twilioSignature(TOKEN, `${fake.webhookUrl}?x=1`, params)),
    ).toBe(403);
  });

  it("signs as Twilio's helper libraries do: a repeated parameter gives each distinct value, sorted", () => {
    // The vectors of twilio-node's own tests (spec/validation.spec.js): Twilio's reference for repeated parameters.
    const url = 'https://mycompany.com/myapp.php?foo=1&bar=2';
    expect(twilioSignature('12345', url, { Sid: 'CA123', SidAccount: 'AC123', Digits: ['5678', '1234', '1234'] })).toBe(
      'IK+Dwps556ElfBT0I3Rgjkr1wJU=',
    );
    expect(twilioSignature('12345', url, { 'MessagingBinding.Address': ['+1415xxxxxxx', '+1325xxxxxxx'] })).toBe(
      '83O6e2vORAoJHUNzJjDWN1jz+BA=',
    );
  });

  it('takes a signed form whose parameter is repeated (the signature covers every value)', async () => {
    const customer = '+33699887766';
    const params = {
      MessageSid: 'SMrepeated',
      From: customer,
      To: NUMBER,
      Body: 'Deux valeurs',
      SmsStatus: 'received',
      AddOns: ['{"status":"successful"}', '{"status":"failed"}'],
    };
    expect(await fake.postSigned(fake.webhookUrl, params)).toBe(200);
    // Signed over the last value only (what keeping one value per name computed): refused.
    expect(
      await fake.postSigned(
        fake.webhookUrl,
        { ...params, MessageSid: 'SMrepeated2' },
        twilioSignature(TOKEN, fake.webhookUrl, {
          ...params,
          MessageSid: 'SMrepeated2',
          AddOns: '{"status":"failed"}',
        }),
      ),
    ).toBe(403);
    const conversation = await eventually(() => conversationOf(customer), 8000, 'conversation');
    await channelsSettled(s.t);
    const history = await s.t.api('GET', `/conversation/${conversation.id}/message`, { key: s.key });
    expect(
      (history.body.data as unknown as Array<{ type: number; text: string }>)
        .filter((entry) => entry.type === 2)
        .map((entry) => entry.text),
    ).toEqual(['Deux valeurs']);
  });

  it('says what an auth token must be when it is too short', async () => {
    const answer = await s.t.api('POST', '/channel', {
      key: s.key,
      json: {
        type: 'sms',
        website_id: s.websiteId,
        credentials: { account_sid: ACCOUNT, auth_token: 'trop-court', from: NUMBER },
      },
    });
    expect(answer.status).toBe(400);
    expect(answer.body.meta.message).toBe(
      "Value of field 'credentials[auth_token]' is not valid. " +
        "Expected the account's auth token: 16 to 256 characters (Twilio's are 32 hexadecimal characters, under " +
        'Account info in the Twilio console); it authenticates sends and signs webhooks.',
    );
  });

  let conversationId: number;
  it('opens a conversation with source sms, de-duplicated on the MessageSid, and answers empty TwiML', async () => {
    const response = await fetch(fake.webhookUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilioSignature(TOKEN, fake.webhookUrl, {
          MessageSid: 'SMdup',
          From: CUSTOMER,
          To: NUMBER,
          Body: 'Bonjour',
          SmsStatus: 'received',
        }),
      },
      body: new URLSearchParams({
        MessageSid: 'SMdup',
        From: CUSTOMER,
        To: NUMBER,
        Body: 'Bonjour',
        SmsStatus: 'received',
      }).toString(),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/xml');
    expect(await response.text()).toBe('<?xml version="1.0" encoding="UTF-8"?><Response></Response>');
    await fake.customerSends(CUSTOMER, NUMBER, 'Bonjour', 'SMdup');
    await fake.customerSends(CUSTOMER, NUMBER, 'Vous êtes là ?');
    const conversation = await eventually(() => conversationOf(CUSTOMER), 8000, 'conversation');
    conversationId = conversation.id;
    expect(conversation.source).toBe('sms');
    await channelsSettled(s.t);
    const history = await s.t.api('GET', `/conversation/${conversationId}/message`, { key: s.key });
    expect(
      (history.body.data as unknown as Array<{ type: number; text: string }>)
        .filter((entry) => entry.type === 2)
        .map((entry) => entry.text),
    ).toEqual(['Bonjour', 'Vous êtes là ?']);
  });

  it("sends the operator's reply to Messages.json and follows the status callbacks to delivered", async () => {
    const reply = await s.t.api('POST', `/conversation/${conversationId}/message`, {
      key: s.key,
      json: { type: 'operator', text: 'Oui, je vous écoute.', operator_id: s.operatorId },
    });
    expect(reply.status).toBe(200);
    const sent = await eventually(
      async () => fake.accepted.find((message) => message.body === 'Oui, je vous écoute.'),
      8000,
      'twilio message',
    );
    expect(sent).toMatchObject({ to: CUSTOMER, from: NUMBER, statusCallback: fake.webhookUrl });
    const delivered = await eventually(
      async () =>
        (await deliveryOf(conversationId, Number(reply.body.data.seq)))?.state === 'delivered' ? true : undefined,
      8000,
      'delivered',
    );
    expect(delivered).toBe(true);
    const states = await s.t.store.db
      .selectFrom('event')
      .select('payload')
      .where('type', '=', 'message.status_changed')
      .where('subject_id', '=', conversationId)
      .orderBy('id')
      .execute();
    expect(states.map((row) => (JSON.parse(row.payload) as { state: string }).state)).toEqual(['sent', 'delivered']);
  });

  it("fails with Twilio's error object when the sender is not the account's (21606)", async () => {
    await s.t.api('PUT', `/channel/${channelId}`, { key: s.key, json: { credentials: { from: '+33700000009' } } });
    const reply = await s.t.api('POST', `/conversation/${conversationId}/message`, {
      key: s.key,
      json: { type: 'operator', text: 'Test' },
    });
    const failed = await eventually(async () => {
      const state = await deliveryOf(conversationId, Number(reply.body.data.seq));
      return state?.state === 'failed' ? state : undefined;
    });
    expect(failed.error).toEqual({
      code: '21606',
      message:
        'The From phone number +33700000009 is not a valid, SMS-capable inbound phone number or short code for your account.',
    });
  });
});
