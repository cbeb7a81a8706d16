// RCS testers of a chat environment (issue 19 `/messenger/rcs-tester`): registered only on an active environment,
// invited by the worker through Google (the provider sends the invitation to the device), then accepted, declined,
// expired or unreachable. Each change writes the row, a history row and a `messaging.tester_status` event at once.
import type { Kysely } from 'kysely';
import { isUniqueViolation } from '../../db/dialect.js';
import type { Database, MessagingTesterRow, MessagingTesterState } from '../../db/schema.js';
import { conflict, unknownResource } from '../../errors.js';
import { type Tx, transact } from '../../events/transact.js';
import { nowInstant } from '../../time.js';
import { loadAgent } from './agent-store.js';
import { newestFirst } from './listing.js';
import { recordState } from './state-history.js';
import { InvalidTransition } from './state-machine.js';
import { assertTesterTransition } from './tester-states.js';

/** The history row and the event (the account's TESTER_STATUS callback) of one state change. */
function recordChange(
  trx: Tx,
  tester: Pick<MessagingTesterRow, 'id' | 'client_id' | 'agent_id' | 'phone'>,
  from: MessagingTesterState | null,
  to: MessagingTesterState,
  reason: string | null,
  at: string,
): Promise<void> {
  return recordState(
    trx,
    { resource: 'tester', id: tester.id, clientId: tester.client_id },
    { state: to, previousState: from, reason, data: { agentId: tester.agent_id, phone: tester.phone } },
    at,
  );
}

/** Registers a tester of an active environment (409 otherwise); the worker sends Google's invitation at once. */
export async function createTester(
  db: Kysely<Database>,
  clientId: number,
  input: { agent_id: number; phone: string },
): Promise<number> {
  try {
    return await transact(db, async (trx) => {
      const { agent } = await loadAgent(trx, clientId, input.agent_id).catch(() => {
        throw unknownResource('chatbot/agent', input.agent_id, 'agent_id');
      });
      if (agent.state !== 'active') throw new InvalidTransition('chat environment', agent.state, 'tested');
      if (agent.rcs !== 1 || agent.rbm_agent === null)
        throw conflict('This environment has no RCS agent: testers are invited to RCS agents only.', 'agent_id');
      const at = nowInstant();
      const inserted = await trx
        .insertInto('messaging_tester')
        .values({
          client_id: clientId,
          agent_id: agent.id,
          phone: input.phone,
          state: 'invite_pending',
          reason: null,
          invited_at: null,
          work: 'invite',
          due_at: at,
          lease_owner: null,
          lease_until: null,
          last_error: null,
          created_at: at,
          updated_at: at,
          deleted_at: null,
        })
        .returning(['id'])
        .executeTakeFirstOrThrow();
      const tester = { id: inserted.id, client_id: clientId, agent_id: agent.id, phone: input.phone };
      await recordChange(trx, tester, null, 'invite_pending', null, at);
      return tester.id;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict(`${input.phone} is already a tester of this environment.`, 'phone');
    throw error;
  }
}

export async function loadTester(db: Kysely<Database> | Tx, clientId: number, id: number): Promise<MessagingTesterRow> {
  const tester = await db
    .selectFrom('messaging_tester')
    .selectAll()
    .where('id', '=', id)
    .where('client_id', '=', clientId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  if (tester === undefined) throw unknownResource('messenger/rcs-tester', id);
  return tester;
}

export async function listTesters(
  db: Kysely<Database>,
  clientId: number,
  filter: { agentId?: number; state?: MessagingTesterState; page: number; limit: number },
): Promise<{ items: MessagingTesterRow[]; count: number }> {
  let query = db.selectFrom('messaging_tester').where('client_id', '=', clientId).where('deleted_at', 'is', null);
  if (filter.agentId !== undefined) query = query.where('agent_id', '=', filter.agentId);
  if (filter.state !== undefined) query = query.where('state', '=', filter.state);
  return newestFirst(query, filter);
}

export async function deleteTesterInTransaction(
  trx: Tx,
  clientId: number,
  id: number,
  reason: string,
  at: string,
): Promise<void> {
  const tester = await loadTester(trx, clientId, id);
  assertTesterTransition(tester.state, 'deleted');
  await trx
    .updateTable('messaging_tester')
    .set({ state: 'deleted', reason, deleted_at: at, updated_at: at, work: null, due_at: null, lease_owner: null })
    .where('id', '=', id)
    .execute();
  await recordChange(trx, tester, tester.state, 'deleted', reason, at);
}

export async function deleteTester(db: Kysely<Database>, clientId: number, id: number): Promise<void> {
  await transact(db, (trx) => deleteTesterInTransaction(trx, clientId, id, 'deleted_by_client', nowInstant()));
}

/**
 * Records what Google said of the invitation (worker, under its lease): a final state ends the tester's work;
 * `invited` marks the invitation as sent. Answers whether the state changed.
 */
export async function recordTesterState(
  trx: Tx,
  testerId: number,
  to: MessagingTesterState,
  reason: string | null,
): Promise<boolean> {
  const tester = await trx
    .selectFrom('messaging_tester')
    .selectAll()
    .where('id', '=', testerId)
    .executeTakeFirstOrThrow();
  if (tester.state === to || tester.state === 'deleted') return false;
  assertTesterTransition(tester.state, to);
  const at = nowInstant();
  await trx
    .updateTable('messaging_tester')
    .set({ state: to, reason, updated_at: at, work: null, due_at: null, last_error: null })
    .where('id', '=', testerId)
    .execute();
  await recordChange(trx, tester, tester.state, to, reason, at);
  return true;
}
