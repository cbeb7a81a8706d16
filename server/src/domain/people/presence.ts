// Operator presence and availability per channel (to be built): the commands behind PUT /operator/{id}/live and v1 set(Un)Available/disconnect.
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';

/** A change of an operator's live state: availability per channel, or `connected: false` to disconnect. */
export interface LiveChange {
  chat?: boolean;
  call?: boolean;
  video?: boolean;
  connected?: false;
}

/** Applies a live change in one transaction with its events. */
export async function changeOperatorLive(_db: Kysely<Database>, _clientId: number, _operatorId: number, _change: LiveChange): Promise<void> {
  throw new Error('changeOperatorLive is not built yet');
}
