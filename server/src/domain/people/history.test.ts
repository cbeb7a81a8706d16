// Presence history on a real database: availability intervals, conversation holdings and chat limits written by the
// commands that change them (REST v2, v1, routing, transfers, closes), and the migration's backfill from current state.
import { type Kysely, type Migration, Migrator, type RawBuilder, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../db/database.js';
import * as foundation from '../../db/migrations/20261121T1300-foundation.js';
import * as conversations from '../../db/migrations/20261121T1600-conversations.js';
import * as live from '../../db/migrations/20261121T1900-live.js';
import * as webhooks from '../../db/migrations/20261121T2100-webhooks.js';
import * as channels from '../../db/migrations/20261121T2200-channels.js';
import * as ssoKeyHash from '../../db/migrations/20261204T0400-sso-key-hash.js';
import * as presenceHistory from '../../db/migrations/20261204T1000-presence-history.js';
import type { Database } from '../../db/schema.js';
import { transact } from '../../events/transact.js';
import { clientWithKey, createTestDatabase, startTestApp, type TestApp } from '../../test/harness.js';
import { nowInstant } from '../../time.js';
import { closeLiveConversation, startLiveConversation } from '../routing/commands.js';
import { transferConversation } from '../routing/transfer.js';
import { findOrCreateVisitor } from '../visitors/identity.js';
import { changeOperatorLive } from './presence.js';

let t: TestApp;
let key: string;
let clientId: number;
let counter = 0;

beforeAll(async () => {
  t = await startTestApp();
  ({ key, clientId } = await clientWithKey(t, 'History Co'));
});
afterAll(async () => t.close());

async function created(path: string, json: Record<string, unknown>): Promise<number> {
  const answer = await t.api('POST', path, { key, json });
  if (answer.status !== 200) throw new Error(`POST ${path} failed: ${JSON.stringify(answer.body)}`);
  return answer.body.data.id;
}

async function website(): Promise<number> {
  counter += 1;
  return created('/website', { url: `https://history-${counter}.example` });
}

async function operator(extra: Record<string, unknown> = {}): Promise<number> {
  counter += 1;
  return created('/operator', { name: `Agent ${counter}`, email: `agent.${counter}@history.example`, ...extra });
}

async function intervals(operatorId: number) {
  return t.store.db
    .selectFrom('availability_interval')
    .select(['client_id', 'channel', 'started_at', 'ended_at'])
    .where('operator_id', '=', operatorId)
    .orderBy('id')
    .execute();
}

async function holdings(conversationId: number) {
  return t.store.db
    .selectFrom('conversation_holding')
    .select(['client_id', 'website_id', 'operator_id', 'channel', 'started_at', 'ended_at'])
    .where('conversation_id', '=', conversationId)
    .orderBy('id')
    .execute();
}

async function capacities(operatorId: number) {
  return t.store.db
    .selectFrom('operator_capacity')
    .select(['client_id', 'chat_max_number', 'started_at'])
    .where('operator_id', '=', operatorId)
    .orderBy('id')
    .execute();
}

/** The instant of the last event of that type about the subject: the command wrote it with the rows it changed. */
async function eventAt(subjectType: string, subjectId: number, type: string): Promise<string> {
  const row = await t.store.db
    .selectFrom('event')
    .select('created_at')
    .where('subject_type', '=', subjectType)
    .where('subject_id', '=', subjectId)
    .where('type', '=', type)
    .orderBy('id', 'desc')
    .executeTakeFirstOrThrow();
  return row.created_at;
}

async function conversationRow(id: number) {
  return t.store.db.selectFrom('conversation').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

async function setLive(operatorId: number, body: Record<string, unknown>): Promise<void> {
  const answer = await t.api('PUT', `/operator/${operatorId}/live`, { key, json: body });
  if (answer.status !== 200) throw new Error(`PUT live failed: ${JSON.stringify(answer.body)}`);
}

/** `YYYY-MM-DD HH:MM:SS` (UTC) `hours` ago, whole seconds: the API's date format for imports. */
function apiDate(hours: number): string {
  return new Date(Date.now() - hours * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
}

async function visitor(websiteId: number) {
  return transact(t.store.db, (trx) => findOrCreateVisitor(trx, { clientId, websiteId, at: nowInstant() }));
}

async function startChat(websiteId: number): Promise<{ id: number; operatorId: number | null }> {
  const started = await startLiveConversation(t.store.db, {
    websiteId,
    visitor: await visitor(websiteId),
    text: 'Hello?',
  });
  return { id: started.conversationId, operatorId: started.kind === 'assigned' ? started.operatorId : null };
}

describe('availability intervals', () => {
  it('follows PUT /operator/{id}/live per channel: one open row per channel, closed by unavailability and by disconnect', async () => {
    const id = await operator({ call_enabled: true, video_enabled: true });
    expect(await intervals(id)).toEqual([]);

    const before = nowInstant();
    await setLive(id, { chat: { available: true } });
    const chatFrom = await eventAt('operator', id, 'user.availability_changed');
    expect(chatFrom >= before && chatFrom <= nowInstant()).toBe(true);
    expect(await intervals(id)).toEqual([
      { client_id: clientId, channel: 'chat', started_at: chatFrom, ended_at: null },
    ]);

    // Available again: nothing changes, no second open row.
    await setLive(id, { chat: { available: true } });
    expect(await intervals(id)).toHaveLength(1);

    await setLive(id, { call: { available: true }, video: { available: true } });
    const callFrom = await eventAt('operator', id, 'user.availability_changed');
    await setLive(id, { chat: { available: false } });
    const chatTo = await eventAt('operator', id, 'user.availability_changed');
    expect(chatTo > chatFrom).toBe(true);

    await setLive(id, { connected: false });
    const gone = await eventAt('operator', id, 'user.disconnected');
    expect(await intervals(id)).toEqual([
      { client_id: clientId, channel: 'chat', started_at: chatFrom, ended_at: chatTo },
      { client_id: clientId, channel: 'call', started_at: callFrom, ended_at: gone },
      { client_id: clientId, channel: 'video', started_at: callFrom, ended_at: gone },
    ]);

    // Back later: a new interval, the old ones untouched.
    await setLive(id, { chat: { available: true } });
    const rows = await intervals(id);
    expect(rows).toHaveLength(4);
    expect(rows[3]).toMatchObject({ channel: 'chat', ended_at: null });
    expect((rows[3]?.started_at ?? '') >= gone).toBe(true);
  });

  it('follows v1 setAvailable, setUnavailable and disconnect', async () => {
    const id = await operator();
    const v1 = async (method: string) => {
      const answer = await t.app.inject({ method: 'GET', url: `/api/operator/${method}/?key=${key}&opid=${id}` });
      expect(answer.statusCode).toBe(200);
    };
    await v1('setAvailable');
    const from = await eventAt('operator', id, 'user.availability_changed');
    await v1('setUnavailable');
    const to = await eventAt('operator', id, 'user.availability_changed');
    await v1('setAvailable');
    const again = await eventAt('operator', id, 'user.availability_changed');
    await v1('disconnect');
    const gone = await eventAt('operator', id, 'user.disconnected');
    expect(await intervals(id)).toEqual([
      { client_id: clientId, channel: 'chat', started_at: from, ended_at: to },
      { client_id: clientId, channel: 'chat', started_at: again, ended_at: gone },
    ]);
  });

  it('ends when the channel is disabled on the operator, and every interval ends when the operator is deleted', async () => {
    const id = await operator({ call_enabled: true });
    await setLive(id, { chat: { available: true }, call: { available: true } });
    const disabled = await t.api('PUT', `/operator/${id}`, { key, json: { chat_enabled: false } });
    expect(disabled.status).toBe(200);
    const chatTo = await eventAt('operator', id, 'user.availability_changed');
    expect(await intervals(id)).toMatchObject([
      { channel: 'chat', ended_at: chatTo },
      { channel: 'call', ended_at: null },
    ]);
    expect((await t.api('DELETE', `/operator/${id}`, { key })).status).toBe(200);
    const deleted = await eventAt('operator', id, 'user.deleted');
    expect(await intervals(id)).toMatchObject([
      { channel: 'chat', ended_at: chatTo },
      { channel: 'call', ended_at: deleted },
    ]);
  });

  it('refuses a second open interval for one operator and channel (unique index)', async () => {
    const id = await operator();
    await setLive(id, { chat: { available: true } });
    const stray = t.store.db
      .insertInto('availability_interval')
      .values({ client_id: clientId, operator_id: id, channel: 'chat', started_at: nowInstant(), ended_at: null })
      .execute();
    await expect(stray).rejects.toThrow();
    expect(await intervals(id)).toHaveLength(1);
  });
});

describe('conversation holdings', () => {
  it('starts at assignment, hands over at the transfer instant, and ends at the close', async () => {
    const site = await website();
    const ada = await operator({ website_list: [site] });
    const grace = await operator({ website_list: [site] });
    await changeOperatorLive(t.store.db, clientId, ada, { chat: true });
    const chat = await startChat(site);
    expect(chat.operatorId).toBe(ada);
    const assigned = await conversationRow(chat.id);
    expect(await holdings(chat.id)).toEqual([
      {
        client_id: clientId,
        website_id: site,
        operator_id: ada,
        channel: 'chat',
        started_at: assigned.assigned_at,
        ended_at: null,
      },
    ]);

    await changeOperatorLive(t.store.db, clientId, grace, { chat: true });
    await transferConversation(t.store.db, chat.id, { operatorId: grace }, ada);
    const transferred = await conversationRow(chat.id);
    expect(transferred.assigned_at).not.toBe(assigned.assigned_at);
    expect(await holdings(chat.id)).toMatchObject([
      { operator_id: ada, started_at: assigned.assigned_at, ended_at: transferred.assigned_at },
      { operator_id: grace, started_at: transferred.assigned_at, ended_at: null },
    ]);

    await closeLiveConversation(t.store.db, chat.id, { by: 'operator', operatorId: grace });
    const closed = await conversationRow(chat.id);
    expect(await holdings(chat.id)).toMatchObject([
      { operator_id: ada, ended_at: transferred.assigned_at },
      { operator_id: grace, started_at: transferred.assigned_at, ended_at: closed.closed_at },
    ]);
  });

  it('ends when a transfer sends the conversation back to the queue, and starts again when the queue serves it', async () => {
    const site = await website();
    const skill = await created('/skill', { name: `Billing ${counter}` });
    const ada = await operator({ website_list: [site] });
    const grace = await operator({ website_list: [site], chat_max_number: 1 });
    await changeOperatorLive(t.store.db, clientId, ada, { chat: true });
    const chat = await startChat(site);
    // Grace is busy with a conversation of her own, and has the skill.
    expect((await t.api('PUT', `/operator/${grace}`, { key, json: { skill_list: [skill] } })).status).toBe(200);
    await changeOperatorLive(t.store.db, clientId, ada, { chat: false });
    await changeOperatorLive(t.store.db, clientId, grace, { chat: true });
    const hers = await startChat(site);
    expect(hers.operatorId).toBe(grace);

    const moved = await transferConversation(t.store.db, chat.id, { skillId: skill }, ada);
    expect(moved.toOperatorId).toBeNull();
    const queuedAt = (await conversationRow(chat.id)).queued_at;
    expect(await holdings(chat.id)).toMatchObject([{ operator_id: ada, ended_at: queuedAt }]);

    // Grace's slot frees: the queue-serving reaction gives her the waiting conversation.
    await closeLiveConversation(t.store.db, hers.id, { by: 'operator' });
    const served = await conversationRow(chat.id);
    expect(served.operator_id).toBe(grace);
    expect(await holdings(chat.id)).toMatchObject([
      { operator_id: ada, ended_at: queuedAt },
      { operator_id: grace, started_at: served.assigned_at, ended_at: null },
    ]);
  });

  it('moves with the conversations of an operator who disconnects', async () => {
    const site = await website();
    const ada = await operator({ website_list: [site] });
    const grace = await operator({ website_list: [site] });
    await changeOperatorLive(t.store.db, clientId, ada, { chat: true });
    const chat = await startChat(site);
    await changeOperatorLive(t.store.db, clientId, grace, { chat: true });
    await setLive(ada, { connected: false });
    const rerouted = await conversationRow(chat.id);
    expect(rerouted.operator_id).toBe(grace);
    expect(await holdings(chat.id)).toMatchObject([
      { operator_id: ada, ended_at: rerouted.assigned_at },
      { operator_id: grace, started_at: rerouted.assigned_at, ended_at: null },
    ]);
  });

  it('leaves no holding for a conversation nobody took', async () => {
    const site = await website();
    const chat = await startChat(site);
    expect((await conversationRow(chat.id)).outcome).toBe('missed_offline');
    expect(await holdings(chat.id)).toEqual([]);
  });

  it('follows the REST API: created with an operator, given to another, released, taken by a message, closed', async () => {
    const site = await website();
    const ada = await operator({ website_list: [site] });
    const grace = await operator({ website_list: [site] });
    const imported = await t.api('POST', '/conversation', {
      key,
      json: { website_id: site, operator_id: ada, created_at: apiDate(1) },
    });
    expect(imported.status).toBe(200);
    const id = imported.body.data.id;
    const opened = await conversationRow(id);
    expect(await holdings(id)).toMatchObject([{ operator_id: ada, started_at: opened.created_at, ended_at: null }]);

    expect((await t.api('PUT', `/conversation/${id}`, { key, json: { operator_id: grace } })).status).toBe(200);
    const handed = await eventAt('conversation', id, 'conversation.updated');
    expect(await holdings(id)).toMatchObject([
      { operator_id: ada, started_at: opened.created_at, ended_at: handed },
      { operator_id: grace, started_at: handed, ended_at: null },
    ]);

    expect((await t.api('PUT', `/conversation/${id}`, { key, json: { operator_id: null } })).status).toBe(200);
    const released = await eventAt('conversation', id, 'conversation.updated');
    expect(await holdings(id)).toMatchObject([{ ended_at: handed }, { operator_id: grace, ended_at: released }]);

    const message = await t.api('POST', `/conversation/${id}/message`, {
      key,
      json: { type: 'operator', text: 'I take it', operator_id: ada },
    });
    expect(message.status).toBe(200);
    const taken = await eventAt('conversation', id, 'conversation.updated');
    expect((await holdings(id))[2]).toMatchObject({ operator_id: ada, started_at: taken, ended_at: null });

    expect((await t.api('POST', `/conversation/${id}/close`, { key, json: {} })).status).toBe(200);
    const closed = await conversationRow(id);
    expect(await holdings(id)).toMatchObject([
      { operator_id: ada, ended_at: handed },
      { operator_id: grace, ended_at: released },
      { operator_id: ada, started_at: taken, ended_at: closed.closed_at },
    ]);
  });

  it('ends an imported conversation at its dated close, never before its holder took it', async () => {
    const site = await website();
    const ada = await operator({ website_list: [site] });
    const grace = await operator({ website_list: [site] });
    const imported = await t.api('POST', '/conversation', {
      key,
      json: { website_id: site, operator_id: ada, created_at: apiDate(3) },
    });
    const id = imported.body.data.id;
    const closedAt = apiDate(2);
    expect((await t.api('POST', `/conversation/${id}/close`, { key, json: { closed_at: closedAt } })).status).toBe(200);
    const row = await conversationRow(id);
    expect(row.closed_at).toBe(new Date(`${closedAt.replace(' ', 'T')}Z`).toISOString());
    expect(await holdings(id)).toMatchObject([
      { operator_id: ada, started_at: row.created_at, ended_at: row.closed_at },
    ]);

    // Given to Grace now, then closed with a date of an hour ago: her holding lasts 0 s rather than ending before it began.
    const other = await t.api('POST', '/conversation', {
      key,
      json: { website_id: site, operator_id: ada, created_at: apiDate(3) },
    });
    const otherId = other.body.data.id;
    expect((await t.api('PUT', `/conversation/${otherId}`, { key, json: { operator_id: grace } })).status).toBe(200);
    const handed = await eventAt('conversation', otherId, 'conversation.updated');
    const closed = await t.api('POST', `/conversation/${otherId}/close`, { key, json: { closed_at: apiDate(1) } });
    expect(closed.status).toBe(200);
    expect(await holdings(otherId)).toMatchObject([
      { operator_id: ada, ended_at: handed },
      { operator_id: grace, started_at: handed, ended_at: handed },
    ]);
  });
});

describe('chat limit history', () => {
  it('records the limit at creation and at each change of it, through REST v2 and v1', async () => {
    const id = await operator({ chat_max_number: 3 });
    const operatorRow = await t.store.db
      .selectFrom('operator')
      .select('created_at')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(await capacities(id)).toEqual([
      { client_id: clientId, chat_max_number: 3, started_at: operatorRow.created_at },
    ]);

    // The same limit, or another field: no row.
    expect((await t.api('PUT', `/operator/${id}`, { key, json: { chat_max_number: 3, name: 'Renamed' } })).status).toBe(
      200,
    );
    expect(await capacities(id)).toHaveLength(1);

    expect((await t.api('PUT', `/operator/${id}`, { key, json: { chat_max_number: 5 } })).status).toBe(200);
    const raised = await eventAt('operator', id, 'user.updated');
    const v1 = await t.app.inject({ method: 'GET', url: `/api/operator/editAccount/?key=${key}&id=${id}&maxchat=4` });
    expect(v1.statusCode).toBe(200);
    const lowered = await eventAt('operator', id, 'user.updated');
    expect(await capacities(id)).toEqual([
      { client_id: clientId, chat_max_number: 3, started_at: operatorRow.created_at },
      { client_id: clientId, chat_max_number: 5, started_at: raised },
      { client_id: clientId, chat_max_number: 4, started_at: lowered },
    ]);
  });

  it('records the default limit of an operator created without one', async () => {
    const id = await operator();
    expect(await capacities(id)).toMatchObject([{ chat_max_number: 2 }]);
  });
});

describe('migration 20261204T1000-presence-history', () => {
  const EARLIER: Record<string, Migration> = {
    '20261121T1300-foundation': foundation,
    '20261121T1600-conversations': conversations,
    '20261121T1900-live': live,
    '20261121T2100-webhooks': webhooks,
    '20261121T2200-channels': channels,
    '20261204T0400-sso-key-hash': ssoKeyHash,
  };

  async function migrate(db: Kysely<Database>, migrations: Record<string, Migration>): Promise<void> {
    const { error } = await new Migrator({ db, provider: { getMigrations: async () => migrations } }).migrateToLatest();
    if (error) throw error instanceof Error ? error : new Error(String(error));
  }

  /** Inserts with the columns of the schema as it was before the migration (plain SQL: db/schema.ts moves on). */
  async function insert(db: Kysely<Database>, statement: RawBuilder<unknown>): Promise<number> {
    const result = await sql<{ id: number }>`${statement} returning id`.execute(db);
    const id = result.rows[0]?.id;
    if (id === undefined) throw new Error('insert returned no id');
    return Number(id);
  }

  it('backfills open intervals, holdings and limits from the state it finds', async () => {
    const database = await createTestDatabase();
    const store = openDatabase(database.config);
    try {
      const db = store.db;
      await migrate(db, EARLIER);
      const created = '2026-11-01T08:00:00.000Z';
      const client = await insert(
        db,
        sql`insert into client (name, lang, created_at, updated_at) values ('Old Co', 'en', ${created}, ${created})`,
      );
      const site = await insert(
        db,
        sql`insert into website (client_id, url, label, created_at, updated_at)
          values (${client}, 'https://old.example', 'Old', ${created}, ${created})`,
      );
      const operatorRow = async (email: string, max: number, flags: [number, number, number], deleted: string | null) =>
        insert(
          db,
          sql`insert into operator (client_id, name, email, roles, chat_enabled, call_enabled, video_enabled,
              chat_max_number, chat_and_call, chat_priority, call_priority, video_priority, language_list,
              language_admin, sso_key_hash, connected, chat_available, call_available, video_available,
              created_at, updated_at, deleted_at)
            values (${client}, ${email}, ${email}, '["operator"]', 1, 1, 1, ${max}, 0, 0, 0, 0, '["en"]', 'en',
              ${`hash-${email}`}, ${flags.some((flag) => flag === 1) ? 1 : 0}, ${flags[0]}, ${flags[1]}, ${flags[2]},
              ${created}, ${created}, ${deleted})`,
        );
      const ada = await operatorRow('ada@old.example', 3, [1, 1, 0], null);
      const grace = await operatorRow('grace@old.example', 2, [0, 0, 0], null);
      const gone = await operatorRow('gone@old.example', 4, [0, 0, 0], '2026-11-02T08:00:00.000Z');
      const visitorId = await insert(
        db,
        sql`insert into visitor (client_id, unique_id, created_at, updated_at)
          values (${client}, 'old-visitor', ${created}, ${created})`,
      );
      let xmpp = 0;
      const conversation = async (
        operatorId: number | null,
        status: string,
        channel: string,
        createdAt: string,
        assignedAt: string | null,
      ) => {
        xmpp += 1;
        return insert(
          db,
          sql`insert into conversation (client_id, website_id, channel, source, visitor_id, operator_id, status,
              xmpp_id, created_at, updated_at, assigned_at)
            values (${client}, ${site}, ${channel}, 'web', ${visitorId}, ${operatorId}, ${status}, ${`old-${xmpp}`},
              ${createdAt}, ${createdAt}, ${assignedAt})`,
        );
      };
      const routed = await conversation(ada, 'open', 'chat', '2026-11-03T09:00:00.000Z', '2026-11-03T09:00:05.000Z');
      const imported = await conversation(grace, 'open', 'call', '2026-11-03T10:00:00.000Z', null);
      const waiting = await conversation(null, 'waiting', 'chat', '2026-11-03T11:00:00.000Z', null);
      const closed = await conversation(ada, 'closed', 'chat', '2026-11-02T09:00:00.000Z', '2026-11-02T09:00:01.000Z');

      const before = new Date().toISOString();
      await migrate(db, { ...EARLIER, '20261204T1000-presence-history': presenceHistory });
      const after = new Date().toISOString();

      const available = await db
        .selectFrom('availability_interval')
        .select(['client_id', 'operator_id', 'channel', 'started_at', 'ended_at'])
        .orderBy('channel')
        .execute();
      expect(available.map(({ started_at: _, ...rest }) => rest)).toEqual([
        { client_id: client, operator_id: ada, channel: 'call', ended_at: null },
        { client_id: client, operator_id: ada, channel: 'chat', ended_at: null },
      ]);
      for (const row of available) expect(row.started_at >= before && row.started_at <= after).toBe(true);

      const held = await db
        .selectFrom('conversation_holding')
        .select(['client_id', 'website_id', 'conversation_id', 'operator_id', 'channel', 'started_at', 'ended_at'])
        .orderBy('conversation_id')
        .execute();
      expect(held).toEqual([
        {
          client_id: client,
          website_id: site,
          conversation_id: routed,
          operator_id: ada,
          channel: 'chat',
          started_at: '2026-11-03T09:00:05.000Z',
          ended_at: null,
        },
        {
          client_id: client,
          website_id: site,
          conversation_id: imported,
          operator_id: grace,
          channel: 'call',
          started_at: '2026-11-03T10:00:00.000Z',
          ended_at: null,
        },
      ]);
      expect(held.map((row) => row.conversation_id)).not.toContain(waiting);
      expect(held.map((row) => row.conversation_id)).not.toContain(closed);

      const limits = await db
        .selectFrom('operator_capacity')
        .select(['client_id', 'operator_id', 'chat_max_number', 'started_at'])
        .orderBy('operator_id')
        .execute();
      expect(limits).toEqual([
        { client_id: client, operator_id: ada, chat_max_number: 3, started_at: created },
        { client_id: client, operator_id: grace, chat_max_number: 2, started_at: created },
        { client_id: client, operator_id: gone, chat_max_number: 4, started_at: created },
      ]);
    } finally {
      await store.close();
      await database.drop();
    }
  });
});
