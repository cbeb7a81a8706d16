// Routing under concurrency: simultaneous starts, closes and queue serving never exceed a slot nor assign twice,
// on one connection pool and (PostgreSQL) on two pools sharing the database, as two nodes do.
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Store } from '../../db/database.js';
import type { Database } from '../../db/schema.js';
import { EventDispatcher } from '../../events/dispatcher.js';
import { attachDispatcher, transact } from '../../events/transact.js';
import { clientWithKey, startTestApp, type TestApp, testDialect } from '../../test/harness.js';
import { nowInstant } from '../../time.js';
import { changeOperatorLive } from '../people/presence.js';
import { findOrCreateVisitor } from '../visitors/identity.js';
import { closeLiveConversation, type LiveStart, startLiveConversation } from './commands.js';
import { registerQueueServing } from './reactions.js';
import { serveQueue } from './serving.js';
import { transferConversation } from './transfer.js';

let t: TestApp;
let key: string;
let clientId: number;
/** A second pool on the same database: a second node (PostgreSQL only; SQLite is one process's file). */
let secondNode: Store | undefined;
const reactionErrors: unknown[] = [];

beforeAll(async () => {
  t = await startTestApp();
  ({ key, clientId } = await clientWithKey(t, 'Rush Co'));
  if (testDialect === 'postgres') {
    secondNode = openDatabase(t.database.config);
    // A node serves the queues its own commits concern (domain/routing/reactions.ts): without its own reactions, a
    // slot freed through the second pool would wait for another event to be served.
    const reactions = new EventDispatcher((error) => reactionErrors.push(error));
    attachDispatcher(secondNode.db, reactions);
    registerQueueServing(reactions, secondNode.db);
  }
});
afterAll(async () => {
  await secondNode?.close();
  await t.close();
});

let counter = 0;

async function website(): Promise<number> {
  counter += 1;
  const answer = await t.api('POST', '/website', { key, json: { url: `https://rush-${counter}.example` } });
  return answer.body.data.id;
}

/** Three operators of the website with two chat slots each, available unless told otherwise. */
async function team(websiteId: number, available = true): Promise<number[]> {
  const ids: number[] = [];
  for (let n = 0; n < 3; n += 1) {
    counter += 1;
    const answer = await t.api('POST', '/operator', {
      key,
      json: {
        name: `Rusher ${counter}`,
        email: `rusher.${counter}@rush.example`,
        website_list: [websiteId],
        chat_max_number: 2,
      },
    });
    ids.push(answer.body.data.id);
  }
  for (const id of ids)
    await changeOperatorLive(t.store.db, clientId, id, available ? { chat: true } : { call: false, chat: false });
  return ids;
}

async function visitors(websiteId: number, count: number): Promise<Array<{ id: number; uniqueId: string }>> {
  const made: Array<{ id: number; uniqueId: string }> = [];
  for (let n = 0; n < count; n += 1)
    made.push(await transact(t.store.db, (trx) => findOrCreateVisitor(trx, { clientId, websiteId, at: nowInstant() })));
  return made;
}

/** The database each call goes through: alternately both nodes on PostgreSQL, the one store on SQLite. */
function node(index: number): Kysely<Database> {
  return secondNode !== undefined && index % 2 === 1 ? secondNode.db : t.store.db;
}

async function loads(websiteId: number): Promise<Map<number, number>> {
  const rows = await t.store.db
    .selectFrom('conversation')
    .select(['operator_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('website_id', '=', websiteId)
    .where('status', 'in', ['waiting', 'open'])
    .where('operator_id', 'is not', null)
    .groupBy('operator_id')
    .execute();
  return new Map(rows.map((row) => [row.operator_id ?? 0, Number(row.n)]));
}

/** Number of `conversation.assigned` events per conversation of the website. */
async function assignmentEvents(websiteId: number): Promise<Map<number, number>> {
  const ids = (
    await t.store.db.selectFrom('conversation').select('id').where('website_id', '=', websiteId).execute()
  ).map((row) => row.id);
  const rows = await t.store.db
    .selectFrom('event')
    .select(['subject_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('type', '=', 'conversation.assigned')
    .where('subject_id', 'in', ids.length > 0 ? ids : [0])
    .groupBy('subject_id')
    .execute();
  return new Map(rows.map((row) => [row.subject_id, Number(row.n)]));
}

/** Conversations of the website that were ever assigned (they have a `conversation.assigned` event). */
async function assignedConversationIds(websiteId: number): Promise<number[]> {
  return [...(await assignmentEvents(websiteId)).keys()];
}

async function startAll(websiteId: number, count: number): Promise<LiveStart[]> {
  const people = await visitors(websiteId, count);
  return Promise.all(
    people.map((visitor, index) => startLiveConversation(node(index), { websiteId, visitor, text: `Hello ${index}` })),
  );
}

describe(`concurrent routing (${testDialect}${testDialect === 'postgres' ? ', two pools' : ''})`, () => {
  it('30 simultaneous starts against 3 operators with 2 slots: exactly 6 assigned (2 each), 24 queued', async () => {
    const site = await website();
    const operators = await team(site);
    const results = await startAll(site, 30);
    const assigned = results.filter((result) => result.kind === 'assigned');
    const queued = results.filter((result) => result.kind === 'queued');
    expect(assigned).toHaveLength(6);
    expect(queued).toHaveLength(24);
    const perOperator = await loads(site);
    expect(operators.map((id) => perOperator.get(id))).toEqual([2, 2, 2]);
    const rows = await t.store.db
      .selectFrom('conversation')
      .select(['status', 'operator_id', 'outcome', 'waitinglist'])
      .where('website_id', '=', site)
      .execute();
    expect(rows.filter((row) => row.status === 'open')).toHaveLength(6);
    expect(
      rows.filter((row) => row.status === 'waiting' && row.operator_id === null && row.waitinglist === 1),
    ).toHaveLength(24);
    expect([...(await assignmentEvents(site)).values()]).toEqual([1, 1, 1, 1, 1, 1]);
  });

  it('closing every assigned conversation at once serves the 6 oldest waiting ones, once each, within the slots', async () => {
    const site = await website();
    const operators = await team(site);
    const results = await startAll(site, 30);
    const queuedIds = (
      await t.store.db
        .selectFrom('conversation')
        .select('id')
        .where('website_id', '=', site)
        .where('status', '=', 'waiting')
        .orderBy('queued_at')
        .orderBy('id')
        .execute()
    ).map((row) => row.id);
    const before = await assignedConversationIds(site);
    // Each close's freed slot is served by the queue-serving reaction of the node that committed it.
    await Promise.all(
      results
        .filter((result) => result.kind === 'assigned')
        .map((result, index) => closeLiveConversation(node(index), result.conversationId, { by: 'operator' })),
    );
    const served = (await assignedConversationIds(site)).filter((id) => !before.includes(id));
    expect(served).toHaveLength(6);
    expect([...served].sort((a, b) => a - b)).toEqual(queuedIds.slice(0, 6).sort((a, b) => a - b));
    const perOperator = await loads(site);
    expect(operators.map((id) => perOperator.get(id))).toEqual([2, 2, 2]);
    expect([...(await assignmentEvents(site)).values()].every((count) => count === 1)).toBe(true);
  });

  it('several nodes serving one queue at once never assign a waiting conversation twice nor exceed the slots', async () => {
    const site = await website();
    const operators = await team(site);
    await startAll(site, 26);
    const queuedIds = (
      await t.store.db
        .selectFrom('conversation')
        .select('id')
        .where('website_id', '=', site)
        .where('status', '=', 'waiting')
        .orderBy('queued_at')
        .orderBy('id')
        .execute()
    ).map((row) => row.id);
    expect(queuedIds).toHaveLength(20);
    // Six more slots open at once (written directly, as if the nodes died before serving: the API would serve them
    // through the reaction to `user.updated`); six serving passes race for them.
    await t.store.db.updateTable('operator').set({ chat_max_number: 4 }).where('id', 'in', operators).execute();
    const passes = await Promise.all([0, 1, 2, 3, 4, 5].map((index) => serveQueue(node(index), { websiteId: site })));
    const served = passes.flat().map((assignment) => assignment.conversationId);
    expect([...served].sort((a, b) => a - b)).toEqual(queuedIds.slice(0, 6).sort((a, b) => a - b));
    const perOperator = await loads(site);
    expect(operators.map((id) => perOperator.get(id))).toEqual([4, 4, 4]);
    expect([...(await assignmentEvents(site)).values()].every((count) => count === 1)).toBe(true);
    expect((await assignmentEvents(site)).size).toBe(12);
  });

  it.runIf(testDialect === 'postgres')(
    'a serving pass waits for a start that holds the operators and queues its conversation, then serves it',
    async () => {
      const site = await website();
      const operators = await team(site);
      const results = await startAll(site, 7);
      const queued = results.find((result) => result.kind === 'queued');
      const assigned = results.find((result) => result.kind === 'assigned');
      if (queued === undefined || assigned === undefined) throw new Error('expected six assigned and one queued');
      // A slot frees (written directly: no reaction serves it), and the queue is empty for now…
      await t.store.db
        .updateTable('conversation')
        .set({ status: 'closed' })
        .where('id', '=', assigned.conversationId)
        .execute();
      await t.store.db
        .updateTable('conversation')
        .set({ queued_at: null })
        .where('id', '=', queued.conversationId)
        .execute();
      // …while a start on the other node, which saw every slot taken, holds the operators and queues its conversation.
      let commitStart = (): void => undefined;
      const startHeld = new Promise<void>((resolve) => {
        commitStart = resolve;
      });
      let locked = (): void => undefined;
      const operatorsLocked = new Promise<void>((resolve) => {
        locked = resolve;
      });
      const other = secondNode?.db ?? t.store.db;
      const start = transact(other, async (trx) => {
        await trx.selectFrom('operator').select('id').where('id', 'in', operators).orderBy('id').forUpdate().execute();
        await trx
          .updateTable('conversation')
          .set({ queued_at: nowInstant() })
          .where('id', '=', queued.conversationId)
          .execute();
        locked();
        await startHeld;
      });
      await operatorsLocked;
      const pass = serveQueue(t.store.db, { websiteId: site });
      await new Promise((resolve) => setTimeout(resolve, 300));
      commitStart();
      await start;
      const served = await pass;
      expect(served.map((assignment) => assignment.conversationId)).toEqual([queued.conversationId]);
    },
  );

  it('a storm of starts, transfers to a skill and closes on both nodes ends without error and within every slot', async () => {
    const site = await website();
    const skillAnswer = await t.api('POST', '/skill', { key, json: { name: `Storm ${counter}` } });
    const skill: number = skillAnswer.body.data.id;
    const operators = await team(site);
    const experts = await team(site);
    for (const id of experts) await t.api('PUT', `/operator/${id}`, { key, json: { skill_list: [skill] } });
    const first = await startAll(site, 16);
    const open = first.filter((result) => result.kind === 'assigned').map((result) => result.conversationId);
    expect(open).toHaveLength(12);
    const people = await visitors(site, 10);
    await Promise.all([
      ...open.slice(0, 6).map((id, index) => {
        const by = operators[0] ?? 0;
        return transferConversation(node(index), id, { skillId: skill }, by);
      }),
      ...open.slice(6).map((id, index) => closeLiveConversation(node(index + 1), id, { by: 'visitor' })),
      ...people.map((visitor, index) =>
        startLiveConversation(node(index), { websiteId: site, visitor, skillId: index % 2 === 0 ? skill : null }),
      ),
    ]);
    const perOperator = await loads(site);
    for (const id of [...operators, ...experts]) expect(perOperator.get(id) ?? 0).toBeLessThanOrEqual(2);
    const siteRows = () =>
      t.store.db
        .selectFrom('conversation')
        .select(['id', 'status', 'operator_id', 'skill_id'])
        .where('website_id', '=', site)
        .execute();
    // Waiting conversations an operator with a free slot could take: a skill's only by the experts, others by anyone.
    // (Twelve open is not the rule: experts who took conversations without the skill leave skilled ones waiting while
    // a non-expert has a slot nobody waiting may use.)
    const servable = async () => {
      const rows = await siteRows();
      const load = await loads(site);
      const free = [...operators, ...experts].filter((id) => (load.get(id) ?? 0) < 2);
      return rows.filter(
        (row) =>
          row.status === 'waiting' &&
          row.operator_id === null &&
          free.some((id) => row.skill_id === null || experts.includes(id)),
      );
    };
    // A start that found every slot taken while a close was committing queues; the close's committed event then
    // serves the queue, after the calls above returned: the freed slots fill within moments, not at once.
    const deadline = Date.now() + 5_000;
    while ((await servable()).length > 0 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await servable()).toEqual([]);
    const rows = await siteRows();
    expect(rows.filter((row) => row.status === 'waiting' && row.operator_id !== null)).toEqual([]);
    // Eleven want the skill, so the experts' six slots fill; the others take at least three of the nine without it.
    expect(rows.filter((row) => row.status === 'open').length).toBeGreaterThanOrEqual(9);
    for (const [id, load] of await loads(site)) expect(load, `operator ${id}`).toBeLessThanOrEqual(2);
    expect(reactionErrors).toEqual([]);
  });
});

describe('runInTransaction', () => {
  it('runs a transaction again when PostgreSQL broke a deadlock, at most three times, and lets other errors through', async () => {
    let attempts = 0;
    const deadlock = Object.assign(new Error('deadlock detected'), { code: '40P01' });
    const value = await transact(t.store.db, async () => {
      attempts += 1;
      if (attempts < 3) throw deadlock;
      return 'done';
    });
    expect([value, attempts]).toEqual(['done', 3]);
    attempts = 0;
    await expect(
      transact(t.store.db, async () => {
        attempts += 1;
        throw deadlock;
      }),
    ).rejects.toBe(deadlock);
    expect(attempts).toBe(3);
    attempts = 0;
    const other = new Error('other');
    await expect(
      transact(t.store.db, async () => {
        attempts += 1;
        throw other;
      }),
    ).rejects.toBe(other);
    expect(attempts).toBe(1);
  });
});
