// Operators send files to WhatsApp and SMS customers: the upload is stored with its message, the provider fetches it
// from a signed link (which a forger cannot make and which expires), delivery follows, and refusals keep nothing.
import { FakeTwilio } from '@causerie/test-support/fakes/twilio';
import { FakeWhatsApp } from '@causerie/test-support/fakes/whatsapp';
import { startReceiver } from '@causerie/test-support/webhook-receiver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ChannelTestSetup,
  closeChannelTest,
  connectFake,
  eventually,
  startChannelApp,
} from '../test/channel-app.js';
import { signedMediaUrl } from './media.js';
import { channelRuntime } from './runtime.js';

const WA = {
  phone_number_id: '109876543210987',
  access_token: 'EAAG-media-token',
  app_secret: 'media-app-secret',
  verify_token: 'media',
};
const TWILIO = {
  account_sid: `AC${'b2'.repeat(16)}`,
  auth_token: 'twilio-media-token-0123456789',
  from: '+33757000001',
};
// The smallest valid PNG: 1×1 transparent.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=',
  'base64',
);
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');

let s: ChannelTestSetup;
let whatsapp: FakeWhatsApp;
let twilio: FakeTwilio;

interface Entry {
  seq: number;
  type: number;
  text: string;
  data?: { media_id?: number; media_kind?: string; mime_type?: string };
  delivery?: { state: string; error?: { code: string; message: string } };
}

/** Posts a file as the raw body; the conversations here wait in the queue, so the operator who sends is named. */
async function upload(
  conversationId: number,
  bytes: Buffer,
  contentType: string | undefined,
  query = '',
): Promise<{ status: number; body: { data?: Entry; meta: { status: string; message?: string } } }> {
  const headers: Record<string, string> = { 'x-api-key': s.key };
  if (contentType !== undefined) headers['content-type'] = contentType;
  const withOperator = `${query}${query === '' ? '?' : '&'}operator_id=${s.operatorId}`;
  const response = await fetch(`${s.publicUrl}/api/2/conversation/${conversationId}/media${withOperator}`, {
    method: 'POST',
    headers,
    body: bytes,
  });
  return {
    status: response.status,
    body: (await response.json()) as { data?: Entry; meta: { status: string; message?: string } },
  };
}

async function conversationOf(phone: string): Promise<number> {
  return eventually(async () => {
    const list = await s.t.api('GET', '/conversation?full=1&limit=100', { key: s.key });
    const found = list.body.data.find((item) => item.phone_number === phone && item.status !== 'closed');
    return found === undefined ? undefined : Number(found.id);
  });
}

async function deliveryOf(conversationId: number, seq: number, state: string): Promise<Entry['delivery']> {
  return eventually(
    async () => {
      const answer = await s.t.api('GET', `/conversation/${conversationId}/message`, { key: s.key });
      const entry = (answer.body.data as unknown as Entry[]).find((item) => item.seq === seq);
      return entry?.delivery?.state === state ? entry.delivery : undefined;
    },
    8000,
    `delivery ${state}`,
  );
}

async function mediaRows(): Promise<number> {
  const row = await s.t.store.db
    .selectFrom('channel_media')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

beforeAll(async () => {
  s = await startChannelApp();
  whatsapp = await new FakeWhatsApp({
    phoneNumberId: WA.phone_number_id,
    accessToken: WA.access_token,
    appSecret: WA.app_secret,
  }).start();
  await connectFake(s, whatsapp, { type: 'whatsapp', credentials: WA });
  twilio = await new FakeTwilio({
    accountSid: TWILIO.account_sid,
    authToken: TWILIO.auth_token,
    numbers: [TWILIO.from],
  }).start();
  await connectFake(s, twilio, { type: 'sms', credentials: TWILIO });
});

afterAll(() => closeChannelTest(s, whatsapp, twilio));

describe('sending files', () => {
  it('sends an image to a WhatsApp customer: stored, fetched by Meta from the signed link, then delivered and read', async () => {
    // An integrator follows delivery through webhooks.
    const hook = await startReceiver();
    const subscribed = await s.t.api('POST', '/webhook', {
      key: s.key,
      json: { url: hook.url, events: ['message.status_changed'] },
    });
    expect(subscribed.status).toBe(200);
    await whatsapp.customerSends('+33600000101', { type: 'text', text: { body: 'Can I see the product?' } });
    const conversationId = await conversationOf('+33600000101');
    const answer = await upload(conversationId, PNG, 'image/png', '?caption=Here%20it%20is');
    expect(answer.status).toBe(200);
    const entry = answer.body.data as Entry;
    expect(entry).toMatchObject({
      type: 1,
      text: '[image] Here it is',
      data: { media_kind: 'image', mime_type: 'image/png' },
      delivery: { state: 'queued' },
    });
    expect(typeof entry.data?.media_id).toBe('number');

    const sent = await eventually(async () =>
      whatsapp.accepted.find(
        (message) => message.to === '33600000101' && message.type === 'image' && message.fetched !== undefined,
      ),
    );
    const image = sent.body.image as { link: string; caption?: string };
    expect(image.caption).toBe('Here it is');
    expect(image.link).toMatch(
      new RegExp(`^${s.publicUrl}/channels/media/${entry.data?.media_id}\\?expires=\\d+&signature=`),
    );
    expect(sent.fetched).toMatchObject({ status: 200, contentType: 'image/png' });
    expect(sent.fetched?.bytes.equals(PNG)).toBe(true);
    await deliveryOf(conversationId, entry.seq, 'read');
    const bodies = (await hook.waitFor(3)).map((request) => JSON.parse(request.body) as Record<string, unknown>);
    expect(bodies.map((body) => body.state)).toEqual(['sent', 'delivered', 'read']);
    expect(bodies[0]).toMatchObject({
      eventType: 'message.status_changed',
      conversationId,
      messageSeq: entry.seq,
      source: 'whatsapp',
      channel: 'chat',
      error: null,
      websiteId: s.websiteId,
    });
    await s.t.api('DELETE', `/webhook/${Number(subscribed.body.data.id)}`, { key: s.key });
    await hook.close();

    // The operator's copy is the same file through the API.
    const copy = await fetch(`${s.publicUrl}/api/2/conversation/${conversationId}/media/${entry.data?.media_id}`, {
      headers: { 'x-api-key': s.key },
    });
    expect(copy.status).toBe(200);
    expect(Buffer.from(await copy.arrayBuffer()).equals(PNG)).toBe(true);
  });

  it('sends a PDF as a document with its file name, and an unsupported image type as a document too', async () => {
    await whatsapp.customerSends('+33600000102', { type: 'text', text: { body: 'The invoice please' } });
    const conversationId = await conversationOf('+33600000102');
    const pdf = await upload(conversationId, PDF, 'application/pdf', '?filename=facture-1042.pdf');
    expect(pdf.status).toBe(200);
    expect(pdf.body.data).toMatchObject({ text: '[document] facture-1042.pdf', data: { media_kind: 'document' } });
    const sent = await eventually(async () =>
      whatsapp.accepted.find(
        (message) => message.to === '33600000102' && message.type === 'document' && message.fetched !== undefined,
      ),
    );
    expect(sent.body.document).toMatchObject({ filename: 'facture-1042.pdf' });
    expect(sent.fetched?.contentType).toBe('application/pdf');
    // Content-Disposition keeps the file a download even for the provider's fetch.
    const gif = await upload(conversationId, Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1'), 'image/gif');
    expect(gif.body.data).toMatchObject({
      text: '[document]',
      data: { media_kind: 'document', mime_type: 'image/gif' },
    });
  });

  it('sends an MMS through the SMS provider, which fetches the file from the same kind of link', async () => {
    await twilio.customerSends('+33600000103', TWILIO.from, 'Photo of the damage?');
    const conversationId = await conversationOf('+33600000103');
    const answer = await upload(conversationId, PNG, 'image/png; charset=binary', '?caption=Like%20this');
    expect(answer.status).toBe(200);
    const message = await eventually(async () =>
      twilio.accepted.find((item) => item.to === '+33600000103' && item.fetched !== undefined),
    );
    expect(message.body).toBe('Like this');
    expect(message.mediaUrl).toContain('/channels/media/');
    expect(message.fetched).toMatchObject({ status: 200, contentType: 'image/png' });
    await deliveryOf(conversationId, (answer.body.data as Entry).seq, 'delivered');
  });

  it('refuses what cannot be sent, keeping nothing: web chat, no content type, empty, too large for MMS, outside the WhatsApp window', async () => {
    const before = await mediaRows();
    // A web chat conversation.
    const web = await s.t.api('POST', '/conversation', {
      key: s.key,
      json: { website_id: s.websiteId, channel: 'chat', visitor_uid: 'media-web-visitor' },
    });
    expect(web.status).toBe(200);
    const webChat = await upload(Number(web.body.data.id), PNG, 'image/png');
    expect(webChat.status).toBe(409);
    expect(webChat.body.meta.message).toContain('files can be sent in WhatsApp, SMS and RCS conversations only');

    await whatsapp.customerSends('+33600000104', { type: 'text', text: { body: 'Hello' } });
    const conversationId = await conversationOf('+33600000104');
    const untyped = await upload(conversationId, PNG, undefined);
    expect(untyped.status).toBe(415);
    expect(untyped.body.meta.message).toContain("Send the file's bytes as the body, with its content type");
    const empty = await upload(conversationId, Buffer.alloc(0), 'image/png');
    expect(empty.status).toBe(400);
    expect(JSON.stringify(empty.body)).toContain('The file is empty');
    const badName = await upload(conversationId, PDF, 'application/pdf', '?filename=..%2Fetc%2Fpasswd');
    expect(badName.status).toBe(400);
    expect(JSON.stringify(badName.body)).toContain('filename');

    await twilio.customerSends('+33600000105', TWILIO.from, 'Hi');
    const smsConversation = await conversationOf('+33600000105');
    const tooLarge = await upload(smsConversation, Buffer.alloc(5 * 1024 * 1024 + 1, 1), 'image/png');
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body.meta.message).toContain('SMS (MMS) takes image files up to 5242880 bytes');

    // Outside WhatsApp's 24-hour window: refused whole, neither the message nor the file is kept.
    await s.t.store.db
      .updateTable('channel_contact')
      .set({ last_inbound_at: new Date(Date.now() - 25 * 3600 * 1000).toISOString() })
      .where('conversation_id', '=', conversationId)
      .execute();
    const { last_seq: lastSeq } = await s.t.store.db
      .selectFrom('conversation')
      .select('last_seq')
      .where('id', '=', conversationId)
      .executeTakeFirstOrThrow();
    const closedWindow = await upload(conversationId, PNG, 'image/png');
    expect(closedWindow.status).toBe(409);
    expect(closedWindow.body.meta.message).toContain('outside the WhatsApp customer-service window');
    const after = await s.t.store.db
      .selectFrom('conversation')
      .select('last_seq')
      .where('id', '=', conversationId)
      .executeTakeFirstOrThrow();
    expect(after.last_seq).toBe(lastSeq);
    expect(await mediaRows()).toBe(before);
  });

  it('serves a file to providers only through a valid, unexpired signature', async () => {
    const stored = await s.t.store.db.selectFrom('channel_media').select('id').orderBy('id').executeTakeFirstOrThrow();
    const key = channelRuntime(s.t.context).key;
    const good = await fetch(signedMediaUrl(s.publicUrl, key, stored.id));
    expect(good.status).toBe(200);
    expect(good.headers.get('content-disposition')).toMatch(/^attachment/);
    expect(good.headers.get('x-content-type-options')).toBe('nosniff');
    const forged = new URL(signedMediaUrl(s.publicUrl, key, stored.id));
    forged.searchParams.set('signature', 'A'.repeat(43));
    expect((await fetch(forged)).status).toBe(403);
    // Another file's signature does not open this one.
    const other = new URL(signedMediaUrl(s.publicUrl, key, stored.id + 1));
    expect((await fetch(`${s.publicUrl}/channels/media/${stored.id}?${other.searchParams.toString()}`)).status).toBe(
      403,
    );
    const expired = signedMediaUrl(s.publicUrl, key, stored.id, 1000, Date.now() - 60_000);
    expect((await fetch(expired)).status).toBe(403);
    expect((await fetch(`${s.publicUrl}/channels/media/${stored.id}`)).status).toBe(403);
  });
});
