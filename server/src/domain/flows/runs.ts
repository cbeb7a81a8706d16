// Flow runs as rows: started inside the transaction of what triggers them (a request, an order, an inbound message),
// ended with `flow.run.ended`, cancelled, their variables changed; a worker (engine.ts) runs their steps.
import type { Kysely, Transaction } from 'kysely';
import { dialectOf } from '../../db/dialect.js';
import type { Database, FlowRunState } from '../../db/schema.js';
import { appendEvent } from '../../events/append.js';
import { nowInstant } from '../../time.js';
import type { FlowDefinition } from './definition.js';
import { notifyFlowWork } from './signal.js';

type Tx = Transaction<Database>;

/**
 * A flow version's definition, parsed, from `kept` or read into it. A version is never changed once written; `kept`
 * belongs to one database (ids of another repeat).
 */
export async function versionDefinition(
  kept: Map<number, FlowDefinition>,
  db: Kysely<Database> | Tx,
  versionId: number,
): Promise<FlowDefinition> {
  let definition = kept.get(versionId);
  if (definition === undefined) {
    const row = await db
      .selectFrom('flow_version')
      .select('definition')
      .where('id', '=', versionId)
      .executeTakeFirstOrThrow();
    definition = JSON.parse(row.definition) as FlowDefinition;
    kept.set(versionId, definition);
  }
  return definition;
}

export interface StartRun {
  clientId: number;
  flowId: number;
  /** The flow's version to run (its current one). */
  version: number;
  userKey: string;
  variables: Record<string, unknown>;
  requestId?: number | null;
  orderId?: number | null;
  conversationId?: number | null;
}

/** Inserts a run on the flow's current version, due at once; answers its id. */
export async function startRun(trx: Tx, start: StartRun): Promise<number> {
  const version = await trx
    .selectFrom('flow_version')
    .select(['id', 'definition'])
    .where('flow_id', '=', start.flowId)
    .where('version', '=', start.version)
    .executeTakeFirstOrThrow();
  const definition = JSON.parse(version.definition) as FlowDefinition;
  const at = nowInstant();
  const { id } = await trx
    .insertInto('flow_run')
    .values({
      client_id: start.clientId,
      flow_id: start.flowId,
      version_id: version.id,
      request_id: start.requestId ?? null,
      order_id: start.orderId ?? null,
      user_key: start.userKey,
      state: 'running',
      variables: JSON.stringify({ ...definition.variables, ...start.variables }),
      object: null,
      step_index: 0,
      steps_run: 0,
      due_at: at,
      waiting_for: null,
      conversation_id: start.conversationId ?? null,
      lease_owner: null,
      lease_until: null,
      error: null,
      started_at: at,
      updated_at: at,
      ended_at: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  notifyFlowWork();
  return id;
}

/** Ends a run (`flow.run.ended`) and its request with it; the caller has checked it was not ended. */
export async function endRun(
  trx: Tx,
  run: { id: number; client_id: number; flow_id: number; request_id: number | null; user_key: string },
  state: Extract<FlowRunState, 'done' | 'failed' | 'cancelled'>,
  error: string | null,
): Promise<void> {
  const at = nowInstant();
  await trx
    .updateTable('flow_run')
    .set({
      state,
      error,
      due_at: null,
      waiting_for: null,
      lease_owner: null,
      lease_until: null,
      updated_at: at,
      ended_at: at,
    })
    .where('id', '=', run.id)
    .execute();
  if (run.request_id !== null)
    await trx
      .updateTable('commerce_request')
      .set({ state: state === 'done' ? 'done' : state, updated_at: at })
      .where('id', '=', run.request_id)
      .execute();
  await appendEvent(trx, {
    type: 'flow.run.ended',
    clientId: run.client_id,
    subject: { type: 'flow_run', id: run.id },
    payload: { runId: run.id, flowId: run.flow_id, requestId: run.request_id, userKey: run.user_key, state, error },
    at,
  });
}

/** Cancels the request's runs still under way; answers how many. */
export async function cancelRunsOfRequest(trx: Tx, requestId: number): Promise<number> {
  const runs = await trx
    .selectFrom('flow_run')
    .select(['id', 'client_id', 'flow_id', 'request_id', 'user_key'])
    .where('request_id', '=', requestId)
    .where('state', 'in', ['running', 'waiting'])
    .$if(dialectOf(trx) === 'postgres', (query) => query.forUpdate())
    .execute();
  for (const run of runs) await endRun(trx, run, 'cancelled', null);
  return runs.length;
}

/** Merges variables into the request's runs under way: the next steps read them. */
export async function mergeRunVariables(trx: Tx, requestId: number, variables: Record<string, unknown>): Promise<void> {
  const runs = await trx
    .selectFrom('flow_run')
    .select(['id', 'variables'])
    .where('request_id', '=', requestId)
    .where('state', 'in', ['running', 'waiting'])
    .$if(dialectOf(trx) === 'postgres', (query) => query.forUpdate())
    .execute();
  for (const run of runs)
    await trx
      .updateTable('flow_run')
      .set({
        variables: JSON.stringify({ ...(JSON.parse(run.variables) as Record<string, unknown>), ...variables }),
        updated_at: nowInstant(),
      })
      .where('id', '=', run.id)
      .execute();
}
