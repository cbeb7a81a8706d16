// Operator presence and availability per channel: the commands behind PUT /operator/{id}/live, v1 set(Un)Available/disconnect and the realtime layer.
//
// Invariant kept by every command here: available on a channel ⇒ connected ⇒ exactly one open presence_session.
// Each flag flips with a compare-and-set UPDATE (`… where flag = old`), so two concurrent requests cannot both
// open a session or both announce the same change: on PostgreSQL the second waits for the row lock and then finds
// nothing to update; on SQLite transactions run one at a time.
import type { Kysely, Transaction } from 'kysely';
import type { Database, OperatorUpdate } from '../../db/schema.js';
import { ApiError, fieldInvalid, unknownResource } from '../../errors.js';
import { appendEvent } from '../../events/append.js';
import { transact } from '../../events/transact.js';
import { nowInstant } from '../../time.js';
import { closeAvailability, openAvailability } from './history.js';
import { CONNECT_REFUSED, LIVE_CHANNELS, type LiveChannel } from './live-schema.js';

type Tx = Transaction<Database>;

/** A change of an operator's live state: availability per channel, or `connected: false` to disconnect. */
export interface LiveChange {
  chat?: boolean;
  call?: boolean;
  video?: boolean;
  connected?: false;
}

/** The body of PUT /operator/{id}/live, as validated by its schema. */
export interface LiveChangeBody {
  chat?: { available: boolean };
  call?: { available: boolean };
  video?: { available: boolean };
  connected?: boolean;
}

/** Reads a PUT /operator/{id}/live body: refuses `connected=1` and a body that asks for nothing. */
export function readLiveChange(body: LiveChangeBody): LiveChange {
  if (body.connected === true) throw fieldInvalid('connected', CONNECT_REFUSED);
  const change: LiveChange = {};
  for (const channel of LIVE_CHANNELS) {
    const given = body[channel];
    if (given !== undefined) change[channel] = given.available;
  }
  if (body.connected === false) change.connected = false;
  if (Object.keys(change).length === 0) {
    throw new ApiError(
      'field_missing',
      400,
      'Nothing to change. Send chat[available], call[available] or video[available] (1 or 0), or connected=0 to disconnect.',
    );
  }
  return change;
}

const AVAILABLE_COLUMN = { chat: 'chat_available', call: 'call_available', video: 'video_available' } as const;
const ENABLED_COLUMN = { chat: 'chat_enabled', call: 'call_enabled', video: 'video_enabled' } as const;

function availabilitySet(channel: LiveChannel, value: 0 | 1): OperatorUpdate {
  switch (channel) {
    case 'chat':
      return { chat_available: value };
    case 'call':
      return { call_available: value };
    case 'video':
      return { video_available: value };
  }
}

/** The operator's row inside the transaction, limited to the client; absent and deleted operators answer 404. */
async function liveOperator(trx: Tx, clientId: number, operatorId: number) {
  const row = await trx
    .selectFrom('operator')
    .select(['id', 'connected', 'chat_enabled', 'call_enabled', 'video_enabled'])
    .where('id', '=', operatorId)
    .where('client_id', '=', clientId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  if (row === undefined) throw unknownResource('operator', operatorId);
  return row;
}

/** Connects the operator if they are not (opens a presence session, `user.connected`); nothing when already connected. */
async function openPresence(trx: Tx, clientId: number, operatorId: number, at: string): Promise<void> {
  const flipped = await trx
    .updateTable('operator')
    .set({ connected: 1 })
    .where('id', '=', operatorId)
    .where('connected', '=', 0)
    .executeTakeFirst();
  if (Number(flipped.numUpdatedRows) === 0) return;
  const { id: sessionId } = await trx
    .insertInto('presence_session')
    .values({ client_id: clientId, operator_id: operatorId, started_at: at, ended_at: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  await appendEvent(trx, {
    type: 'user.connected',
    clientId,
    subject: { type: 'operator', id: operatorId },
    payload: { userId: operatorId, operatorId, sessionId },
    at,
  });
}

/**
 * Sets one channel's availability inside the caller's transaction; writes (with its availability interval) and
 * announces (`user.availability_changed`) only a real change.
 */
export async function setAvailability(
  trx: Tx,
  clientId: number,
  operatorId: number,
  channel: LiveChannel,
  available: boolean,
  at: string,
): Promise<void> {
  const column = AVAILABLE_COLUMN[channel];
  const flipped = await trx
    .updateTable('operator')
    .set(availabilitySet(channel, available ? 1 : 0))
    .where('id', '=', operatorId)
    .where(column, '=', available ? 0 : 1)
    .executeTakeFirst();
  if (Number(flipped.numUpdatedRows) === 0) return;
  if (available) await openAvailability(trx, { clientId, operatorId, channel, at });
  else await closeAvailability(trx, operatorId, at, [channel]);
  await appendEvent(trx, {
    type: 'user.availability_changed',
    clientId,
    subject: { type: 'operator', id: operatorId },
    payload: { userId: operatorId, operatorId, channel, available },
    at,
  });
}

/** Inside the caller's transaction: makes the operator unavailable everywhere, then disconnects them (closes the open session, `user.disconnected`). */
export async function closePresence(trx: Tx, clientId: number, operatorId: number, at: string): Promise<void> {
  for (const channel of LIVE_CHANNELS) await setAvailability(trx, clientId, operatorId, channel, false, at);
  // Whatever the flags said, a disconnected operator is available nowhere: no interval may stay open.
  await closeAvailability(trx, operatorId, at);
  const flipped = await trx
    .updateTable('operator')
    .set({ connected: 0 })
    .where('id', '=', operatorId)
    .where('connected', '=', 1)
    .executeTakeFirst();
  if (Number(flipped.numUpdatedRows) === 0) return;
  const open = await trx
    .selectFrom('presence_session')
    .select('id')
    .where('operator_id', '=', operatorId)
    .where('ended_at', 'is', null)
    .orderBy('id', 'desc')
    .execute();
  if (open.length > 0) {
    await trx
      .updateTable('presence_session')
      .set({ ended_at: at })
      .where(
        'id',
        'in',
        open.map((session) => session.id),
      )
      .execute();
  }
  await appendEvent(trx, {
    type: 'user.disconnected',
    clientId,
    subject: { type: 'operator', id: operatorId },
    payload: { userId: operatorId, operatorId, sessionId: open[0]?.id ?? null },
    at,
  });
}

/**
 * Applies a live change in one transaction with its events. Making a channel available the operator
 * cannot process is refused (400 naming `chat[available]` …); making one available on a disconnected
 * operator connects them first. `connected: false` clears every availability and disconnects.
 * Values that are already in place write nothing and announce nothing.
 */
export async function changeOperatorLive(
  db: Kysely<Database>,
  clientId: number,
  operatorId: number,
  change: LiveChange,
): Promise<void> {
  const wanted = LIVE_CHANNELS.filter((channel) => change[channel] === true);
  if (change.connected === false && wanted.length > 0) {
    throw fieldInvalid(
      'connected',
      `An operator cannot be disconnected and made available for ${wanted.join(', ')} at once.`,
    );
  }
  const at = nowInstant();
  await transact(db, async (trx) => {
    const operator = await liveOperator(trx, clientId, operatorId);
    for (const channel of wanted) {
      if (operator[ENABLED_COLUMN[channel]] !== 1) {
        throw fieldInvalid(
          `${channel}[available]`,
          `The operator cannot process ${channel} (${ENABLED_COLUMN[channel]} is false); enable it with PUT /operator/${operatorId} first.`,
        );
      }
    }
    if (wanted.length > 0) await openPresence(trx, clientId, operatorId, at);
    for (const channel of LIVE_CHANNELS) {
      const available = change[channel];
      if (available !== undefined) await setAvailability(trx, clientId, operatorId, channel, available, at);
    }
    if (change.connected === false) await closePresence(trx, clientId, operatorId, at);
  });
}

/** Connects an operator (console login, realtime socket): opens a presence session and emits `user.connected`; nothing if already connected. */
export async function connectOperator(db: Kysely<Database>, clientId: number, operatorId: number): Promise<void> {
  const at = nowInstant();
  await transact(db, async (trx) => {
    await liveOperator(trx, clientId, operatorId);
    await openPresence(trx, clientId, operatorId, at);
  });
}

/** Disconnects an operator: unavailable on every channel, session closed, `user.disconnected`; nothing if already disconnected. */
export async function disconnectOperator(db: Kysely<Database>, clientId: number, operatorId: number): Promise<void> {
  await changeOperatorLive(db, clientId, operatorId, { connected: false });
}
