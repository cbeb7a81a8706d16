// Merchant requests (seed 001): createRequest starts the flow's run in the same transaction; read one or a page of
// them; a change of variables reaches the running run; a delete cancels it. And a customer's runs by user_key.
import type { Kysely, Selectable } from 'kysely';
import { dialectOf } from '../../db/dialect.js';
import type { CommerceRequestTable, Database, FlowRunStepTable, FlowRunTable } from '../../db/schema.js';
import { ApiError, conflict, fieldInvalid, unknownResource } from '../../errors.js';
import { appendEvent } from '../../events/append.js';
import { transact } from '../../events/transact.js';
import { nowInstant } from '../../time.js';
import { cancelRunsOfRequest, mergeRunVariables, startRun } from '../flows/runs.js';

export type RequestRow = Selectable<CommerceRequestTable>;

export interface CreateRequestInput {
  flow: string;
  user_key: string;
  data?: Record<string, unknown>;
  reference?: string;
}

/** Creates a request for an active flow and starts its run, in one transaction; answers both ids. */
export async function createRequest(
  db: Kysely<Database>,
  clientId: number,
  input: CreateRequestInput,
): Promise<{ requestId: number; runId: number }> {
  return transact(db, async (trx) => {
    const flow = await trx
      .selectFrom('flow')
      .select(['id', 'code', 'active', 'current_version'])
      .where('client_id', '=', clientId)
      .where('code', '=', input.flow)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    if (flow === undefined) throw fieldInvalid('flow', `No flow has the code '${input.flow}'.`);
    if (flow.active !== 1) throw fieldInvalid('flow', `The flow '${input.flow}' is not active.`);
    if (flow.current_version === null) throw fieldInvalid('flow', `The flow '${input.flow}' has no published version.`);
    const at = nowInstant();
    const data = input.data ?? {};
    const { id: requestId } = await trx
      .insertInto('commerce_request')
      .values({
        client_id: clientId,
        flow_id: flow.id,
        flow_code: flow.code,
        user_key: input.user_key,
        reference: input.reference ?? null,
        data: JSON.stringify(data),
        state: 'open',
        created_at: at,
        updated_at: at,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const runId = await startRun(trx, {
      clientId,
      flowId: flow.id,
      version: flow.current_version,
      userKey: input.user_key,
      variables: { ...data, ...(input.reference !== undefined && { reference: input.reference }) },
      requestId,
    });
    await appendEvent(trx, {
      type: 'commerce.request.created',
      clientId,
      subject: { type: 'commerce_request', id: requestId },
      payload: { requestId, flowCode: flow.code, userKey: input.user_key, runId },
      at,
    });
    return { requestId, runId };
  });
}

/** One request of the client, or 404 naming `request_id`. */
export async function loadRequest(db: Kysely<Database>, clientId: number, requestId: number): Promise<RequestRow> {
  const row = await db
    .selectFrom('commerce_request')
    .selectAll()
    .where('id', '=', requestId)
    .where('client_id', '=', clientId)
    .executeTakeFirst();
  if (row === undefined) throw unknownResource('request', requestId, 'request_id');
  return row;
}

export interface RequestFilters {
  flow?: string;
  user_key?: string;
  state?: string;
  /** Stored instants (UTC). */
  from?: string;
  to?: string;
  page: number;
  limit: number;
}

/** A page of the client's requests, newest first, and how many match. */
export async function listRequests(
  db: Kysely<Database>,
  clientId: number,
  filters: RequestFilters,
): Promise<{ rows: RequestRow[]; count: number }> {
  let query = db.selectFrom('commerce_request').where('client_id', '=', clientId);
  if (filters.flow !== undefined) query = query.where('flow_code', '=', filters.flow);
  if (filters.user_key !== undefined) query = query.where('user_key', '=', filters.user_key);
  if (filters.state !== undefined) query = query.where('state', '=', filters.state as RequestRow['state']);
  if (filters.from !== undefined) query = query.where('created_at', '>=', filters.from);
  if (filters.to !== undefined) query = query.where('created_at', '<', filters.to);
  const counted = await query.select((eb) => eb.fn.countAll().as('count')).executeTakeFirst();
  const rows = await query
    .selectAll()
    .orderBy('id', 'desc')
    .limit(filters.limit)
    .offset((filters.page - 1) * filters.limit)
    .execute();
  return { rows, count: Number(counted?.count ?? 0) };
}

/** Merges variables into the request's data and into its run under way. */
export async function updateRequestData(
  db: Kysely<Database>,
  clientId: number,
  requestId: number,
  data: Record<string, unknown>,
): Promise<void> {
  await transact(db, async (trx) => {
    const row = await trx
      .selectFrom('commerce_request')
      .select(['data', 'state'])
      .where('id', '=', requestId)
      .where('client_id', '=', clientId)
      .$if(dialectOf(trx) === 'postgres', (query) => query.forUpdate())
      .executeTakeFirst();
    if (row === undefined) throw unknownResource('request', requestId, 'request_id');
    if (row.state !== 'open')
      throw conflict(`Request ${requestId} is ${row.state}: its variables no longer change anything.`);
    await trx
      .updateTable('commerce_request')
      .set({ data: JSON.stringify({ ...(JSON.parse(row.data) as object), ...data }), updated_at: nowInstant() })
      .where('id', '=', requestId)
      .execute();
    await mergeRunVariables(trx, requestId, data);
  });
}

/** Cancels a request and its run (409 when it has ended already). */
export async function cancelRequest(db: Kysely<Database>, clientId: number, requestId: number): Promise<void> {
  await transact(db, async (trx) => {
    const row = await trx
      .selectFrom('commerce_request')
      .select(['state'])
      .where('id', '=', requestId)
      .where('client_id', '=', clientId)
      .$if(dialectOf(trx) === 'postgres', (query) => query.forUpdate())
      .executeTakeFirst();
    if (row === undefined) throw unknownResource('request', requestId, 'request_id');
    if (row.state !== 'open') throw new ApiError('conflict', 409, `Request ${requestId} is ${row.state} already.`);
    const cancelled = await cancelRunsOfRequest(trx, requestId);
    if (cancelled === 0)
      await trx
        .updateTable('commerce_request')
        .set({ state: 'cancelled', updated_at: nowInstant() })
        .where('id', '=', requestId)
        .execute();
  });
}

/** Makes a failed run due again at its failed step (same idempotency key); 409 unless it failed. */
export async function retryRun(db: Kysely<Database>, clientId: number, runId: number): Promise<void> {
  await transact(db, async (trx) => {
    const run = await trx
      .selectFrom('flow_run')
      .select(['state', 'request_id', 'steps_run'])
      .where('id', '=', runId)
      .where('client_id', '=', clientId)
      .$if(dialectOf(trx) === 'postgres', (query) => query.forUpdate())
      .executeTakeFirst();
    if (run === undefined) throw unknownResource('run', runId, 'run_id');
    if (run.state !== 'failed') throw conflict(`Run ${runId} is ${run.state}: only a failed run is retried.`, 'run_id');
    const failed = await trx
      .selectFrom('flow_run_step')
      .select(['ordinal', 'step_index', 'type'])
      .where('run_id', '=', runId)
      .where('state', '=', 'failed')
      .orderBy('ordinal', 'desc')
      .executeTakeFirst();
    const at = nowInstant();
    if (failed !== undefined)
      await trx
        .updateTable('flow_run_step')
        .set({ state: 'running', attempts: 0, ended_at: null })
        .where('run_id', '=', runId)
        .where('ordinal', '=', failed.ordinal)
        .execute();
    await trx
      .updateTable('flow_run')
      .set({
        state: 'running',
        error: null,
        ended_at: null,
        due_at: at,
        updated_at: at,
        ...(failed !== undefined && { step_index: failed.step_index, steps_run: failed.ordinal - 1 }),
      })
      .where('id', '=', runId)
      .execute();
    if (run.request_id !== null)
      await trx
        .updateTable('commerce_request')
        .set({ state: 'open', updated_at: at })
        .where('id', '=', run.request_id)
        .execute();
  });
}

export type RunWithSteps = Selectable<FlowRunTable> & {
  flow_code: string;
  version: number;
  steps: Array<Selectable<FlowRunStepTable>>;
  messages: Array<{ seq: number; kind: number; text: string; at: string; delivery: string | null }>;
};

/** The runs of a customer (oldest first), or of a request, with their steps and the messages of their conversation. */
export async function runsWithSteps(
  db: Kysely<Database>,
  clientId: number,
  where: { userKey?: string; requestId?: number },
): Promise<RunWithSteps[]> {
  let query = db
    .selectFrom('flow_run')
    .innerJoin('flow', 'flow.id', 'flow_run.flow_id')
    .innerJoin('flow_version', 'flow_version.id', 'flow_run.version_id')
    .selectAll('flow_run')
    .select(['flow.code as flow_code', 'flow_version.version'])
    .where('flow_run.client_id', '=', clientId);
  if (where.userKey !== undefined) query = query.where('flow_run.user_key', '=', where.userKey);
  if (where.requestId !== undefined) query = query.where('flow_run.request_id', '=', where.requestId);
  const runs = await query.orderBy('flow_run.id').limit(500).execute();
  if (runs.length === 0) return [];
  const steps = await db
    .selectFrom('flow_run_step')
    .selectAll()
    .where(
      'run_id',
      'in',
      runs.map((run) => run.id),
    )
    .orderBy('run_id')
    .orderBy('ordinal')
    .execute();
  const result: RunWithSteps[] = [];
  for (const run of runs) {
    let messages: RunWithSteps['messages'] = [];
    if (run.conversation_id !== null) {
      let inWindow = db
        .selectFrom('conversation_message')
        .leftJoin('channel_outbound', (join) =>
          join
            .onRef('channel_outbound.conversation_id', '=', 'conversation_message.conversation_id')
            .onRef('channel_outbound.seq', '=', 'conversation_message.seq'),
        )
        .select([
          'conversation_message.seq',
          'conversation_message.kind',
          'conversation_message.body',
          'conversation_message.created_at',
          'channel_outbound.state',
        ])
        .where('conversation_message.conversation_id', '=', run.conversation_id)
        .where('conversation_message.created_at', '>=', run.started_at)
        .where('conversation_message.kind', 'in', [1, 2, 3]);
      // An ended run shows the messages of its own time, not those of later runs in the same conversation.
      if (run.ended_at !== null) inWindow = inWindow.where('conversation_message.created_at', '<=', run.ended_at);
      const rows = await inWindow.orderBy('conversation_message.seq').limit(200).execute();
      messages = rows.map((row) => ({
        seq: Number(row.seq),
        kind: row.kind,
        text: row.body,
        at: row.created_at,
        delivery: row.state ?? null,
      }));
    }
    result.push({ ...run, steps: steps.filter((step) => step.run_id === run.id), messages });
  }
  return result;
}
