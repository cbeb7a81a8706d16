// Reactions follow committed events: after commit, in order, per transaction; never for a rollback; relayed to the
// `every_node` reactions of other nodes; a failing reaction never fails the change it reacts to.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../errors.js';
import { ADMIN_KEY, clientWithKey, startTestApp, type TestApp } from '../test/harness.js';
import { appendEvent } from './append.js';
import { type CommittedEvent, EventDispatcher, type EventRelay } from './dispatcher.js';
import { transact } from './transact.js';

let t: TestApp;
let key: string;
let clientId: number;

beforeAll(async () => {
  t = await startTestApp();
  ({ key, clientId } = await clientWithKey(t, 'Reactions Co'));
});
afterAll(async () => t.close());

/** Records the events a reaction receives, one array per call. */
function recorder(): { calls: CommittedEvent[][]; reaction: (events: readonly CommittedEvent[]) => void } {
  const calls: CommittedEvent[][] = [];
  return { calls, reaction: (events) => void calls.push([...events]) };
}

describe('reactions of one node', () => {
  it('receive the events of a command after its commit, in order, one call per transaction', async () => {
    const { calls, reaction } = recorder();
    let committedWhenCalled: boolean | undefined;
    const stop = t.context.reactions.on(
      ['group.created', 'group.updated'],
      async (events) => {
        reaction(events);
        // The reaction sees the committed row: it runs after the transaction, not inside it.
        const row = await t.store.db
          .selectFrom('operator_group')
          .select('id')
          .where('id', '=', events[0]?.subject.id ?? 0)
          .executeTakeFirst();
        committedWhenCalled = row !== undefined;
      },
      { name: 'test: groups' },
    );
    try {
      const created = await t.api('POST', '/group', { key, json: { name: 'Reacting group' } });
      expect(created.status).toBe(200);
      const id: number = created.body.data.id;
      await t.api('PUT', `/group/${id}`, { key, json: { name: 'Renamed group' } });
      expect(calls.map((events) => events.map((event) => [event.type, event.subject.id]))).toEqual([
        [['group.created', id]],
        [['group.updated', id]],
      ]);
      expect(calls[0]?.[0]).toMatchObject({ clientId, subject: { type: 'group', id } });
      expect(committedWhenCalled).toBe(true);
    } finally {
      stop();
    }
  });

  it('hand a transaction its events together, and nothing of a transaction that rolled back', async () => {
    const { calls, reaction } = recorder();
    const stop = t.context.reactions.on(['tag.created'], reaction, { name: 'test: tags' });
    try {
      const at = new Date().toISOString();
      await transact(t.store.db, async (trx) => {
        for (const id of [9001, 9002])
          await appendEvent(trx, {
            type: 'tag.created',
            clientId,
            subject: { type: 'tag', id },
            payload: { tagId: id, name: `tag ${id}`, websiteIds: [] },
            at,
          });
      });
      await expect(
        transact(t.store.db, async (trx) => {
          await appendEvent(trx, {
            type: 'tag.created',
            clientId,
            subject: { type: 'tag', id: 9003 },
            payload: { tagId: 9003, name: 'tag 9003', websiteIds: [] },
            at,
          });
          throw new ApiError('test_rollback', 409, 'rolled back');
        }),
      ).rejects.toThrow('rolled back');
      expect(calls.map((events) => events.map((event) => event.subject.id))).toEqual([[9001, 9002]]);
      // Nor was the rolled back event stored.
      const stored = await t.store.db
        .selectFrom('event')
        .select('subject_id')
        .where('type', '=', 'tag.created')
        .where('subject_id', 'in', [9001, 9002, 9003])
        .execute();
      expect(stored.map((row) => row.subject_id).sort()).toEqual([9001, 9002]);
    } finally {
      stop();
    }
  });

  it('refuse an event appended in a transaction transact() did not open (nobody would react to it)', async () => {
    await expect(
      t.store.db.transaction().execute((trx) =>
        appendEvent(trx, {
          type: 'tag.created',
          clientId,
          subject: { type: 'tag', id: 9100 },
          payload: { tagId: 9100, name: 'tag 9100', websiteIds: [] },
          at: new Date().toISOString(),
        }),
      ),
    ).rejects.toThrow(/not opened by transact/);
  });

  it('never fail the change: a failing reaction is reported and the others still run', async () => {
    const reported: string[] = [];
    const dispatcher = new EventDispatcher((_error, reaction) => reported.push(reaction));
    const { calls, reaction } = recorder();
    dispatcher.on('*', () => Promise.reject(new Error('boom')), { name: 'failing' });
    dispatcher.on(['tag.created'], reaction, { name: 'recording' });
    const event: CommittedEvent = {
      type: 'tag.created',
      partnerId: null,
      clientId,
      subject: { type: 'tag', id: 1 },
      payload: { tagId: 1, name: 'tag 1', websiteIds: [] },
      at: new Date().toISOString(),
    };
    await expect(dispatcher.dispatch([event])).resolves.toBeUndefined();
    expect(reported).toEqual(['failing']);
    expect(calls).toEqual([[event]]);
  });
});

describe('reactions of every node', () => {
  /** Two nodes' relays joined in memory, as the bus joins them (each skips its own echo). */
  function joinedRelays(): [EventRelay, EventRelay] {
    const handlers: Array<Set<(events: readonly CommittedEvent[]) => void>> = [new Set(), new Set()];
    const relay = (self: 0 | 1): EventRelay => ({
      publish: (events) => {
        for (const handler of handlers[self === 0 ? 1 : 0] ?? []) handler(JSON.parse(JSON.stringify(events)));
      },
      subscribe: (handler) => {
        handlers[self]?.add(handler);
        return () => handlers[self]?.delete(handler);
      },
    });
    return [relay(0), relay(1)];
  }

  it('run on the other nodes too; origin reactions run only where the event was committed', async () => {
    const [relayA, relayB] = joinedRelays();
    const nodeA = new EventDispatcher(() => undefined);
    const nodeB = new EventDispatcher(() => undefined);
    nodeA.connect(relayA);
    nodeB.connect(relayB);
    const seen: string[] = [];
    for (const [name, node] of [
      ['A', nodeA],
      ['B', nodeB],
    ] as const) {
      node.on(['api_key.revoked'], () => void seen.push(`${name} every`), { name: 'cache', where: 'every_node' });
      node.on(['api_key.revoked'], () => void seen.push(`${name} origin`), { name: 'once' });
    }
    await nodeA.dispatch([
      {
        type: 'api_key.revoked',
        partnerId: null,
        clientId,
        subject: { type: 'api_key', id: 7 },
        payload: {},
        at: new Date().toISOString(),
      },
    ]);
    await nodeB.settled();
    expect(seen.sort()).toEqual(['A every', 'A origin', 'B every']);
  });

  it('a revoked key stops working on this node at once, though it was cached', async () => {
    const made = await t.api('POST', `/client/${clientId}/key`, { key: ADMIN_KEY, json: { name: 'short-lived' } });
    expect(made.status).toBe(200);
    const secret = String(made.body.data.key);
    expect((await t.api('GET', '/website', { key: secret })).status).toBe(200);
    expect((await t.api('DELETE', `/key/${made.body.data.id}`, { key: ADMIN_KEY })).status).toBe(200);
    expect((await t.api('GET', '/website', { key: secret })).status).toBe(403);
  });
});
