// Routing's queries: operators who may take conversations (read under lock), loads, waiting queues, wait history.
import type { ExpressionBuilder, Kysely, Transaction } from 'kysely';
import type { ConversationChannel, ConversationOutcome, Database, RoutingStrategy } from '../../db/schema.js';
import { fieldInvalid, unknownResource } from '../../errors.js';
import { LIVE_CHANNELS, type LiveChannel } from '../people/live-schema.js';
import { type ChannelState, channelCapacity, type OperatorState, WAIT_HISTORY_MS } from './algorithm.js';
import { type LockMode, lockRows } from './locks.js';

type Tx = Transaction<Database>;

const CHANNEL_COLUMNS = {
  chat: { enabled: 'operator.chat_enabled', available: 'operator.chat_available' },
  call: { enabled: 'operator.call_enabled', available: 'operator.call_available' },
  video: { enabled: 'operator.video_enabled', available: 'operator.video_available' },
} as const;

/** Which operators a routing decision looks at. */
export interface OperatorFilter {
  websiteId: number;
  /** Operators ready (enabled and available) on at least one of these channels. */
  channels: readonly LiveChannel[];
  /** Only operators linked to this skill (null or absent: any). */
  skillId?: number | null;
  /** Only members of this group. */
  groupId?: number;
  /** Only these operators. */
  operatorIds?: readonly number[];
}

/** Connected, not deleted, linked to the website and ready on one of the channels: rule 1 without the slot condition. */
function whereReady(eb: ExpressionBuilder<Database, 'operator'>, filter: OperatorFilter) {
  const conditions = [
    eb('operator.deleted_at', 'is', null),
    eb('operator.connected', '=', 1),
    eb.exists(
      eb
        .selectFrom('operator_website')
        .select('operator_website.operator_id')
        .whereRef('operator_website.operator_id', '=', 'operator.id')
        .where('operator_website.website_id', '=', filter.websiteId),
    ),
    eb.or(
      filter.channels.map((channel) =>
        eb.and([eb(CHANNEL_COLUMNS[channel].enabled, '=', 1), eb(CHANNEL_COLUMNS[channel].available, '=', 1)]),
      ),
    ),
  ];
  if (filter.skillId != null) {
    const skillId = filter.skillId;
    conditions.push(
      eb.exists(
        eb
          .selectFrom('operator_skill')
          .select('operator_skill.operator_id')
          .whereRef('operator_skill.operator_id', '=', 'operator.id')
          .where('operator_skill.skill_id', '=', skillId),
      ),
    );
  }
  if (filter.groupId !== undefined) conditions.push(eb('operator.group_id', '=', filter.groupId));
  if (filter.operatorIds !== undefined)
    conditions.push(eb('operator.id', 'in', filter.operatorIds.length > 0 ? [...filter.operatorIds] : [0]));
  return eb.and(conditions);
}

/** How many operators the filter admits now (no lock): presence checks and wait estimates. */
export async function countReadyOperators(db: Kysely<Database>, filter: OperatorFilter): Promise<number> {
  const row = await db
    .selectFrom('operator')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where((eb) => whereReady(eb, filter))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * The operators the filter admits, with their loads, read while their rows are locked (PostgreSQL): the ids are
 * found, locked in id order (one fixed order, so two routing transactions never wait on each other crosswise), then
 * read again with the same conditions — after the locks, so every assignment committed before is counted.
 */
export async function lockedOperatorStates(trx: Tx, filter: OperatorFilter): Promise<OperatorState[]> {
  const found = await trx
    .selectFrom('operator')
    .select('operator.id')
    .where((eb) => whereReady(eb, filter))
    .execute();
  if (found.length === 0) return [];
  const ids = found.map((row) => row.id);
  await lockRows(trx, trx.selectFrom('operator').select('id').where('id', 'in', ids).orderBy('id'), 'wait').execute();
  const rows = await trx
    .selectFrom('operator')
    .select([
      'operator.id',
      'operator.group_id',
      'operator.last_assigned_at',
      'operator.chat_max_number',
      'operator.chat_enabled',
      'operator.chat_available',
      'operator.chat_priority',
      'operator.call_enabled',
      'operator.call_available',
      'operator.call_priority',
      'operator.video_enabled',
      'operator.video_available',
      'operator.video_priority',
    ])
    .where((eb) => whereReady(eb, { ...filter, operatorIds: ids }))
    .orderBy('operator.id')
    .execute();
  if (rows.length === 0) return [];
  const lockedIds = rows.map((row) => row.id);
  const skills = await trx
    .selectFrom('operator_skill')
    .select(['operator_id', 'skill_id'])
    .where('operator_id', 'in', lockedIds)
    .execute();
  const loads = await loadsOf(trx, lockedIds);
  return rows.map((row) => {
    const channel = (name: LiveChannel, enabled: number, available: number, priority: number): ChannelState => ({
      ready: enabled === 1 && available === 1,
      priority,
      load: loads.get(`${row.id}:${name}`) ?? 0,
      capacity: channelCapacity(name, row.chat_max_number),
    });
    return {
      id: row.id,
      groupId: row.group_id,
      lastAssignedAt: row.last_assigned_at,
      skills: new Set(skills.filter((link) => link.operator_id === row.id).map((link) => link.skill_id)),
      channels: {
        chat: channel('chat', row.chat_enabled, row.chat_available, row.chat_priority),
        call: channel('call', row.call_enabled, row.call_available, row.call_priority),
        video: channel('video', row.video_enabled, row.video_available, row.video_priority),
      },
      assignedInRun: 0,
    };
  });
}

/** Conversations waiting or open per operator and channel, keyed `operatorId:channel`. */
export async function loadsOf(db: Kysely<Database>, operatorIds: readonly number[]): Promise<Map<string, number>> {
  const loads = new Map<string, number>();
  if (operatorIds.length === 0) return loads;
  const rows = await db
    .selectFrom('conversation')
    .select(['operator_id', 'channel', (eb) => eb.fn.countAll<number>().as('n')])
    .where('operator_id', 'in', [...operatorIds])
    .where('status', 'in', ['waiting', 'open'])
    .groupBy(['operator_id', 'channel'])
    .execute();
  for (const row of rows) loads.set(`${row.operator_id}:${row.channel}`, Number(row.n));
  return loads;
}

/** The columns routing reads and writes of a conversation. */
export interface RoutedConversation {
  id: number;
  client_id: number;
  website_id: number;
  channel: ConversationChannel;
  visitor_id: number;
  operator_id: number | null;
  skill_id: number | null;
  status: 'waiting' | 'open' | 'closed';
  created_at: string;
  queued_at: string | null;
  assigned_at: string | null;
  wait_ms: number | null;
  outcome: ConversationOutcome | null;
}

const ROUTED_COLUMNS = [
  'id',
  'client_id',
  'website_id',
  'channel',
  'visitor_id',
  'operator_id',
  'skill_id',
  'status',
  'created_at',
  'queued_at',
  'assigned_at',
  'wait_ms',
  'outcome',
] as const;

/** One conversation, optionally locked (waits for a concurrent writer on PostgreSQL); 404 when absent. */
export async function routedConversation(
  trx: Tx,
  conversationId: number,
  options: { lock?: boolean } = {},
): Promise<RoutedConversation> {
  const query = trx.selectFrom('conversation').select(ROUTED_COLUMNS).where('id', '=', conversationId);
  const row = await (options.lock ? lockRows(trx, query, 'wait') : query).executeTakeFirst();
  if (!row) throw unknownResource('conversation', conversationId);
  return row;
}

/** The live channels, as the channels a conversation may have. */
export function isLiveChannel(channel: string): channel is LiveChannel {
  return (LIVE_CHANNELS as readonly string[]).includes(channel);
}

/** Longest queue a single serving pass reads; a longer one is served by the next pass. */
export const SERVE_BATCH = 500;

/** The waiting conversations of a website's queue in queue order; `skip_locked` leaves out those another node is serving. */
export async function queuedConversations(
  trx: Tx,
  websiteId: number,
  channels: readonly LiveChannel[],
  lock: LockMode | 'none',
): Promise<RoutedConversation[]> {
  if (channels.length === 0) return [];
  const query = trx
    .selectFrom('conversation')
    .select(ROUTED_COLUMNS)
    .where('website_id', '=', websiteId)
    .where('status', '=', 'waiting')
    .where('operator_id', 'is', null)
    .where('queued_at', 'is not', null)
    .where('channel', 'in', [...channels])
    .orderBy('queued_at')
    .orderBy('id')
    .limit(SERVE_BATCH);
  return (lock === 'none' ? query : lockRows(trx, query, lock)).execute();
}

/** Whether anything waits in a website's queue on these channels (no lock). */
export async function hasQueue(
  db: Kysely<Database>,
  websiteId: number,
  channels: readonly LiveChannel[],
): Promise<boolean> {
  if (channels.length === 0) return false;
  const row = await db
    .selectFrom('conversation')
    .select('id')
    .where('website_id', '=', websiteId)
    .where('status', '=', 'waiting')
    .where('operator_id', 'is', null)
    .where('queued_at', 'is not', null)
    .where('channel', 'in', [...channels])
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Average `wait_ms` of the website's conversations assigned after queueing since `now` − 24 h; null without any.
 * A conversation transferred back to the queue and served again keeps its first wait.
 */
export async function meanQueueWait(db: Kysely<Database>, websiteId: number, now: Date): Promise<number | null> {
  const since = new Date(now.getTime() - WAIT_HISTORY_MS).toISOString();
  const row = await db
    .selectFrom('conversation')
    .select((eb) => eb.fn.avg<number | string | null>('wait_ms').as('mean'))
    .where('website_id', '=', websiteId)
    .where('queued_at', 'is not', null)
    .where('assigned_at', '>=', since)
    // Given an operator after it queued; one sent back to the queue by a transfer waits again and is left out.
    .where((eb) => eb('assigned_at', '>=', eb.ref('queued_at')))
    .where('status', '!=', 'waiting')
    .where('wait_ms', 'is not', null)
    .executeTakeFirst();
  // PostgreSQL answers avg() as numeric text.
  return row?.mean == null ? null : Number(row.mean);
}

/** The website a live conversation starts on, with its client and strategy; 404 when absent. */
export async function routingWebsite(
  db: Kysely<Database>,
  websiteId: number,
): Promise<{ id: number; client_id: number; routing_strategy: RoutingStrategy | null }> {
  const website = await db
    .selectFrom('website')
    .select(['id', 'client_id', 'routing_strategy'])
    .where('id', '=', websiteId)
    .executeTakeFirst();
  if (!website) throw unknownResource('website', websiteId);
  return website;
}

/** Rejects a skill of another client (or none), naming the field. */
export async function assertSkillOfClient(
  db: Kysely<Database>,
  skillId: number,
  clientId: number,
  field = 'skill_id',
): Promise<void> {
  const skill = await db
    .selectFrom('skill')
    .select('id')
    .where('id', '=', skillId)
    .where('client_id', '=', clientId)
    .executeTakeFirst();
  if (!skill) throw fieldInvalid(field, `Unknown 'skill' with 'id' ${skillId}.`);
}
