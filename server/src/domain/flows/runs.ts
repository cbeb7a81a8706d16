// Flow runs as rows: started inside the transaction of what triggers them (a request, an order, an inbound message),
// ended with `flow.run.ended`, cancelled, their variables changed; a worker (engine.ts) runs their steps.
import type { Kysely, Transaction } from 'kysely';
import { dialectOf } from '../../db/dialect.js';
import { preparedQuery } from '../../db/prepared.js';
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

/** A flow's version by its number. */
const flowVersion = preparedQuery((db, p: { flowId: number; version: number }) =>
  db
    .selectFrom('flow_version')
    .select(['id', 'definition'])
    .where('flow_id', '=', p.flowId)
    .where('version', '=', p.version),
);

const insertRun = preparedQuery(
  (
    db,
    p: {
      clientId: number;
      flowId: number;
      versionId: number;
      requestId: number | null;
      orderId: number | null;
      userKey: string;
      variables: string;
      conversationId: number | null;
      at: string;
    },
  ) =>
    db
      .insertInto('flow_run')
      .values({
        client_id: p.clientId,
        flow_id: p.flowId,
        version_id: p.versionId,
        request_id: p.requestId,
        order_id: p.orderId,
        user_key: p.userKey,
        state: 'running',
        variables: p.variables,
        object: null,
        step_index: 0,
        steps_run: 0,
        due_at: p.at,
        waiting_for: null,
        conversation_id: p.conversationId,
        lease_owner: null,
        lease_until: null,
        error: null,
        started_at: p.at,
        updated_at: p.at,
        ended_at: null,
      })
      .returning('id'),
);

/** Inserts a run on the flow's current version, due at once; answers its id. */
export async function startRun(trx: Tx, start: StartRun): Promise<number> {
  const version = await flowVersion.first(trx, { flowId: start.flowId, version: start.version });
  if (version === undefined) throw new Error(`Flow ${start.flowId} has no version ${start.version}.`);
  const definition = JSON.parse(version.definition) as FlowDefinition;
  const inserted = await insertRun(trx, {
    clientId: start.clientId,
    flowId: start.flowId,
    versionId: version.id,
    requestId: start.requestId ?? null,
    orderId: start.orderId ?? null,
    userKey: start.userKey,
    variables: JSON.stringify({ ...definition.variables, ...start.variables }),
    conversationId: start.conversationId ?? null,
    at: nowInstant(),
  });
  const id = inserted.rows[0]?.id;
  if (id === undefined) throw new Error('The flow run was not stored.');
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
