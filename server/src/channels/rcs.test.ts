// RCS end to end against the fake RBM API: webhook verification, tester invitation (seed 000 "Enregistrer un
// testeur"), capability check, signed user messages into a conversation, agent replies and DELIVERED/READ events;
// then a channel authenticated by a service account: minted, reused and refreshed tokens, token-endpoint failures.
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { FakeRbm } from '@causerie/test-support/fakes/rbm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ChannelTestSetup,
  channelsSettled,
  closeChannelTest,
  connectFake,
  eventually,
  startChannelApp,
} from '../test/channel-app.js';
import { checkServiceAccount, serviceAccountToken } from './google-auth.js';

const credentials = {
  agent_id: 'causerie-demo-agent',
  access_token: 'ya29.test-access-token',
  client_token: 'rbm-client-token-123',
};
const USER = '+33698765432';
const OTHER = '+33600000042';

let s: ChannelTestSetup;
let fake: FakeRbm;
let channelId: number;

async function deliveryOf(conversationId: number, seq: number) {
  const answer = await s.t.api('GET', `/conversation/${conversationId}/delivery`, { key: s.key });
  return (
    answer.body.data as unknown as Array<{ seq: number; state: string; error?: { code: string; message: string } }>
  ).find((item) => item.seq === seq);
}

beforeAll(async () => {
  s = await startChannelApp();
  fake = await new FakeRbm({
    agentId: credentials.agent_id,
    accessToken: credentials.access_token,
    clientToken: credentials.client_token,
    rcsEnabled: [USER],
  }).start();
  channelId = await connectFake(s, fake, { type: 'rcs', credentials });
});
afterAll(() => closeChannelTest(s, fake));

describe('RCS Business Messaging', () => {
  it('answers the clientToken verification with the secret, 403 for another token', async () => {
    expect(await fake.verifyWebhook(credentials.client_token, 's3cr3t')).toEqual({
      status: 200,
      body: '{"secret":"s3cr3t"}',
    });
    expect((await fake.verifyWebhook('wrong-token', 's3cr3t')).status).toBe(403);
  });

  it('checks capabilities and registers a tester (PENDING until accepted on the device)', async () => {
    const capable = await s.t.api('GET', `/channel/${channelId}/capability?phone_number=${encodeURIComponent(USER)}`, {
      key: s.key,
    });
    expect(capable.status).toBe(200);
    expect(capable.body.data).toMatchObject({
      phone_number: USER,
      reachable: true,
      features: expect.arrayContaining(['RICHCARD_STANDALONE']),
    });
    const incapable = await s.t.api(
      'GET',
      `/channel/${channelId}/capability?phone_number=${encodeURIComponent(OTHER)}`,
      { key: s.key },
    );
    expect(incapable.body.data).toEqual({ phone_number: OTHER, reachable: false, features: [] });
    const invited = await s.t.api('POST', `/channel/${channelId}/tester`, { key: s.key, json: { phone_number: USER } });
    expect(invited.status).toBe(200);
    expect(invited.body.data).toEqual({ phone_number: USER, invite_status: 'PENDING' });
    const refused = await s.t.api('POST', `/channel/${channelId}/tester`, {
      key: s.key,
      json: { phone_number: OTHER },
    });
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
    expect(
      (history.body.data as unknown as Array<{ type: number; text: string }>)
        .filter((entry) => entry.type === 2)
        .map((entry) => entry.text),
    ).toEqual(['Bonjour, je voudrais un rendez-vous', 'Demain 10h']);
  });

  it('sends the reply to phones/{msisdn}/agentMessages with our messageId and follows DELIVERED and READ', async () => {
    const reply = await s.t.api('POST', `/conversation/${conversationId}/message`, {
      key: s.key,
      json: { type: 'operator', text: 'Demain 10h, c’est noté.', operator_id: s.operatorId },
    });
    expect(reply.status).toBe(200);
    const sent = await eventually(async () => fake.accepted[0]);
    expect(sent).toMatchObject({ msisdn: USER, contentMessage: { text: 'Demain 10h, c’est noté.' } });
    expect(sent.messageId).toMatch(/^causerie-\d+$/);
    await eventually(
      async () =>
        (await deliveryOf(conversationId, Number(reply.body.data.seq)))?.state === 'read' ? true : undefined,
      8000,
      'read',
    );
  });
});

describe('RCS with a service account (tokens minted from its JSON key)', () => {
  const SA_USER = '+33698760001';
  const BAD_USER = '+33698760002';
  const keyPair = () =>
    generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
  const known = keyPair();
  const unknown = keyPair();
  let saFake: FakeRbm;
  let badFake: FakeRbm;
  let saChannelId: number;
  let conversationId: number;

  /** A key file as the Google Cloud console downloads it. */
  const serviceAccount = (privateKey: string, privateKeyId: string, tokenUri: string) => ({
    type: 'service_account',
    project_id: 'causerie-rbm',
    private_key_id: privateKeyId,
    private_key: privateKey,
    client_email: 'rbm-agent@causerie-rbm.iam.gserviceaccount.com',
    client_id: '104937419352981234567',
    auth_uri: 'https://accounts.google.com/o/oauth2/auth',
    token_uri: tokenUri,
    auth_provider_x509_cert_url: 'https://www.googleapis.com/oauth2/v1/certs',
    client_x509_cert_url:
      'https://www.googleapis.com/robot/v1/metadata/x509/rbm-agent%40causerie-rbm.iam.gserviceaccount.com',
  });
  const createRcs = (baseUrl: string, extra: Record<string, unknown>) =>
    s.t.api('POST', '/channel', {
      key: s.key,
      json: {
        type: 'rcs',
        website_id: s.websiteId,
        base_url: baseUrl,
        credentials: { agent_id: credentials.agent_id, client_token: credentials.client_token, ...extra },
      },
    });

  /** A conversation opened by `msisdn` writing through `provider`, and its id. */
  async function conversationFrom(provider: FakeRbm, msisdn: string): Promise<number> {
    expect((await provider.userSends(msisdn, { text: 'Bonjour' })).status).toBe(200);
    const conversation = await eventually(async () => {
      const list = await s.t.api('GET', '/conversation?full=1', { key: s.key });
      return list.body.data.find((item) => item.phone_number === msisdn);
    });
    await channelsSettled(s.t);
    return Number(conversation.id);
  }
  const reply = (id: number, text: string) =>
    s.t.api('POST', `/conversation/${id}/message`, {
      key: s.key,
      json: { type: 'operator', text, operator_id: s.operatorId },
    });

  beforeAll(async () => {
    saFake = await new FakeRbm({
      agentId: credentials.agent_id,
      clientToken: credentials.client_token,
      rcsEnabled: [SA_USER],
    }).start();
    saFake.registerServiceAccount(
      'rbm-agent@causerie-rbm.iam.gserviceaccount.com',
      'key-known-1',
      createPublicKey(known.publicKey),
    );
    badFake = await new FakeRbm({
      agentId: credentials.agent_id,
      clientToken: credentials.client_token,
      rcsEnabled: [BAD_USER],
    }).start();
    badFake.registerServiceAccount(
      'rbm-agent@causerie-rbm.iam.gserviceaccount.com',
      'key-known-1',
      createPublicKey(known.publicKey),
    );
  });
  afterAll(async () => {
    await channelsSettled(s.t);
    await saFake.stop();
    await badFake.stop();
  });

  it('creates a channel from the JSON key; neither the answer, the events nor the stored row show it', async () => {
    const created = await createRcs(saFake.url, {
      service_account: serviceAccount(known.privateKey, 'key-known-1', saFake.tokenUrl),
    });
    expect(created.status).toBe(200);
    saChannelId = Number(created.body.data.id);
    saFake.webhookUrl = String(created.body.data.webhook_url);
    expect(created.body.data.credentials_set).toEqual(['agent_id', 'client_token', 'service_account']);
    const read = await s.t.api('GET', `/channel/${saChannelId}`, { key: s.key });
    const events = await s.t.store.db
      .selectFrom('event')
      .select('payload')
      .where('subject_type', '=', 'channel')
      .where('subject_id', '=', saChannelId)
      .execute();
    const row = await s.t.store.db
      .selectFrom('channel')
      .select('credentials')
      .where('id', '=', saChannelId)
      .executeTakeFirstOrThrow();
    for (const shown of [
      JSON.stringify(created.body),
      JSON.stringify(read.body),
      JSON.stringify(events),
      row.credentials,
    ]) {
      for (const secret of [
        'PRIVATE KEY',
        'private_key',
        known.privateKey.split('\n')[1] ?? 'x',
        'gserviceaccount',
        credentials.client_token,
      ])
        expect(shown).not.toContain(secret);
    }
    // Tokens are minted when first needed, not on creation.
    expect(saFake.tokenRequests).toEqual([]);
  });

  it('mints a token for the tester invitation and capability check, then reuses it for replies', async () => {
    const invited = await s.t.api('POST', `/channel/${saChannelId}/tester`, {
      key: s.key,
      json: { phone_number: SA_USER },
    });
    expect(invited.status).toBe(200);
    expect(saFake.tokenRequests).toEqual([
      { clientEmail: 'rbm-agent@causerie-rbm.iam.gserviceaccount.com', status: 200 },
    ]);
    saFake.accept(SA_USER);
    const capable = await s.t.api(
      'GET',
      `/channel/${saChannelId}/capability?phone_number=${encodeURIComponent(SA_USER)}`,
      { key: s.key },
    );
    expect(capable.body.data).toMatchObject({ reachable: true });
    conversationId = await conversationFrom(saFake, SA_USER);
    const first = await reply(conversationId, 'Premier message');
    const second = await reply(conversationId, 'Second message');
    await eventually(async () => (saFake.accepted.length === 2 ? true : undefined), 8000, 'two replies');
    expect(saFake.accepted.map((message) => message.contentMessage)).toEqual([
      { text: 'Premier message' },
      { text: 'Second message' },
    ]);
    // One token request in all; every RBM call carried the token it minted.
    expect(saFake.tokenRequests).toHaveLength(1);
    const tokens = new Set(saFake.bearers.map((call) => call.token));
    expect(tokens.size).toBe(1);
    expect([...tokens][0]).toMatch(/^ya29\.fake-/);
    expect(saFake.bearers.filter((call) => call.path.endsWith('/agentMessages'))).toHaveLength(2);
    for (const sent of [first, second])
      await eventually(
        async () =>
          (await deliveryOf(conversationId, Number(sent.body.data.seq)))?.state === 'read' ? true : undefined,
        8000,
        'read',
      );
  });

  it('replaces a token RBM no longer accepts (401) with one fresh token and sends the message', async () => {
    const before = new Set(saFake.bearers.map((call) => call.token));
    saFake.expireTokens();
    const sent = await reply(conversationId, 'Après expiration');
    await eventually(
      async () => ((await deliveryOf(conversationId, Number(sent.body.data.seq)))?.state === 'read' ? true : undefined),
      8000,
      'read',
    );
    expect(saFake.tokenRequests).toHaveLength(2);
    expect(saFake.accepted.at(-1)?.contentMessage).toEqual({ text: 'Après expiration' });
    const last = saFake.bearers.at(-1)?.token ?? '';
    expect(before.has(last)).toBe(false);
  });

  it('keeps the message queued while the token endpoint is down (503), and sends it on the next attempt', async () => {
    saFake.expireTokens();
    saFake.tokenOutages = 1;
    const sent = await reply(conversationId, 'Pendant la panne');
    const seq = Number(sent.body.data.seq);
    const queued = await eventually(async () => {
      const state = await deliveryOf(conversationId, seq);
      return state?.state === 'queued' && state.error !== undefined ? state : undefined;
    });
    expect(queued.error?.code).toBe('internal_failure');
    await eventually(
      async () => ((await deliveryOf(conversationId, seq))?.state === 'read' ? true : undefined),
      10_000,
      'read after the outage',
    );
    expect(saFake.tokenRequests.map((request) => request.status)).toEqual([200, 200, 503, 200]);
  });

  it('fails the message with invalid_grant when Google does not know the key', async () => {
    const created = await createRcs(badFake.url, {
      service_account: serviceAccount(unknown.privateKey, 'key-deleted-2', badFake.tokenUrl),
    });
    expect(created.status).toBe(200);
    badFake.webhookUrl = String(created.body.data.webhook_url);
    const conversation = await conversationFrom(badFake, BAD_USER);
    const sent = await reply(conversation, 'Ne partira pas');
    const failed = await eventually(async () => {
      const state = await deliveryOf(conversation, Number(sent.body.data.seq));
      return state?.state === 'failed' ? state : undefined;
    });
    expect(failed.error).toEqual({
      code: 'invalid_grant',
      message: 'The service account could not get an access token: Invalid JWT Signature.',
    });
    // Final: one token request, no retry, and nothing reached RBM.
    expect(badFake.tokenRequests).toEqual([
      { clientEmail: 'rbm-agent@causerie-rbm.iam.gserviceaccount.com', status: 400, error: 'invalid_grant' },
    ]);
    expect(badFake.bearers).toEqual([]);
  });

  it('shares one token request among concurrent callers, and one refresh among callers refused the same token', async () => {
    const checked = checkServiceAccount(serviceAccount(known.privateKey, 'key-known-1', saFake.tokenUrl));
    if (!checked.ok) throw new Error('key refused');
    const before = saFake.tokenRequests.length;
    const tokens = await Promise.all(
      Array.from({ length: 5 }, () => serviceAccountToken(s.t.context.outbound, 990_001, checked.key)),
    );
    expect(saFake.tokenRequests).toHaveLength(before + 1);
    const token = tokens[0]?.ok ? tokens[0].token : '';
    expect(tokens.every((outcome) => outcome.ok && outcome.token === token)).toBe(true);
    const refreshed = await Promise.all(
      Array.from({ length: 3 }, () =>
        serviceAccountToken(s.t.context.outbound, 990_001, checked.key, { refused: token }),
      ),
    );
    expect(saFake.tokenRequests).toHaveLength(before + 2);
    expect(new Set(refreshed.map((outcome) => (outcome.ok ? outcome.token : 'failed'))).size).toBe(1);
    expect(refreshed[0]?.ok && refreshed[0].token !== token).toBe(true);
    // Another channel has its own token.
    await serviceAccountToken(s.t.context.outbound, 990_002, checked.key);
    expect(saFake.tokenRequests).toHaveLength(before + 3);
  });

  it('refuses a bad key with a 400 naming the field, and takes exactly one of access_token and service_account', async () => {
    const good = serviceAccount(known.privateKey, 'key-known-1', saFake.tokenUrl);
    const cases: Array<[Record<string, unknown>, number, string]> = [
      [
        {
          service_account: {
            ...good,
            private_key: '-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n',
          },
        },
        400,
        "Value of field 'credentials[service_account][private_key]' is not valid. It is not a valid PEM private key",
      ],
      [
        { service_account: { ...good, client_email: undefined } },
        400,
        "Field 'credentials[service_account][client_email]' is missing.",
      ],
      [{ service_account: { ...good, type: 'authorized_user' } }, 400, "'credentials[service_account][type]'"],
      [
        { service_account: { ...good, token_uri: 'ftp://example.com/token' } },
        400,
        "'credentials[service_account][token_uri]'",
      ],
      [{ service_account: 'not json' }, 400, "'credentials[service_account]'"],
      [
        { service_account: good, access_token: 'ya29.x' },
        400,
        "Value of field 'credentials[service_account]' is not valid. A rcs channel takes one of access_token, service_account, not both.",
      ],
      [{}, 400, "Value of field 'credentials' is not valid. A rcs channel needs one of access_token, service_account."],
      [
        { access_token: { token: 'x' } },
        400,
        "Value of field 'credentials[access_token]' is not valid. Expected text.",
      ],
    ];
    for (const [extra, status, message] of cases) {
      const answer = await createRcs(saFake.url, extra);
      expect(answer.status, message).toBe(status);
      expect(answer.body.meta.message).toContain(message);
    }
    // The key's text (a pasted file) is accepted as well as the object.
    expect((await createRcs(saFake.url, { service_account: JSON.stringify(good) })).status).toBe(200);
  });

  it('switches a channel from a pasted access_token to a service account on update (one replaces the other)', async () => {
    const created = await createRcs(saFake.url, { access_token: 'ya29.pasted' });
    const id = Number(created.body.data.id);
    expect(created.body.data.credentials_set).toEqual(['access_token', 'agent_id', 'client_token']);
    const bad = await s.t.api('PUT', `/channel/${id}`, {
      key: s.key,
      json: { credentials: { service_account: { ...serviceAccount('x', 'key-known-1', saFake.tokenUrl) } } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.meta.message).toContain("'credentials[service_account][private_key]'");
    const switched = await s.t.api('PUT', `/channel/${id}`, {
      key: s.key,
      json: { credentials: { service_account: serviceAccount(known.privateKey, 'key-known-1', saFake.tokenUrl) } },
    });
    expect(switched.status).toBe(200);
    expect(switched.body.data.credentials_set).toEqual(['agent_id', 'client_token', 'service_account']);
    const back = await s.t.api('PUT', `/channel/${id}`, {
      key: s.key,
      json: { credentials: { access_token: 'ya29.again' } },
    });
    expect(back.body.data.credentials_set).toEqual(['access_token', 'agent_id', 'client_token']);
  });
});
