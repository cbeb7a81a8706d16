// A client's flows and their versions: create, change (name, trigger, active), publish a new immutable version (runs
// already started keep theirs), read. One transaction and one event each.
import type { Kysely, Selectable } from 'kysely';
import { isUniqueViolation } from '../../db/dialect.js';
import type { Database, FlowTable } from '../../db/schema.js';
import { ApiError, conflict, fieldInvalid, unknownResource } from '../../errors.js';
import { appendEvent } from '../../events/append.js';
import { EVENT_TYPES } from '../../events/catalogue.js';
import { type Tx, transact } from '../../events/transact.js';
import { nowInstant } from '../../time.js';
import { nextRomeTimeOfDay } from '../commerce/rome-time.js';
import { checkDefinition, DefinitionError, type FlowDefinition } from './definition.js';
import { endRun } from './runs.js';

export type FlowTrigger =
  | { type: 'request' }
  | { type: 'order_created' }
  | { type: 'keyword'; keywords: string[] }
  /** Fires every `every_minutes`, or each day at `at` (HH:MM, Europe/Rome), for one user_key. */
  | { type: 'schedule'; every_minutes?: number; at?: string; user_key: string; data?: Record<string, unknown> }
  /** Starts on each committed event of these types; user_key a template over `event` (default `<subject>:<id>`). */
  | { type: 'event'; event_types: string[]; user_key?: string };

/** Events a flow may not start on: its own runs commit them, so a flow started by one could start itself forever. */
const SELF_CAUSED = /^flow\./;

export interface FlowInput {
  code: string;
  name: string;
  trigger?: FlowTrigger;
  active?: boolean;
  definition?: unknown;
}

export interface FlowChange {
  name?: string;
  trigger?: FlowTrigger;
  active?: boolean;
}

export type FlowRecord = Omit<Selectable<FlowTable>, 'trigger' | 'active'> & {
  trigger: FlowTrigger;
  active: boolean;
};

/** The checked definition, or a 400 naming `definition/<JSON pointer>` of the bad part. */
export function definitionOrError(value: unknown): FlowDefinition {
  try {
    return checkDefinition(value);
  } catch (error) {
    if (error instanceof DefinitionError)
      throw new ApiError(
        'field_invalid',
        400,
        `Value of field 'definition' is not valid at ${error.pointer || '/'}: ${error.problem}.`,
        'fail',
        { field: `definition${error.pointer}` },
      );
    throw error;
  }
}

function checkTrigger(trigger: FlowTrigger | undefined): void {
  if (trigger?.type === 'keyword' && trigger.keywords.every((word) => word.trim() === ''))
    throw fieldInvalid('trigger.keywords', 'A keyword trigger needs at least one keyword.');
  if (trigger?.type === 'schedule' && (trigger.every_minutes === undefined) === (trigger.at === undefined))
    throw fieldInvalid('trigger', "A schedule trigger takes either 'every_minutes' or 'at' (HH:MM, Europe/Rome).");
  if (trigger?.type === 'event')
    for (const [index, type] of trigger.event_types.entries()) {
      if (!(EVENT_TYPES as readonly string[]).includes(type))
        throw fieldInvalid(
          `trigger.event_types.${index}`,
          `'${type}' is not an event type (docs/WEBHOOKS.md lists them).`,
        );
      if (SELF_CAUSED.test(type))
        throw fieldInvalid(
          `trigger.event_types.${index}`,
          `Flows cannot start on '${type}': their own runs commit it.`,
        );
    }
}

/** When a flow with this trigger next fires: null unless it is an active schedule. */
export function nextFireAt(trigger: FlowTrigger, active: boolean, now: Date): string | null {
  if (!active || trigger.type !== 'schedule') return null;
  if (trigger.at !== undefined) return nextRomeTimeOfDay(trigger.at, now);
  return new Date(now.getTime() + (trigger.every_minutes ?? 60) * 60_000).toISOString();
}

export function presentFlow(row: Selectable<FlowTable>): FlowRecord {
  return { ...row, trigger: JSON.parse(row.trigger) as FlowTrigger, active: row.active === 1 };
}

const LIVE_FLOW_COLUMNS = [
  'id',
  'client_id',
  'code',
  'name',
  'active',
  'trigger',
  'current_version',
  'next_fire_at',
  'deleted_at',
  'created_at',
  'updated_at',
] as const;

/** Creates a flow (`flow.created`), and its version 1 when a definition is given. */
export async function createFlow(db: Kysely<Database>, clientId: number, input: FlowInput): Promise<number> {
  const definition = input.definition === undefined ? undefined : definitionOrError(input.definition);
  checkTrigger(input.trigger);
  try {
    return await transact(db, (trx) => insertFlow(trx, clientId, input, definition));
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict(`A flow with code '${input.code}' exists already.`, 'code');
    throw error;
  }
}

/**
 * A flow's row, its version 1 when a definition is given, and `flow.created`, in the caller's transaction (a scenario
 * template creates its flow with itself). The definition and trigger are checked already.
 */
export async function insertFlow(
  trx: Tx,
  clientId: number,
  input: Omit<FlowInput, 'definition'>,
  definition: FlowDefinition | undefined,
): Promise<number> {
  const at = nowInstant();
  const { id } = await trx
    .insertInto('flow')
    .values({
      client_id: clientId,
      code: input.code,
      name: input.name,
      active: input.active === false ? 0 : 1,
      trigger: JSON.stringify(input.trigger ?? { type: 'request' }),
      current_version: definition === undefined ? null : 1,
      next_fire_at: nextFireAt(input.trigger ?? { type: 'request' }, input.active !== false, new Date()),
      created_at: at,
      updated_at: at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  if (definition !== undefined)
    await trx
      .insertInto('flow_version')
      .values({
        flow_id: id,
        client_id: clientId,
        version: 1,
        definition: JSON.stringify(definition),
        created_at: at,
      })
      .execute();
  await appendEvent(trx, {
    type: 'flow.created',
    clientId,
    subject: { type: 'flow', id },
    payload: { flowId: id, code: input.code },
    at,
  });
  return id;
}

/** A flow of the client by id, or 404. */
export async function loadFlow(db: Kysely<Database>, clientId: number, flowId: number): Promise<FlowRecord> {
  const row = await db
    .selectFrom('flow')
    .select(LIVE_FLOW_COLUMNS)
    .where('id', '=', flowId)
    .where('client_id', '=', clientId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  if (row === undefined) throw unknownResource('flow', flowId, 'flow_id');
  return presentFlow(row);
}

export async function listFlows(db: Kysely<Database>, clientId: number): Promise<FlowRecord[]> {
  const rows = await db
    .selectFrom('flow')
    .select(LIVE_FLOW_COLUMNS)
    .where('client_id', '=', clientId)
    .where('deleted_at', 'is', null)
    .orderBy('id')
    .execute();
  return rows.map(presentFlow);
}

/** Changes a flow's name, trigger or activity (`flow.updated`). */
export async function updateFlow(
  db: Kysely<Database>,
  clientId: number,
  flowId: number,
  change: FlowChange,
): Promise<void> {
  checkTrigger(change.trigger);
  const flow = await loadFlow(db, clientId, flowId);
  await transact(db, async (trx) => {
    const at = nowInstant();
    const changed = Object.keys(change).filter((name) => (change as Record<string, unknown>)[name] !== undefined);
    if (changed.length === 0) return;
    const trigger = change.trigger ?? flow.trigger;
    const active = change.active ?? flow.active;
    // A schedule starts counting from its change; a trigger or activity left alone keeps the planned firing.
    const rescheduled = change.trigger !== undefined || change.active !== undefined;
    await trx
      .updateTable('flow')
      .set({
        ...(change.name !== undefined && { name: change.name }),
        ...(change.trigger !== undefined && { trigger: JSON.stringify(change.trigger) }),
        ...(change.active !== undefined && { active: change.active ? 1 : 0 }),
        ...(rescheduled && { next_fire_at: nextFireAt(trigger, active, new Date()) }),
        updated_at: at,
      })
      .where('id', '=', flowId)
      .execute();
    await appendEvent(trx, {
      type: 'flow.updated',
      clientId,
      subject: { type: 'flow', id: flowId },
      payload: { flowId, code: flow.code, changed },
      at,
    });
  });
}

/** Publishes a new version of a flow's definition: new runs start on it, runs under way keep theirs. */
export async function publishVersion(
  db: Kysely<Database>,
  clientId: number,
  flowId: number,
  value: unknown,
): Promise<number> {
  const definition = definitionOrError(value);
  const flow = await loadFlow(db, clientId, flowId);
  return transact(db, (trx) => insertVersion(trx, clientId, flow, definition));
}

/** A flow's next version, made current, and `flow.updated`, in the caller's transaction; answers its number. */
export async function insertVersion(
  trx: Tx,
  clientId: number,
  flow: Pick<FlowRecord, 'id' | 'code'>,
  definition: FlowDefinition,
): Promise<number> {
  const at = nowInstant();
  const last = await trx
    .selectFrom('flow_version')
    .select((eb) => eb.fn.max('version').as('version'))
    .where('flow_id', '=', flow.id)
    .executeTakeFirst();
  const version = Number(last?.version ?? 0) + 1;
  await trx
    .insertInto('flow_version')
    .values({ flow_id: flow.id, client_id: clientId, version, definition: JSON.stringify(definition), created_at: at })
    .execute();
  await trx.updateTable('flow').set({ current_version: version, updated_at: at }).where('id', '=', flow.id).execute();
  await appendEvent(trx, {
    type: 'flow.updated',
    clientId,
    subject: { type: 'flow', id: flow.id },
    payload: { flowId: flow.id, code: flow.code, changed: ['current_version'] },
    at,
  });
  return version;
}

export async function listVersions(
  db: Kysely<Database>,
  clientId: number,
  flowId: number,
): Promise<Array<{ version: number; definition: FlowDefinition; created_at: string }>> {
  await loadFlow(db, clientId, flowId);
  const rows = await db
    .selectFrom('flow_version')
    .select(['version', 'definition', 'created_at'])
    .where('flow_id', '=', flowId)
    .orderBy('version')
    .execute();
  return rows.map((row) => ({ ...row, definition: JSON.parse(row.definition) as FlowDefinition }));
}

/**
 * Deletes a flow (`flow.deleted`): it disappears from the lists, never starts again, and its code is free for a new
 * flow; its runs and their history stay readable. Runs under way are refused (409, with their count) unless
 * `cancelRuns`, which cancels them in the same transaction.
 */
export async function deleteFlow(
  db: Kysely<Database>,
  clientId: number,
  flowId: number,
  options: { cancelRuns: boolean },
): Promise<{ cancelled: number }> {
  const flow = await loadFlow(db, clientId, flowId);
  return transact(db, async (trx) => {
    const underWay = await runsUnderWay(trx, flowId);
    if (underWay.length > 0 && !options.cancelRuns)
      throw conflict(
        `The flow '${flow.code}' has ${underWay.length} run(s) under way: let them end, or delete with cancel_runs=true.`,
        'cancel_runs',
      );
    return { cancelled: await retireFlow(trx, clientId, flow, `The flow '${flow.code}' was deleted.`) };
  });
}

function runsUnderWay(trx: Tx, flowId: number) {
  return trx
    .selectFrom('flow_run')
    .select(['id', 'client_id', 'flow_id', 'request_id', 'user_key'])
    .where('flow_id', '=', flowId)
    .where('state', 'in', ['running', 'waiting'])
    .execute();
}

/**
 * Deletes a flow in the caller's transaction: its runs under way are cancelled with `reason`, then `flow.deleted`;
 * answers how many runs were cancelled.
 */
export async function retireFlow(
  trx: Tx,
  clientId: number,
  flow: Pick<FlowRecord, 'id' | 'code'>,
  reason: string,
): Promise<number> {
  const at = nowInstant();
  const underWay = await runsUnderWay(trx, flow.id);
  for (const run of underWay) await endRun(trx, run, 'cancelled', reason);
  await trx
    .updateTable('flow')
    .set({ deleted_at: at, active: 0, next_fire_at: null, updated_at: at })
    .where('id', '=', flow.id)
    .where('deleted_at', 'is', null)
    .execute();
  await appendEvent(trx, {
    type: 'flow.deleted',
    clientId,
    subject: { type: 'flow', id: flow.id },
    payload: { flowId: flow.id, code: flow.code, cancelledRuns: underWay.length },
    at,
  });
  return underWay.length;
}
