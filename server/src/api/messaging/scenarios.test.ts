// Issue 20's scenario templates, against the fake Twilio-compatible API (SMS), on SQLite and PostgreSQL: a template
// whose opening message is followed by steps the flow engine runs for each recipient — waiting for the reply,
// branching on it, answering, handing over to an operator, or giving up after a timeout — and the scenario's checks,
// its versions and its removal.
import type { FakeTwilio } from '@causerie/test-support/fakes/twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChannelTestSetup, closeChannelTest } from '../../test/channel-app.js';
import { messagingCaller, until } from '../../test/messaging.js';
import { startSmsSender } from '../../test/sms-sender.js';
import type { MessengerMessageView } from './messages.js';
import type { TemplateView } from './templates.js';

const ACCOUNT = `AC${'c3'.repeat(16)}`;
const TOKEN = 'twilio-auth-token-scenario-00001';
const NUMBER = '+33757000222';

let s: ChannelTestSetup;
let fake: FakeTwilio;
let agentId: number;
const call = messagingCaller(() => s.t.app);

/** Asks for a pickup, and branches on the answer: OUI is confirmed, anything else goes to an operator. */
const PICKUP_SCENARIO = {
  steps: [
    { id: 'ask', type: 'wait_reply', timeout_seconds: 3600, timeout_next: 'bye' },
    {
      id: 'route',
      type: 'branch',
      conditions: [{ variable: 'reply', operator: 'eq', value: 'OUI', next: 'confirm' }],
      else: 'human',
    },
    { id: 'confirm', type: 'send_message', text: 'Merci {{firstname}}, retrait confirmé pour {{order}}.', next: 'end' },
    { id: 'human', type: 'handover', note: 'Réponse libre au rappel de retrait', next: 'end' },
    { id: 'bye', type: 'send_message', text: 'Sans réponse, nous gardons la commande {{order}}.' },
    { id: 'end', type: 'end' },
  ],
};

interface Run {
  flow: string;
  state: string;
  variables: Record<string, unknown>;
  steps: Array<{ id: string; state: string }>;
}

async function runsOf(phone: string): Promise<Run[]> {
  const answer = await s.t.app.inject({
    method: 'GET',
    url: `/api/commerce/v1/getFlowByUserKey?user_key=${encodeURIComponent(phone)}`,
    headers: { 'x-api-key': s.key },
  });
  expect(answer.statusCode).toBe(200);
  return (answer.json() as { data: Run[] }).data;
}

/** The texts the fake took for `phone`, once there are `count` of them. */
function textsTo(phone: string, count: number): Promise<string[]> {
  return until(() => {
    const texts = fake.accepted.filter((message) => message.to === phone).map((message) => message.body);
    if (texts.length < count) throw new Error(`${phone}: ${texts.length} of ${count} texts so far`);
    return texts;
  }, 15_000);
}

async function createScenarioTemplate(name: string, scenario: unknown): Promise<TemplateView> {
  const created = await call<TemplateView>('POST', '/messenger/template', s.key, {
    name,
    language: 'fr',
    category: 'UTILITY',
    content: { body: 'Bonjour {{firstname}}, votre commande {{order}} est prête. Retrait demain ? Répondez OUI.' },
    scenario,
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body.data;
}

async function submit(templateId: number, to: string, variables: Record<string, string>): Promise<number> {
  const answer = await call<{ id: number }>('POST', '/messenger/submit', s.key, {
    agent_id: agentId,
    to,
    channel: 'sms',
    content: { template_id: templateId },
    variables,
  });
  expect(answer.status, JSON.stringify(answer.body)).toBe(202);
  return answer.body.data.id;
}

beforeAll(async () => {
  ({ s, fake, agentId } = await startSmsSender({ accountSid: ACCOUNT, authToken: TOKEN, number: NUMBER }));
});
afterAll(async () => {
  await closeChannelTest(s, fake);
});

describe('scenario templates', () => {
  it('shows the scenario and the flow that runs it; a plain template has none', async () => {
    const template = await createScenarioTemplate('retrait_confirmation', PICKUP_SCENARIO);
    expect(template.scenario).toEqual(PICKUP_SCENARIO);
    expect(template.flow_id).toEqual(expect.any(Number));
    const read = await call<TemplateView>('GET', `/messenger/template/${template.id}`, s.key);
    expect(read.body.data.scenario).toEqual(PICKUP_SCENARIO);
    const listed = await call<TemplateView[]>('GET', '/messenger/template?name=retrait_confirmation', s.key);
    expect(listed.body.data.map((item) => item.scenario)).toEqual([PICKUP_SCENARIO]);
    const plain = await call<TemplateView>('POST', '/messenger/template', s.key, {
      name: 'retrait_simple',
      language: 'fr',
      category: 'UTILITY',
      content: { body: 'Votre commande est prête.' },
    });
    expect(plain.body.data).toMatchObject({ scenario: null, flow_id: null });
  });

  it('runs the steps after the opening message: a reply OUI is confirmed, another answer goes to an operator', async () => {
    const template = await createScenarioTemplate('retrait_reponse', PICKUP_SCENARIO);
    const lea = '+33612350001';
    const hugo = '+33612350002';
    const leaSend = await submit(template.id, lea, { firstname: 'Léa', order: 'A-1042' });
    const hugoSend = await submit(template.id, hugo, { firstname: 'Hugo', order: 'A-1043' });
    expect(await textsTo(lea, 1)).toEqual([
      'Bonjour Léa, votre commande A-1042 est prête. Retrait demain ? Répondez OUI.',
    ]);
    await textsTo(hugo, 1);
    // Each recipient has a run of the template's flow, waiting for the reply, with the send's variables.
    await until(async () => {
      const [run] = await runsOf(lea);
      expect(run).toMatchObject({ flow: `messenger-template-${template.id}`, state: 'waiting' });
      expect(run?.variables).toMatchObject({
        firstname: 'Léa',
        order: 'A-1042',
        phone: lea,
        messenger_message_id: leaSend,
      });
    }, 15_000);

    expect((await fake.customerSends(lea, NUMBER, 'OUI')).status).toBe(200);
    expect(await textsTo(lea, 2)).toEqual([
      'Bonjour Léa, votre commande A-1042 est prête. Retrait demain ? Répondez OUI.',
      'Merci Léa, retrait confirmé pour A-1042.',
    ]);
    await until(async () => expect((await runsOf(lea))[0]?.state).toBe('done'), 15_000);

    expect((await fake.customerSends(hugo, NUMBER, 'Plutôt samedi ?')).status).toBe(200);
    const [hugoRun] = await until(async () => {
      const runs = await runsOf(hugo);
      expect(runs[0]?.state).toBe('done');
      return runs;
    }, 15_000);
    expect(hugoRun?.steps.map((step) => step.id)).toEqual(['ask', 'route', 'human', 'end']);
    // Handed over: the conversation the opening message went to waits for an operator, and Hugo got no confirmation.
    const message = await call<MessengerMessageView>('GET', `/messenger/message/${hugoSend}`, s.key);
    const conversation = await s.t.api('GET', `/conversation/${message.body.data.conversation_id}`, { key: s.key });
    expect(conversation.status).toBe(200);
    // No operator is online in this test: the conversation waits in the queue, with the handover's note.
    expect(conversation.body.data).toMatchObject({ status: 'waiting', waitinglist: true, source: 'sms' });
    expect(JSON.stringify(conversation.body.data.history)).toContain('Réponse libre au rappel de retrait');
    expect(await textsTo(hugo, 1)).toHaveLength(1);
  });

  it('gives up after the reply timeout and says so', async () => {
    const quick = {
      steps: [
        { id: 'ask', type: 'wait_reply', timeout_seconds: 1, timeout_next: 'bye' },
        { id: 'thanks', type: 'send_message', text: 'Merci !', next: 'end' },
        { id: 'bye', type: 'send_message', text: 'Sans réponse, nous gardons la commande {{order}}.' },
        { id: 'end', type: 'end' },
      ],
    };
    const template = await createScenarioTemplate('retrait_delai', quick);
    const ana = '+33612350003';
    await submit(template.id, ana, { firstname: 'Ana', order: 'A-1044' });
    expect((await textsTo(ana, 2))[1]).toBe('Sans réponse, nous gardons la commande A-1044.');
    await until(async () => expect((await runsOf(ana))[0]?.state).toBe('done'), 15_000);
  });

  it('names the field of a scenario that does not hold', async () => {
    const refused = async (scenario: unknown) => {
      const answer = await call('POST', '/messenger/template', s.key, {
        name: 'retrait_refuse',
        language: 'fr',
        category: 'UTILITY',
        content: { body: 'Bonjour' },
        scenario,
      });
      expect(answer.status).toBe(400);
      return answer.body.meta;
    };
    // A commerce step: scenarios talk with the recipient only.
    expect(await refused({ steps: [{ id: 'a', type: 'charge', kind: 'sms' }] })).toMatchObject({
      field: 'scenario.steps[0].type',
    });
    // A step naming a channel: the scenario continues on the one its opening message left on.
    expect(await refused({ steps: [{ id: 'a', type: 'send_message', text: 'x', channel_id: 3 }] })).toMatchObject({
      field: 'scenario.steps[0].channel_id',
    });
    // A branch to a step that does not exist.
    expect(
      await refused({
        steps: [
          { id: 'a', type: 'wait_reply' },
          {
            id: 'b',
            type: 'branch',
            conditions: [{ variable: 'reply', operator: 'eq', value: 'OUI', next: 'nowhere' }],
          },
        ],
      }),
    ).toMatchObject({ field: 'scenario.steps[1].conditions[0].next' });
    // Nothing was kept of the refused templates.
    const listed = await call<TemplateView[]>('GET', '/messenger/template?name=retrait_refuse', s.key);
    expect(listed.body.data).toEqual([]);
  });

  it('a new scenario is a new version for later sends; removing it or deleting the template cancels waiting runs', async () => {
    const template = await createScenarioTemplate('retrait_versions', PICKUP_SCENARIO);
    const first = '+33612350004';
    await submit(template.id, first, { firstname: 'Zoé', order: 'A-1045' });
    await until(async () => expect((await runsOf(first))[0]?.state).toBe('waiting'), 15_000);
    const shorter = { steps: [{ id: 'hello', type: 'send_message', text: 'Merci {{firstname}} !' }] };
    const changed = await call<TemplateView>('PUT', `/messenger/template/${template.id}`, s.key, { scenario: shorter });
    expect(changed.status).toBe(200);
    expect(changed.body.data.scenario).toEqual(shorter);
    const second = '+33612350005';
    await submit(template.id, second, { firstname: 'Noé', order: 'A-1046' });
    expect((await textsTo(second, 2))[1]).toBe('Merci Noé !');
    // The first run keeps its version and still waits.
    expect((await runsOf(first))[0]?.state).toBe('waiting');

    const removed = await call<TemplateView>('PUT', `/messenger/template/${template.id}`, s.key, { scenario: null });
    expect(removed.body.data).toMatchObject({ scenario: null, flow_id: null });
    const [cancelled] = await runsOf(first);
    expect(cancelled?.state).toBe('cancelled');
    const third = '+33612350006';
    await submit(template.id, third, { firstname: 'Eli', order: 'A-1047' });
    await textsTo(third, 1);
    expect(await runsOf(third)).toEqual([]);

    // A scenario given again gets a flow of its own; deleting the template cancels its waiting runs.
    const again = await call<TemplateView>('PUT', `/messenger/template/${template.id}`, s.key, {
      scenario: PICKUP_SCENARIO,
    });
    expect(again.body.data.flow_id).not.toBe(template.flow_id);
    const fourth = '+33612350007';
    await submit(template.id, fourth, { firstname: 'Ugo', order: 'A-1048' });
    await until(async () => expect((await runsOf(fourth))[0]?.state).toBe('waiting'), 15_000);
    expect((await call('DELETE', `/messenger/template/${template.id}`, s.key)).status).toBe(200);
    expect((await runsOf(fourth))[0]?.state).toBe('cancelled');
  });
});
