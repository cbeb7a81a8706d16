// Queries behind an operator's live state: flags from the operator row, slots counted from unclosed conversations.
import type { Kysely } from 'kysely';
import { inIdOrder } from '../../db/paging.js';
import { type Database, type Flag, NOT_CLOSED } from '../../db/schema.js';
import { unknownResource } from '../../errors.js';
import { clientScope, type Principal } from '../tenancy/policy.js';
import { LIVE_CHANNELS, type LiveChannel } from './live-schema.js';

/** What the live view of one operator is built from. */
export interface OperatorLiveRecord {
  id: number;
  connected: Flag;
  chat_enabled: Flag;
  call_enabled: Flag;
  video_enabled: Flag;
  chat_max_number: number;
  chat_available: Flag;
  call_available: Flag;
  video_available: Flag;
  /** Conversations per channel assigned to the operator and not closed. */
  slots: Record<LiveChannel, number>;
}

const isLiveChannel = (channel: string): channel is LiveChannel =>
  (LIVE_CHANNELS as readonly string[]).includes(channel);

/** Loads the live state of visible, not deleted operators, in the order of `ids`. */
export async function loadOperatorLive(
  db: Kysely<Database>,
  principal: Principal,
  ids: number[],
): Promise<OperatorLiveRecord[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('operator')
    .select([
      'id',
      'connected',
      'chat_enabled',
      'call_enabled',
      'video_enabled',
      'chat_max_number',
      'chat_available',
      'call_available',
      'video_available',
    ])
    .where('id', 'in', ids)
    .where('deleted_at', 'is', null)
    .where(clientScope(principal, 'operator.client_id'))
    .execute();
  if (rows.length === 0) return [];
  // A slot is taken by any conversation the operator holds that is not closed: open, or waiting on the operator.
  const counts = await db
    .selectFrom('conversation')
    .select((eb) => ['operator_id', 'channel', eb.fn.countAll<number | string>().as('taken')])
    .where(
      'operator_id',
      'in',
      rows.map((row) => row.id),
    )
    .where('status', 'in', NOT_CLOSED)
    .groupBy(['operator_id', 'channel'])
    .execute();
  const records = rows.map((row) => {
    const slots: Record<LiveChannel, number> = { chat: 0, call: 0, video: 0 };
    for (const count of counts) {
      if (count.operator_id === row.id && isLiveChannel(count.channel)) slots[count.channel] = Number(count.taken);
    }
    return { ...row, slots };
  });
  return inIdOrder(ids, records);
}

/** The visible, not deleted operator with this id, or `Unknown 'operator' with 'id' N.` (404) as GET /operator/{id} answers. */
export async function findVisibleOperator(
  db: Kysely<Database>,
  principal: Principal,
  id: number,
): Promise<{ id: number; client_id: number }> {
  const row = await db
    .selectFrom('operator')
    .select(['id', 'client_id'])
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .where(clientScope(principal, 'operator.client_id'))
    .executeTakeFirst();
  if (row === undefined) throw unknownResource('operator', id);
  return row;
}
