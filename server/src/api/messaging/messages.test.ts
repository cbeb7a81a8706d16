// Issue 20's sending against the fake Twilio-compatible API (SMS), on SQLite and PostgreSQL: a submit followed to
// `delivered` through signed MESSENGER_REPORT callbacks, a provider refusal as `failed` with Twilio's code, a
// scheduled send cancelled, the customer's STOP putting the number on the opt-out list (MESSENGER_INBOUND) so the
// next send ends `opted_out`, `/messenger/conversation` to several recipients, broadcasts from a JSON list and from
// a CSV file with their per-line problems and progress counters, and bad input named by field.
import type { FakeTwilio } from '@causerie/test-support/fakes/twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChannelTestSetup, closeChannelTest } from '../../test/channel-app.js';
import { type CallbackReceiver, messagingCaller, startCallbackReceiver, until } from '../../test/messaging.js';
import { startSmsSender } from '../../test/sms-sender.js';
import type { BroadcastView } from './broadcasts.js';
import type { MessengerMessageView } from './messages.js';

const ACCOUNT = `AC${'b2'.repeat(16)}`;
const TOKEN = 'twilio-auth-token-messenger-0001';
const NUMBER = '+33757000111';
const LEA = '+33612340001';
const HUGO = '+33612340002';
/** The fake answers `undelivered` (error 30003) for numbers starting +1500555, as Twilio's magic numbers do. */
const UNREACHABLE = '+15005550009';

let s: ChannelTestSetup;
let fake: FakeTwilio;
let receiver: CallbackReceiver;
let agentId: number;
const call = messagingCaller(() => s.t.app);

interface Report {
  type: string;
  id: number;
  state: string;
  previous_state: string | null;
  data: { reference: string | null; to: string; channel: string | null; broadcast_id: number | null; error: unknown };
}

function reportsOf(id: number): Report[] {
  return receiver
    .deliveries()
    .map((delivery) => delivery.body as unknown as Report)
    .filter((body) => body.type === 'MESSENGER_REPORT' && body.id === id);
}

/** The states reported for a send, once the last one came. */
function reportedStates(id: number, last: string): Promise<string[]> {
  return until(() => {
    const states = reportsOf(id).map((report) => report.state);
    if (states.at(-1) !== last) throw new Error(`send ${id}: reports ${states.join(', ')} so far`);
    return states;
  }, 15_000);
}

beforeAll(async () => {
  ({ s, fake, agentId } = await startSmsSender({
    accountSid: ACCOUNT,
    authToken: TOKEN,
    number: NUMBER,
    beforeEnvironment: async (setup) => {
      receiver = await startCallbackReceiver();
      // Not `call`: it reads `s`, which is set only once startSmsSender returns, and this runs inside it.
      const setupCall = messagingCaller(() => setup.t.app);
      const registered = await setupCall<{ secret: string }>('POST', '/system/callback', setup.key, {
        url: receiver.url,
      });
      expect(registered.status).toBe(201);
      receiver.trust(registered.body.data.secret);
    },
  }));
});
afterAll(async () => {
  await receiver.close();
  await closeChannelTest(s, fake);
});

describe('messenger sends', () => {
  it('submits a text with variables: the customer gets it by SMS and every state is a signed MESSENGER_REPORT', async () => {
    const answer = await call<{ id: number; state: string }>('POST', '/messenger/submit', s.key, {
      agent_id: agentId,
      to: LEA,
      channel: 'sms',
      content: { text: 'Bonjour {{firstname}}, votre commande {{order}} est prête.' },
      variables: { firstname: 'Léa', order: 'A-1042' },
      reference: 'order-A-1042',
    });
    expect(answer.status).toBe(202);
    expect(answer.body.data.state).toBe('queued');
    const id = answer.body.data.id;
    expect(await reportedStates(id, 'delivered')).toEqual(['queued', 'sent', 'delivered']);
    const texted = fake.accepted.filter((message) => message.to === LEA);
    expect(texted.map((message) => message.body)).toEqual(['Bonjour Léa, votre commande A-1042 est prête.']);
    const reports = reportsOf(id);
    expect(reports.every((report) => report.data.reference === 'order-A-1042' && report.data.to === LEA)).toBe(true);
    expect(reports.at(-1)?.data.channel).toBe('sms');
    const signed = receiver.deliveries().filter((delivery) => (delivery.body as unknown as Report).id === id);
    for (const delivery of signed) expect(delivery.signed).toEqual({ standard: true, causerie: true });
    const read = await call<MessengerMessageView>('GET', `/messenger/message/${id}`, s.key);
    expect(read.body.data).toMatchObject({ state: 'delivered', channel: 'sms', requested_channel: 'sms', to: LEA });
    const listed = await call<MessengerMessageView[]>('GET', '/messenger/message?reference=order-A-1042', s.key);
    expect(listed.body.data.map((item) => item.id)).toEqual([id]);
  });

  it('chooses the channel with auto: SMS for a text on an environment without RCS (WhatsApp needs a template)', async () => {
    const answer = await call<{ id: number }>('POST', '/messenger/submit', s.key, {
      agent_id: agentId,
      to: '+33612340003',
      content: { text: 'Votre colis arrive demain.' },
    });
    expect(answer.status).toBe(202);
    await reportedStates(answer.body.data.id, 'delivered');
    const read = await call<MessengerMessageView>('GET', `/messenger/message/${answer.body.data.id}`, s.key);
    expect(read.body.data).toMatchObject({ requested_channel: 'auto', channel: 'sms', state: 'delivered' });
  });

  it("reports the provider's refusal as failed with its error code", async () => {
    const answer = await call<{ id: number }>('POST', '/messenger/submit', s.key, {
      agent_id: agentId,
      to: UNREACHABLE,
      content: { text: 'Votre code : 4242' },
    });
    expect(answer.status).toBe(202);
    await reportedStates(answer.body.data.id, 'failed');
    const failed = reportsOf(answer.body.data.id).at(-1);
    expect(failed?.data.error).toMatchObject({ code: '30003' });
  });

  it('schedules a send, cancels it before it leaves, and refuses to cancel it twice', async () => {
    const sendAt = new Date(Date.now() + 3_600_000).toISOString();
    const answer = await call<{ id: number; state: string }>('POST', '/messenger/submit', s.key, {
      agent_id: agentId,
      to: HUGO,
      content: { text: 'Rappel : rendez-vous demain.' },
      send_at: sendAt,
    });
    expect(answer.body.data.state).toBe('scheduled');
    const cancelled = await call<MessengerMessageView>('DELETE', `/messenger/message/${answer.body.data.id}`, s.key);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.data.state).toBe('cancelled');
    expect(await reportedStates(answer.body.data.id, 'cancelled')).toEqual(['scheduled', 'cancelled']);
    const again = await call('DELETE', `/messenger/message/${answer.body.data.id}`, s.key);
    expect(again.status).toBe(409);
    expect(again.body.meta.message).toContain("Current state: 'cancelled'");
    expect(fake.accepted.some((message) => message.to === HUGO)).toBe(false);
  });

  it('names the field of bad input', async () => {
    const base = { agent_id: agentId, to: HUGO, content: { text: 'Bonjour {{firstname}}' } };
    const missing = await call('POST', '/messenger/submit', s.key, base);
    expect(missing.status).toBe(400);
    expect(missing.body.meta.field).toBe('variables.firstname');
    const whatsapp = await call('POST', '/messenger/submit', s.key, {
      ...base,
      variables: { firstname: 'Hugo' },
      channel: 'whatsapp',
    });
    expect(whatsapp.status).toBe(400);
    expect(whatsapp.body.meta.message).toContain('sends on sms, not whatsapp');
    const unknown = await call('POST', '/messenger/submit', s.key, {
      ...base,
      agent_id: 999_999,
      variables: { firstname: 'H' },
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body.meta.field).toBe('agent_id');
    const national = await call('POST', '/messenger/submit', s.key, { ...base, to: '0612345678' });
    expect(national.status).toBe(400);
    expect(national.body.meta.message).toContain('to');
    const landline = await call('POST', '/messenger/submit', s.key, {
      ...base,
      to: '+33145678900',
      variables: { firstname: 'H' },
    });
    expect(landline.status).toBe(400);
    expect(landline.body.meta.field).toBe('to');
    const noKey = await call('POST', '/messenger/submit', undefined, base);
    expect(noKey.status).toBe(403);
  });

  it('sends to several recipients with their own variables; one bad recipient refuses the call whole', async () => {
    const recipients = [
      { to: '+33612340011', variables: { firstname: 'Ana' }, reference: 'ana' },
      { to: '+33612340012', variables: { firstname: 'Bruno' } },
    ];
    const content = { text: 'Bonjour {{firstname}}, la réunion commence à 14 h.' };
    const refused = await call('POST', '/messenger/conversation', s.key, {
      agent_id: agentId,
      content,
      recipients: [...recipients, { to: '+33612340013' }],
    });
    expect(refused.status).toBe(400);
    expect(refused.body.meta.field).toBe('recipients[2].variables.firstname');
    // A field the request's schema does not know names the recipient it is in, too.
    const unknown = await call('POST', '/messenger/conversation', s.key, {
      agent_id: agentId,
      content,
      recipients: [recipients[0], { ...recipients[1], colour: 'blue' }],
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.meta.field).toBe('recipients[1][colour]');
    const answer = await call<Array<{ id: number; to: string }>>('POST', '/messenger/conversation', s.key, {
      agent_id: agentId,
      content,
      recipients,
    });
    expect(answer.status).toBe(202);
    expect(answer.body.data.map((item) => item.to)).toEqual(['+33612340011', '+33612340012']);
    for (const item of answer.body.data) await reportedStates(item.id, 'delivered');
    expect(fake.accepted.filter((message) => message.to === '+33612340012').map((message) => message.body)).toEqual([
      'Bonjour Bruno, la réunion commence à 14 h.',
    ]);
    expect(reportsOf(answer.body.data[0]?.id ?? 0).at(-1)?.data.reference).toBe('ana');
  });

  it('writes sends due together in one batch, and a send that cannot be written fails alone', async () => {
    const template = async (name: string) => {
      const created = await call<{ id: number }>('POST', '/messenger/template', s.key, {
        name,
        language: 'fr',
        category: 'UTILITY',
        content: { body: `Votre commande est prête (${name}).` },
      });
      expect(created.status).toBe(201);
      return created.body.data.id;
    };
    const kept = await template('batch_kept');
    const deleted = await template('batch_deleted');
    // Both due at the same instant: the worker claims them in one round and writes them in one transaction.
    const sendAt = new Date(Date.now() + 1_500).toISOString();
    const submitted = await call<Array<{ id: number }>>('POST', '/messenger/conversation', s.key, {
      agent_id: agentId,
      channel: 'sms',
      content: { template_id: kept },
      send_at: sendAt,
      recipients: [{ to: '+33612340031' }, { to: '+33612340032' }],
    });
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(202);
    const lost = await call<{ id: number }>('POST', '/messenger/submit', s.key, {
      agent_id: agentId,
      to: '+33612340033',
      channel: 'sms',
      content: { template_id: deleted },
      send_at: sendAt,
    });
    expect(lost.status).toBe(202);
    expect((await call('DELETE', `/messenger/template/${deleted}`, s.key)).status).toBe(200);
    const [first, second] = submitted.body.data;
    expect(await reportedStates(first?.id ?? 0, 'delivered')).toEqual(['scheduled', 'queued', 'sent', 'delivered']);
    expect(await reportedStates(second?.id ?? 0, 'delivered')).toEqual(['scheduled', 'queued', 'sent', 'delivered']);
    const failed = await reportedStates(lost.body.data.id, 'failed');
    expect(failed).toEqual(['scheduled', 'failed']);
    expect(reportsOf(lost.body.data.id).at(-1)?.data.error).toMatchObject({ code: 'template_deleted' });
    expect(fake.accepted.filter((message) => message.to === '+33612340033')).toEqual([]);
  });

  it('puts a customer who answers STOP on the opt-out list; the next send ends opted_out', async () => {
    const customer = '+33612340021';
    const first = await call<{ id: number }>('POST', '/messenger/submit', s.key, {
      agent_id: agentId,
      to: customer,
      content: { text: 'Promotions de la semaine' },
      reference: 'promo-1',
    });
    await reportedStates(first.body.data.id, 'delivered');
    expect((await fake.customerSends(customer, NUMBER, 'Stop')).status).toBe(200);
    const inbound = await until(() => {
      const found = receiver
        .deliveries()
        .map((delivery) => delivery.body as unknown as { type: string; data: Record<string, unknown> })
        .find((body) => body.type === 'MESSENGER_INBOUND' && body.data.from === customer);
      if (found === undefined) throw new Error('no MESSENGER_INBOUND yet');
      return found;
    }, 15_000);
    expect(inbound.data).toMatchObject({
      text: 'Stop',
      opted_out: true,
      in_reply_to: first.body.data.id,
      reference: 'promo-1',
    });
    const list = await call<Array<{ phone: string; source: string; keyword: string }>>(
      'GET',
      `/messenger/optout?phone=${encodeURIComponent(customer)}`,
      s.key,
    );
    expect(list.body.data).toEqual([expect.objectContaining({ phone: customer, source: 'keyword', keyword: 'STOP' })]);
    const second = await call<{ id: number }>('POST', '/messenger/submit', s.key, {
      agent_id: agentId,
      to: customer,
      content: { text: 'Promotions de la semaine prochaine' },
    });
    expect(await reportedStates(second.body.data.id, 'opted_out')).toEqual(['queued', 'opted_out']);
    expect(fake.accepted.filter((message) => message.to === customer)).toHaveLength(1);
    // Agreeing again takes the number off the list.
    expect((await call('DELETE', `/messenger/optout/${encodeURIComponent(customer)}`, s.key)).status).toBe(200);
    expect((await call('DELETE', `/messenger/optout/${encodeURIComponent(customer)}`, s.key)).status).toBe(404);
  });
});

describe('messenger broadcasts', () => {
  it('sends a JSON list, keeps the bad line as a problem, counts progress and completes', async () => {
    const created = await call<BroadcastView>('POST', '/messenger/broadcast', s.key, {
      agent_id: agentId,
      name: 'Soldes',
      channel: 'sms',
      content: { text: '{{firstname}}, -30 % ce week-end !' },
      recipients: [
        { to: '+33612340031', variables: { firstname: 'Chloé' } },
        { to: '+33612340032', variables: { firstname: 'Diane' } },
        { to: '12', variables: { firstname: 'Erreur' } },
      ],
    });
    expect(created.status).toBe(201);
    expect(created.body.data).toMatchObject({ state: 'running', total: 3, invalid: 1 });
    const id = created.body.data.id;
    const done = await until(async () => {
      const read = await call<BroadcastView>('GET', `/messenger/broadcast/${id}`, s.key);
      expect(read.body.data.state).toBe('completed');
      expect(read.body.data.progress?.delivered).toBe(2);
      return read.body.data;
    }, 20_000);
    expect(done.progress).toMatchObject({ total: 3, invalid: 1, delivered: 2, failed: 0, queued: 0 });
    const problems = await call<Array<{ line: number; field: string }>>(
      'GET',
      `/messenger/broadcast/${id}/problems`,
      s.key,
    );
    expect(problems.body.data).toEqual([expect.objectContaining({ line: 2, field: 'recipients[2].to' })]);
    const report = await call<Array<{ id: number; to: string; state: string }>>(
      'GET',
      `/messenger/broadcast/${id}/recipients`,
      s.key,
    );
    expect(report.body.data.map((row) => [row.to, row.state])).toEqual([
      ['+33612340031', 'delivered'],
      ['+33612340032', 'delivered'],
    ]);
    const firstId = report.body.data[0]?.id ?? 0;
    expect(reportsOf(firstId).every((r) => r.data.broadcast_id === id)).toBe(true);
  });

  it('imports a CSV file: national numbers with the default country, per-line problems, a CSV report', async () => {
    const created = await call<BroadcastView>('POST', '/messenger/broadcast', s.key, {
      agent_id: agentId,
      name: 'Rappel',
      channel: 'sms',
      default_country: 'FR',
      content: { text: 'Bonjour {{prenom}}, votre retrait est prêt.' },
    });
    expect(created.body.data.state).toBe('importing');
    const id = created.body.data.id;
    const csv =
      'telephone;prenom\r\n06 12 34 00 41;Élise\r\n+33612340042;Farid\r\n0612340043;\r\n01 45 67 89 00;Gaspard\r\n';
    const upload = await s.t.app.inject({
      method: 'PUT',
      url: `/api/messaging/messenger/broadcast/${id}/recipients`,
      headers: { 'x-api-key': s.key, 'content-type': 'text/csv' },
      payload: csv,
    });
    expect(upload.statusCode).toBe(200);
    expect(upload.json<{ data: BroadcastView }>().data).toMatchObject({ total: 4, invalid: 2 });
    await until(async () => {
      const read = await call<BroadcastView>('GET', `/messenger/broadcast/${id}`, s.key);
      expect(read.body.data).toMatchObject({ state: 'completed', progress: { delivered: 2 } });
    }, 20_000);
    const problems = await call<Array<{ line: number; field: string; reason: string }>>(
      'GET',
      `/messenger/broadcast/${id}/problems`,
      s.key,
    );
    expect(problems.body.data.map((problem) => problem.line)).toEqual([4, 5]);
    const exported = await s.t.app.inject({
      method: 'GET',
      url: `/api/messaging/messenger/broadcast/${id}/recipients?format=csv`,
      headers: { 'x-api-key': s.key },
    });
    expect(exported.headers['content-type']).toContain('text/csv');
    const lines = exported.body.trim().split('\r\n');
    expect(lines[0]).toBe('id,to,channel,state,error,created_at,updated_at');
    expect(lines.slice(1).map((line) => line.split(',').slice(1, 4).join(','))).toEqual([
      '+33612340041,sms,delivered',
      '+33612340042,sms,delivered',
    ]);
    expect(fake.accepted.find((message) => message.to === '+33612340041')?.body).toBe(
      'Bonjour Élise, votre retrait est prêt.',
    );
    // A header without the content's variable is refused, naming the expected columns.
    const other = await call<BroadcastView>('POST', '/messenger/broadcast', s.key, {
      agent_id: agentId,
      name: 'Rappel 2',
      channel: 'sms',
      content: { text: 'Bonjour {{prenom}}' },
    });
    const wrong = await s.t.app.inject({
      method: 'PUT',
      url: `/api/messaging/messenger/broadcast/${other.body.data.id}/recipients`,
      headers: { 'x-api-key': s.key, 'content-type': 'text/csv' },
      payload: 'phone,name\r\n+33612340051,Hugo\r\n',
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json<{ meta: { message: string } }>().meta.message).toContain('prenom');
  });

  it('pauses a scheduled broadcast, resumes and cancels it: its recipients end cancelled', async () => {
    const created = await call<BroadcastView>('POST', '/messenger/broadcast', s.key, {
      agent_id: agentId,
      name: 'Plus tard',
      channel: 'sms',
      send_at: new Date(Date.now() + 3_600_000).toISOString(),
      content: { text: 'Bientôt' },
      recipients: [{ to: '+33612340061' }, { to: '+33612340062' }],
    });
    expect(created.body.data.state).toBe('scheduled');
    const id = created.body.data.id;
    expect((await call<BroadcastView>('POST', `/messenger/broadcast/${id}/pause`, s.key)).body.data.state).toBe(
      'paused',
    );
    const cancelled = await call<BroadcastView>('POST', `/messenger/broadcast/${id}/cancel`, s.key);
    expect(cancelled.body.data.state).toBe('cancelled');
    await until(async () => {
      const read = await call<BroadcastView>('GET', `/messenger/broadcast/${id}`, s.key);
      expect(read.body.data.progress?.cancelled).toBe(2);
    }, 15_000);
    const resumed = await call('POST', `/messenger/broadcast/${id}/resume`, s.key);
    expect(resumed.status).toBe(409);
    expect(fake.accepted.some((message) => message.to === '+33612340061')).toBe(false);
  });
});
