// The `auto` channel of issue 20's sends against the fake Google RBM server and the fake Twilio, on SQLite and
// PostgreSQL: an environment with RCS (launched by a carrier through the RBM Management API) and SMS sends on RCS to
// a number Google's capability check finds RCS-capable and by SMS to one it does not; the capability answer is kept
// (a second send to the number does not ask Google again); an RCS message Google refuses, or that is not delivered
// within the send's fallback window, leaves again by SMS with `fallback_from: rcs`.
import type { FakeRbm } from '@causerie/test-support/fakes/rbm';
import { FakeTwilio } from '@causerie/test-support/fakes/twilio';
import { freePort } from '@causerie/test-support/processes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChannelTestSetup, closeChannelTest, connectFake } from '../../test/channel-app.js';
import { clientWithKey, startTestApp } from '../../test/harness.js';
import {
  type AgentView,
  type CallbackReceiver,
  messagingCaller,
  startCallbackReceiver,
  startFakeRbm,
  until,
} from '../../test/messaging.js';
import type { MessengerMessageView } from './messages.js';

const ACCOUNT = `AC${'c3'.repeat(16)}`;
const TOKEN = 'twilio-auth-token-auto-channel-01';
const NUMBER = '+33757000222';
/** The agent the account's RCS channel sends as (in testing at Google: it reaches testers who accepted). */
const RCS_CREDENTIALS = {
  agent_id: 'boulangerie-auto-agent',
  access_token: 'ya29.auto-channel-token',
  client_token: 'auto-channel-client-token',
};
/** RCS-capable, a tester who accepted: RCS messages reach the phone and are delivered. */
const LEA = '+33612340101';
/** Not RCS-capable: Google's capability check answers 404 NOT_FOUND. */
const HUGO = '+33612340102';
/** RCS-capable but not a tester: Google refuses the agent's message with 404 NOT_FOUND. */
const CHLOE = '+33612340103';
/** RCS-capable, a tester, but the phone is off: the message is accepted and never delivered. */
const NOE = '+33612340104';

let s: ChannelTestSetup;
let rbm: FakeRbm;
let twilio: FakeTwilio;
let receiver: CallbackReceiver;
let agentId: number;
const call = messagingCaller(() => s.t.app);

interface Report {
  type: string;
  id: number;
  state: string;
  data: { channel: string | null; error: { code: string; message: string } | null };
}

function reportsOf(id: number): Report[] {
  return receiver
    .deliveries()
    .map((delivery) => delivery.body as unknown as Report)
    .filter((body) => body.type === 'MESSENGER_REPORT' && body.id === id);
}

/** The reports of a send (state and channel), once the last one came. */
function reportsUntil(id: number, last: string): Promise<Array<[string, string | null]>> {
  return until(() => {
    const reports = reportsOf(id).map((report): [string, string | null] => [report.state, report.data.channel]);
    if (reports.at(-1)?.[0] !== last) throw new Error(`send ${id}: reports ${JSON.stringify(reports)} so far`);
    return reports;
  }, 15_000);
}

/** How many times Google was asked whether `phone` can take RCS. */
function capabilityChecks(phone: string): number {
  return rbm.bearers.filter((request) => decodeURIComponent(request.path) === `/v1/phones/${phone}/capabilities`)
    .length;
}

async function submit(to: string, extra: Record<string, unknown> = {}): Promise<number> {
  const answer = await call<{ id: number }>('POST', '/messenger/submit', s.key, {
    agent_id: agentId,
    to,
    channel: 'auto',
    content: { text: 'Bonjour, votre commande est prête.' },
    ...extra,
  });
  expect(answer.status).toBe(202);
  return answer.body.data.id;
}

beforeAll(async () => {
  const google = await startFakeRbm([LEA, CHLOE, NOE], {
    agentId: RCS_CREDENTIALS.agent_id,
    accessToken: RCS_CREDENTIALS.access_token,
    clientToken: RCS_CREDENTIALS.client_token,
    silent: [NOE],
  });
  rbm = google.fake;
  rbm.testers.set(LEA, 'ACCEPTED');
  rbm.testers.set(NOE, 'ACCEPTED');
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  const t = await startTestApp({ ...google.overrides, publicUrl, outboundAllowlist: '127.0.0.0/8,::1' });
  await t.app.listen({ port, host: '127.0.0.1' });
  const { clientId, key } = await clientWithKey(t, 'Boulangerie Auto');
  const website = await t.api('POST', '/website', {
    key,
    json: { label: 'Boutique', url: 'https://boutique.example' },
  });
  s = { t, publicUrl, key, clientId, websiteId: Number(website.body.data.id), operatorId: 0 };
  twilio = await new FakeTwilio({
    accountSid: ACCOUNT,
    authToken: TOKEN,
    numbers: [NUMBER],
    ratePerSecond: 1000,
  }).start();
  const smsChannelId = await connectFake(s, twilio, {
    type: 'sms',
    credentials: { account_sid: ACCOUNT, auth_token: TOKEN, from: NUMBER },
  });
  await connectFake(s, rbm, { type: 'rcs', credentials: RCS_CREDENTIALS });
  receiver = await startCallbackReceiver();
  const registered = await call<{ secret: string }>('POST', '/system/callback', s.key, { url: receiver.url });
  expect(registered.status).toBe(201);
  receiver.trust(registered.body.data.secret);

  // An environment on RCS and SMS, submitted to two carriers; orange-fr launches it.
  const created = await call<AgentView>('POST', '/chatbot/agent', s.key, {
    name: 'Boulangerie Martin',
    description: 'Commandes et retraits en boutique',
    logo_url: 'https://cdn.example.fr/logo.png',
    banner_url: 'https://cdn.example.fr/banner.png',
    brand_color: '#0b78d0',
    phone: '+33145678900',
    privacy_url: 'https://boulangerie-martin.fr/confidentialite',
    terms_url: 'https://boulangerie-martin.fr/cgu',
    channels: ['rcs', 'sms'],
    sms_channel_id: smsChannelId,
    carriers: ['orange-fr', 'sfr-fr'],
  });
  expect(created.status).toBe(201);
  agentId = created.body.data.id;
  const rbmAgent = await until(async () => {
    const read = await call<AgentView>('GET', `/chatbot/agent/${agentId}`, s.key);
    expect(read.body.data.registration.launch_requested).toBe(true);
    return read.body.data.registration.agent ?? '';
  });
  rbm.management.setLaunchState(rbmAgent, 'orange-fr', 'LAUNCH_STATE_LAUNCHED');
  await until(async () => {
    const read = await call<AgentView>('GET', `/chatbot/agent/${agentId}`, s.key);
    expect(read.body.data.state).toBe('active');
  }, 15_000);
}, 60_000);

afterAll(async () => {
  await receiver.close();
  await closeChannelTest(s, twilio, rbm);
});

describe('auto channel', () => {
  it('sends on RCS to an RCS-capable number when a carrier launched the environment', async () => {
    const id = await submit(LEA, { reference: 'auto-rcs' });
    expect(await reportsUntil(id, 'read')).toEqual([
      ['queued', null],
      ['sent', 'rcs'],
      ['delivered', 'rcs'],
      ['read', 'rcs'],
    ]);
    expect(rbm.accepted.filter((message) => message.msisdn === LEA).map((message) => message.contentMessage)).toEqual([
      { text: 'Bonjour, votre commande est prête.' },
    ]);
    expect(twilio.accepted.some((message) => message.to === LEA)).toBe(false);
    const read = await call<MessengerMessageView>('GET', `/messenger/message/${id}`, s.key);
    expect(read.body.data).toMatchObject({ requested_channel: 'auto', channel: 'rcs', fallback_from: null });
    expect(capabilityChecks(LEA)).toBe(1);
  });

  it('keeps the capability answer: a second send to the number does not ask Google again', async () => {
    const id = await submit(LEA);
    await reportsUntil(id, 'read');
    expect(rbm.accepted.filter((message) => message.msisdn === LEA)).toHaveLength(2);
    expect(capabilityChecks(LEA)).toBe(1);
  });

  it('sends by SMS to a number that cannot take RCS, and keeps that answer too', async () => {
    const first = await submit(HUGO);
    expect(await reportsUntil(first, 'delivered')).toEqual([
      ['queued', null],
      ['sent', 'sms'],
      ['delivered', 'sms'],
    ]);
    const second = await submit(HUGO);
    await reportsUntil(second, 'delivered');
    expect(twilio.accepted.filter((message) => message.to === HUGO)).toHaveLength(2);
    expect(rbm.accepted.some((message) => message.msisdn === HUGO)).toBe(false);
    expect(capabilityChecks(HUGO)).toBe(1);
  });

  it('falls back to SMS at once when Google refuses the RCS message', async () => {
    const id = await submit(CHLOE, { fallback: { channel: 'sms', after_minutes: 10 } });
    const reports = await reportsUntil(id, 'delivered');
    expect(reports[0]).toEqual(['queued', null]);
    expect(reports.at(-1)).toEqual(['delivered', 'sms']);
    expect(twilio.accepted.filter((message) => message.to === CHLOE).map((message) => message.body)).toEqual([
      'Bonjour, votre commande est prête.',
    ]);
    const read = await call<MessengerMessageView>('GET', `/messenger/message/${id}`, s.key);
    expect(read.body.data).toMatchObject({ channel: 'sms', fallback_from: 'rcs', state: 'delivered' });
  });

  it("fails with Google's error when the refused RCS message has no fallback rule", async () => {
    const id = await submit(CHLOE);
    const reports = await reportsUntil(id, 'failed');
    expect(reports.at(-1)).toEqual(['failed', 'rcs']);
    expect(reportsOf(id).at(-1)?.data.error?.code).toBe('NOT_FOUND');
    expect(twilio.accepted.filter((message) => message.to === CHLOE)).toHaveLength(1);
  });

  // Issue 20 asks for the number's own carrier; nothing Causerie receives names it (Google's capability answer does
  // not), so any launched carrier of the environment counts (docs/MESSAGING.md, `channel`).
  it.todo("counts only a launch on the number's own carrier (needs a source of the number's carrier)");

  it('falls back to SMS when the RCS message is not delivered within the fallback window', async () => {
    const id = await submit(NOE, { fallback: { channel: 'sms', after_minutes: 1 } });
    expect(await reportsUntil(id, 'sent')).toEqual([
      ['queued', null],
      ['sent', 'rcs'],
    ]);
    expect(rbm.accepted.some((message) => message.msisdn === NOE)).toBe(true);
    const waiting = await s.t.store.db
      .selectFrom('messenger_message')
      .select(['work', 'due_at'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(waiting.work).toBe('fallback');
    const window = Date.parse(waiting.due_at ?? '') - Date.now();
    expect(window).toBeGreaterThan(50_000);
    expect(window).toBeLessThanOrEqual(60_000);
    // The minute passes (rather than waiting it out): the fallback is due now.
    await s.t.store.db
      .updateTable('messenger_message')
      .set({ due_at: new Date().toISOString() })
      .where('id', '=', id)
      .execute();
    expect(await reportsUntil(id, 'delivered')).toEqual([
      ['queued', null],
      ['sent', 'rcs'],
      ['delivered', 'sms'],
    ]);
    expect(twilio.accepted.filter((message) => message.to === NOE)).toHaveLength(1);
    const read = await call<MessengerMessageView>('GET', `/messenger/message/${id}`, s.key);
    expect(read.body.data).toMatchObject({ channel: 'sms', fallback_from: 'rcs', state: 'delivered' });
  });
});
