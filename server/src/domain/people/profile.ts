// An operator's public profile (GET/PUT /operator/{id}/profile): one optional operator_profile row, upserted.
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { unknownResource } from '../../errors.js';
import { appendEvent } from '../../events/append.js';
import { transact } from '../../events/transact.js';
import { nowInstant } from '../../time.js';
import { PROFILE_FIELDS, type ProfileField } from './live-schema.js';

export type OperatorProfile = { user_id: number } & Record<ProfileField, string | null>;
export type ProfileInput = Partial<Record<ProfileField, string | null>>;

const EMPTY_PROFILE: Record<ProfileField, null> = {
  status: null,
  description: null,
  facebook: null,
  twitter: null,
  city: null,
  country: null,
};

/** The operator's profile; every field null when it was never set. */
export async function loadOperatorProfile(db: Kysely<Database>, operatorId: number): Promise<OperatorProfile> {
  const row = await db
    .selectFrom('operator_profile')
    .select(PROFILE_FIELDS)
    .where('operator_id', '=', operatorId)
    .executeTakeFirst();
  return { user_id: operatorId, ...EMPTY_PROFILE, ...row };
}

/** Text as stored: trimmed, and empty (or blank) means "not set". */
function normalise(value: string | null): string | null {
  const text = value?.trim() ?? '';
  return text === '' ? null : text;
}

/**
 * Changes the fields given (`user.profile_updated`, listing which changed). Fields left out keep their
 * value; values equal to the stored ones write nothing and emit nothing.
 */
export async function updateOperatorProfile(
  db: Kysely<Database>,
  clientId: number,
  operatorId: number,
  input: ProfileInput,
): Promise<void> {
  const at = nowInstant();
  await transact(db, async (trx) => {
    const operator = await trx
      .selectFrom('operator')
      .select('id')
      .where('id', '=', operatorId)
      .where('client_id', '=', clientId)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    if (operator === undefined) throw unknownResource('operator', operatorId);
    const stored = await trx
      .selectFrom('operator_profile')
      .select(PROFILE_FIELDS)
      .where('operator_id', '=', operatorId)
      .executeTakeFirst();
    const current: Record<ProfileField, string | null> = { ...EMPTY_PROFILE, ...stored };
    const changes: ProfileInput = {};
    for (const field of PROFILE_FIELDS) {
      const given = input[field];
      if (given === undefined) continue;
      const value = normalise(given);
      if (value !== current[field]) changes[field] = value;
    }
    const changed = Object.keys(changes);
    if (changed.length === 0) return;
    // An upsert, so two first writes at once cannot collide on the primary key (ON CONFLICT works on both dialects).
    await trx
      .insertInto('operator_profile')
      .values({ operator_id: operatorId, ...current, ...changes, updated_at: at })
      .onConflict((conflict) => conflict.column('operator_id').doUpdateSet({ ...changes, updated_at: at }))
      .execute();
    await appendEvent(trx, {
      type: 'user.profile_updated',
      clientId,
      subject: { type: 'operator', id: operatorId },
      payload: { userId: operatorId, operatorId, changed },
      at,
    });
  });
}
