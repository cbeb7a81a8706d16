// Chat environments and RCS testers (issue 19 items 4–5) against the fake RBM Management API, on SQLite and PostgreSQL:
// the seed's flow (environment created → registered by the worker → one carrier launches, another rejects → active →
// tester invited → accepted, every AGENT_STATUS / TESTER_STATUS event committed in order), a provider outage that
// shows as last_error and recovers without a second brand or agent, a restart that keeps polling, isolation, scopes,
// bad input, Idempotency-Key, and the tester outcomes declined, expired and unreachable.
import type { FakeRbm } from '@causerie/test-support/fakes/rbm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../app.js';
import type { Config } from '../../config.js';
import { openDatabase } from '../../db/database.js';
import {
  ADMIN_KEY,
  clientWithKey,
  partnerWithKey,
  startTestApp,
  type TestApp,
  testConfig,
} from '../../test/harness.js';
import { type AgentView, messagingCaller, startFakeRbm, type TesterView, until } from '../../test/messaging.js';

const TESTER = '+33612345678';
const DECLINER = '+33612345679';
const LAPSING = '+33612345680';
const NO_RCS = '+33700000001';

let t: TestApp;
let fake: FakeRbm;
let key: string;
let otherKey: string;
let partnerKey: string;
/** Set by the restart test: the first app and store are closed then, and the harness's close would close them again. */
let restarted = false;
let overrides: Partial<Config>;
/** Calls with `Authorization: Bearer` (the partner tests use X-API-Key), on the current app unless told another. */
const call = messagingCaller(() => t.app, { bearer: true });
const callOn = (app: FastifyInstance) => messagingCaller(() => app, { bearer: true });

const environment = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  description: 'Commandes et retraits en boutique',
  logo_url: 'https://cdn.example.fr/logo.png',
  banner_url: 'https://cdn.example.fr/banner.png',
  brand_color: '#0b78d0',
  phone: '+33145678900',
  email: 'contact@example.fr',
  website: 'https://example.fr',
  privacy_url: 'https://example.fr/privacy',
  terms_url: 'https://example.fr/terms',
  channels: ['rcs'],
  carriers: ['orange-fr', 'sfr-fr'],
  ...extra,
});

async function statusEvents(type: 'messaging.agent_status' | 'messaging.tester_status', subjectId: number) {
  const rows = await t.store.db
    .selectFrom('event')
    .select(['payload'])
    .where('type', '=', type)
    .where('subject_id', '=', subjectId)
    .orderBy('id')
    .execute();
  return rows.map((row) => JSON.parse(row.payload) as Record<string, unknown>);
}

/** The environment once the worker registered it with Google: its brand and agent names known, the launch requested. */
async function registered(id: number, on = call) {
  return until(async () => {
    const { data } = (await on<AgentView>('GET', `/chatbot/agent/${id}`, key)).body;
    expect(data.registration.launch_requested).toBe(true);
    const { brand, agent } = data.registration;
    if (brand === null || agent === null) throw new Error(`environment ${id} has no Google names yet`);
    return { ...data, registration: { ...data.registration, brand, agent } };
  });
}

beforeAll(async () => {
  ({ fake, overrides } = await startFakeRbm([TESTER, DECLINER, LAPSING]));
  t = await startTestApp(overrides);
  key = (await clientWithKey(t, 'Boulangerie Martin')).key;
  otherKey = (await clientWithKey(t, 'Concurrent SARL')).key;
  partnerKey = (await partnerWithKey(t, 'Bi-way')).key;
});

afterAll(async () => {
  if (restarted) {
    await t.app.close();
    await t.store.close();
    await t.database.drop();
  } else await t?.close();
  await fake?.stop();
});

describe('chat environments', () => {
  it('follow the seed: registered with Google, one carrier launches, another rejects, a tester accepts', async () => {
    const created = await call<AgentView>('POST', '/chatbot/agent', key, environment('Boulangerie Martin'));
    expect(created.status).toBe(201);
    expect(created.body.data).toMatchObject({
      state: 'pending_verification',
      brand_color: '#0B78D0',
      channels: ['rcs'],
      carriers: [
        { carrier: 'orange-fr', state: 'pending' },
        { carrier: 'sfr-fr', state: 'pending' },
      ],
    });
    const id = Number(created.body.data.id);
    const data = await registered(id);
    // The worker created the brand and the agent with the environment's fields, and asked both carriers.
    const agent = fake.management.agents.get(data.registration.agent);
    expect(agent?.displayName).toBe('Boulangerie Martin');
    expect(agent?.rcsBusinessMessagingAgent).toMatchObject({
      logoUri: 'https://cdn.example.fr/logo.png',
      heroUri: 'https://cdn.example.fr/banner.png',
      color: '#0B78D0',
      phoneNumbers: [{ phoneNumber: { number: '+33145678900' } }],
      privacy: { uri: 'https://example.fr/privacy' },
    });
    expect(Object.keys(fake.management.launches.get(data.registration.agent)?.launchDetails ?? {})).toEqual([
      '/v1/regions/orange-fr',
      '/v1/regions/sfr-fr',
    ]);
    // A tester before any launch: 409 with the state.
    const early = await call<TesterView>('POST', '/messenger/rcs-tester', key, { agent_id: id, phone: TESTER });
    expect(early.status).toBe(409);
    expect(early.body.meta).toMatchObject({ error: 'invalid_transition' });
    expect(early.body.meta.message).toContain("'pending_verification'");

    fake.management.setLaunchState(data.registration.agent, 'orange-fr', 'LAUNCH_STATE_LAUNCHED');
    await until(async () => {
      const answer = await call<AgentView>('GET', `/chatbot/agent/${id}`, key);
      expect(answer.body.data.state).toBe('active');
    });
    fake.management.setLaunchState(data.registration.agent, 'sfr-fr', 'LAUNCH_STATE_REJECTED', 'Use case refused');
    const after = await until(async () => {
      const answer = await call<AgentView>('GET', `/chatbot/agent/${id}`, key);
      expect(answer.body.data.carriers[1]).toMatchObject({ state: 'rejected', reason: 'Use case refused' });
      return answer.body.data;
    });
    expect(after.state).toBe('active');
    expect(after.last_error).toBeNull();
    const events = await statusEvents('messaging.agent_status', id);
    expect(
      events.map((event) => [event.previousState, event.state, (event.data as { carrier?: string }).carrier]),
    ).toEqual([
      [null, 'pending_verification', undefined],
      ['pending_verification', 'active', 'orange-fr'],
      ['active', 'active', 'sfr-fr'],
    ]);
    expect(events[1]).toMatchObject({ owner: { kind: 'client' }, resourceId: id });

    const tester = await call<TesterView>('POST', '/messenger/rcs-tester', key, { agent_id: id, phone: TESTER });
    expect(tester.status).toBe(201);
    expect(tester.body.data).toMatchObject({ state: 'invite_pending', phone: TESTER, agent_id: id });
    const testerId = Number(tester.body.data.id);
    const agentId = String(data.registration.agent).split('/').pop() ?? '';
    await until(async () => {
      const answer = await call<TesterView>('GET', `/messenger/rcs-tester/${testerId}`, key);
      expect(answer.body.data.invited_at).not.toBeNull();
    });
    fake.management.answerInvitation(agentId, TESTER, 'ACCEPTED');
    await until(async () => {
      const answer = await call<TesterView>('GET', `/messenger/rcs-tester/${testerId}`, key);
      expect(answer.body.data.state).toBe('accepted');
    });
    expect((await statusEvents('messaging.tester_status', testerId)).map((event) => event.state)).toEqual([
      'invite_pending',
      'accepted',
    ]);
    const listed = await call<TesterView[]>('GET', `/messenger/rcs-tester?agent_id=${id}&state=accepted`, key);
    expect(listed.body.data.map((row: { id: number }) => row.id)).toEqual([testerId]);
    const again = await call<TesterView>('POST', '/messenger/rcs-tester', key, { agent_id: id, phone: TESTER });
    expect(again.status).toBe(409);
    expect(again.body.meta.field).toBe('phone');

    // Declined, lapsed (Google forgets it: expired), and a device without RCS (unreachable).
    const declining = Number(
      (await call<TesterView>('POST', '/messenger/rcs-tester', key, { agent_id: id, phone: DECLINER })).body.data.id,
    );
    const lapsing = Number(
      (await call<TesterView>('POST', '/messenger/rcs-tester', key, { agent_id: id, phone: LAPSING })).body.data.id,
    );
    const noRcs = Number(
      (await call<TesterView>('POST', '/messenger/rcs-tester', key, { agent_id: id, phone: NO_RCS })).body.data.id,
    );
    await until(async () => {
      for (const testerRow of [declining, lapsing]) {
        const answer = await call<TesterView>('GET', `/messenger/rcs-tester/${testerRow}`, key);
        expect(answer.body.data.invited_at).not.toBeNull();
      }
    });
    fake.management.answerInvitation(agentId, DECLINER, 'DECLINED');
    fake.management.expireInvitation(agentId, LAPSING);
    await until(async () => {
      const states = await Promise.all(
        [declining, lapsing, noRcs].map(
          async (row) => (await call<TesterView>('GET', `/messenger/rcs-tester/${row}`, key)).body.data.state,
        ),
      );
      expect(states).toEqual(['declined', 'expired', 'unreachable']);
    });

    // Deleting the environment deletes its testers: each announced.
    const deleted = await call<AgentView>('DELETE', `/chatbot/agent/${id}`, key);
    expect(deleted.status).toBe(200);
    expect(deleted.body.data.state).toBe('deleted');
    expect((await call<AgentView>('GET', `/chatbot/agent/${id}`, key)).status).toBe(404);
    expect((await statusEvents('messaging.tester_status', testerId)).map((event) => event.state)).toEqual([
      'invite_pending',
      'accepted',
      'deleted',
    ]);
  });

  it('shows a provider outage as last_error, then continues without a second brand or agent', async () => {
    // Eight refusals in a row: retried after 2, 4, … 256 ms (time scaled), so the outage lasts long enough (~0.5 s) to
    // be read through the API even on a loaded machine (with two it lasted a few ms, and the read sometimes missed it).
    fake.management.failNext('POST /v1/brands', { status: 503 }, 8);
    fake.management.failNext('/agents', { malformed: true });
    const brandsBefore = fake.management.brands.size;
    const agentsBefore = fake.management.agents.size;
    const created = await call<AgentView>('POST', '/chatbot/agent', key, environment('Fromagerie Durand'));
    const id = Number(created.body.data.id);
    await until(async () => {
      const answer = await call<AgentView>('GET', `/chatbot/agent/${id}`, key);
      expect(answer.body.data.last_error).toMatchObject({ code: 'UNAVAILABLE' });
      expect(answer.body.data.registration.attempts).toBeGreaterThan(0);
    });
    const data = await registered(id);
    expect(data.last_error).toBeNull();
    expect(data.state).toBe('pending_verification');
    expect(fake.management.brands.size).toBe(brandsBefore + 1);
    // The garbled answer was injected before the fake created anything: the retry created the one agent.
    expect(fake.management.agents.size).toBe(agentsBefore + 1);
    const posts = fake.management.calls.filter((entry) => entry.method === 'POST' && entry.path === '/v1/brands');
    expect(posts.slice(-3).map((entry) => entry.status)).toEqual([503, 503, 200]);
  });

  it('finds again what Google created when the answer was lost or came after the timeout', async () => {
    // The brand is created but its answer lost (503); the agent is created but answered after the call's timeout.
    fake.management.failNext('POST /v1/brands', { lostAnswer: true });
    fake.management.failNext('POST /v1/brands/', { delayMs: 1_500 });
    const brandsBefore = fake.management.brands.size;
    const agentsBefore = fake.management.agents.size;
    const id = Number(
      (await call<AgentView>('POST', '/chatbot/agent', key, environment('Boucherie Roux'))).body.data.id,
    );
    const data = await registered(id);
    expect(fake.management.brands.size).toBe(brandsBefore + 1);
    expect(fake.management.agents.size).toBe(agentsBefore + 1);
    expect(fake.management.brands.get(data.registration.brand)?.displayName).toBe(
      `Boucherie Roux · causerie-env-${id}`,
    );
    expect(fake.management.agentNamed('Boucherie Roux')?.name).toBe(data.registration.agent);
    const history = fake.management.calls.filter((entry) => entry.path.startsWith('/v1/brands'));
    expect(history.some((entry) => entry.method === 'GET' && entry.path === '/v1/brands')).toBe(true);
  });

  it('is rejected with Google’s reason when Google refuses it (nothing retried)', async () => {
    const created = await call<AgentView>(
      'POST',
      '/chatbot/agent',
      key,
      environment('Refusée', { carriers: ['atlantis-tel'] }),
    );
    const id = Number(created.body.data.id);
    const answer = await until(async () => {
      const read = await call<AgentView>('GET', `/chatbot/agent/${id}`, key);
      expect(read.body.data.state).toBe('rejected');
      return read.body.data;
    });
    expect(answer.last_error).toMatchObject({
      code: 'INVALID_ARGUMENT',
      field: 'agent_launch.rcs_business_messaging.launch_details',
    });
    expect(answer.carriers[0]?.state).toBe('rejected');
    expect(answer.registration.next_step).toBeNull();
  });

  it('keeps polling after a restart (a new app on the same database)', async () => {
    const created = await call<AgentView>('POST', '/chatbot/agent', key, environment('Caviste Petit'));
    const id = Number(created.body.data.id);
    const data = await registered(id);
    await t.app.close();
    await t.store.close();
    restarted = true;
    const store = openDatabase(t.database.config);
    const { app } = await buildApp(testConfig(t.database.config, overrides), store);
    await app.ready();
    t.app = app;
    t.store = store;
    fake.management.setLaunchState(data.registration.agent, 'sfr-fr', 'LAUNCH_STATE_LAUNCHED');
    await until(async () => {
      const answer = await call<AgentView>('GET', `/chatbot/agent/${id}`, key);
      expect(answer.body.data.state).toBe('active');
    });
    fake.management.setLaunchState(data.registration.agent, 'sfr-fr', 'LAUNCH_STATE_SUSPENDED');
    await until(async () => {
      const answer = await call<AgentView>('GET', `/chatbot/agent/${id}`, key);
      expect(answer.body.data.state).toBe('suspended');
    });
  });

  it('sends a change and new carriers to Google once registered', async () => {
    const id = Number(
      (await call<AgentView>('POST', '/chatbot/agent', key, environment('Primeur Leroy'))).body.data.id,
    );
    const data = await registered(id);
    const changed = await call<AgentView>('PUT', `/chatbot/agent/${id}`, key, {
      description: 'Fruits et légumes de saison',
      carriers: ['orange-fr', 'sfr-fr', 'free-fr'],
    });
    expect(changed.status).toBe(200);
    expect(
      changed.body.data.carriers.map((row: { carrier: string; state: string }) => [row.carrier, row.state]),
    ).toEqual([
      ['orange-fr', 'pending'],
      ['sfr-fr', 'pending'],
      ['free-fr', 'pending'],
    ]);
    await until(async () => {
      const agent = fake.management.agents.get(data.registration.agent);
      expect(agent?.rcsBusinessMessagingAgent.description).toBe('Fruits et légumes de saison');
      expect(Object.keys(fake.management.launches.get(data.registration.agent)?.launchDetails ?? {})).toContain(
        '/v1/regions/free-fr',
      );
    });
    fake.management.setLaunchState(data.registration.agent, 'free-fr', 'LAUNCH_STATE_LAUNCHED');
    await until(async () => {
      const answer = await call<AgentView>('GET', `/chatbot/agent/${id}`, key);
      expect(answer.body.data.state).toBe('active');
      expect(answer.body.data.carriers[2].state).toBe('launched');
    });
  });

  it('is registered once when two nodes share the database', async () => {
    const second = await buildApp(testConfig(t.database.config, overrides), openDatabase(t.database.config));
    await second.app.ready();
    try {
      const brandsBefore = fake.management.brands.size;
      const ids: number[] = [];
      for (let i = 0; i < 4; i++)
        ids.push(
          Number(
            (
              await callOn(i % 2 === 0 ? t.app : second.app)<AgentView>(
                'POST',
                '/chatbot/agent',
                key,
                environment(`Noeud ${i}`),
              )
            ).body.data.id,
          ),
        );
      for (const id of ids) await registered(id);
      expect(fake.management.brands.size - brandsBefore).toBe(4);
      const agents = [...fake.management.agents.values()].filter((agent) => agent.displayName.startsWith('Noeud '));
      expect(agents).toHaveLength(4);
    } finally {
      await second.app.close();
      await second.context.db.destroy();
    }
  });

  it('binds WhatsApp and SMS channels without a carrier step', async () => {
    const other = await call(
      'POST',
      '/chatbot/agent',
      key,
      environment('Sans RCS', { channels: ['whatsapp'], carriers: [] }),
    );
    expect(other.status).toBe(400);
    expect(other.body.meta).toMatchObject({ error: 'field_missing', field: 'whatsapp_channel_id' });
    const unknown = await call(
      'POST',
      '/chatbot/agent',
      key,
      environment('Sans RCS', { channels: ['sms'], sms_channel_id: 999_999, carriers: [] }),
    );
    expect(unknown.status).toBe(404);
    expect(unknown.body.meta.field).toBe('sms_channel_id');
  });

  it('answers 400 naming the field, 403 for another scope, 404 for another tenant, and honours Idempotency-Key', async () => {
    const bad = await call<AgentView>('POST', '/chatbot/agent', key, environment('Mauvaise', { brand_color: 'blue' }));
    expect(bad.status).toBe(400);
    expect(bad.body.meta.field).toBe('brand_color');
    const noCarrier = await call<AgentView>(
      'POST',
      '/chatbot/agent',
      key,
      environment('Sans opérateur', { carriers: [] }),
    );
    expect(noCarrier.status).toBe(400);
    expect(noCarrier.body.meta.field).toBe('carriers');
    const insecure = await call<AgentView>(
      'POST',
      '/chatbot/agent',
      key,
      environment('Http', { logo_url: 'http://x.fr/l.png' }),
    );
    expect(insecure.status).toBe(400);
    expect(insecure.body.meta.field).toBe('logo_url');
    expect((await call<AgentView>('POST', '/chatbot/agent', partnerKey, environment('Partenaire'))).status).toBe(403);
    expect((await call('GET', '/chatbot/agent', ADMIN_KEY)).status).toBe(403);
    expect((await call('GET', '/chatbot/agent', 'not-a-key')).status).toBe(403);

    const first = await call<AgentView>('POST', '/chatbot/agent', key, environment('Idempotente'), {
      'idempotency-key': 'k-1',
    });
    const repeat = await call<AgentView>('POST', '/chatbot/agent', key, environment('Idempotente'), {
      'idempotency-key': 'k-1',
    });
    expect(first.status).toBe(201);
    expect(repeat.status).toBe(201);
    expect(repeat.body.data.id).toBe(first.body.data.id);
    const reused = await call<AgentView>('POST', '/chatbot/agent', key, environment('Autre'), {
      'idempotency-key': 'k-1',
    });
    expect(reused.status).toBe(409);
    const id = Number(first.body.data.id);
    expect((await call<AgentView>('GET', `/chatbot/agent/${id}`, otherKey)).status).toBe(404);
    expect((await call<AgentView>('PUT', `/chatbot/agent/${id}`, otherKey, { name: 'Volée' })).status).toBe(404);
    expect((await call<AgentView>('DELETE', `/chatbot/agent/${id}`, otherKey)).status).toBe(404);
    expect(
      (await call<TesterView>('POST', '/messenger/rcs-tester', otherKey, { agent_id: id, phone: TESTER })).status,
    ).toBe(404);
    const mine = await call<AgentView[]>('GET', '/chatbot/agent?state=pending_verification&limit=2', key);
    expect(mine.body.pagination).toMatchObject({ page: 1, limit: 2 });
    expect(mine.body.data.length).toBeLessThanOrEqual(2);
    expect((await call('GET', '/chatbot/agent', otherKey)).body.data).toEqual([]);
    const renamed = await call<AgentView>('PUT', `/chatbot/agent/${id}`, key, { description: 'Nouvelle description' });
    expect(renamed.status).toBe(200);
    expect(renamed.body.data.description).toBe('Nouvelle description');
    const dropped = await call<AgentView>('PUT', `/chatbot/agent/${id}`, key, { carriers: ['orange-fr'] });
    expect(dropped.status).toBe(400);
    expect(dropped.body.meta.field).toBe('carriers');
  });
});
