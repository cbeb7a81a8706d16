// Operators' SSO keys become secrets kept as a hash: the `sso_key` column is renamed `sso_key_hash` and every stored
// plaintext key is replaced by its SHA-256 (hex), so existing SSO links keep working and the table no longer holds them.
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';

/** The operator table as this migration sees it (migrations must not follow later changes of db/schema.ts). */
interface Before {
  operator: { id: number; sso_key_hash: string };
}

const BATCH = 500;

/** The same digest as domain/people/sso-keys.ts, written out so the migration never changes with that module. */
const sha256Hex = (value: string): string => createHash('sha256').update(value.trim()).digest('hex');

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('operator_sso_key_uq').execute();
  await db.schema.alterTable('operator').renameColumn('sso_key', 'sso_key_hash').execute();
  const typed = db as unknown as Kysely<Before>;
  // In id order and by batches, so a large operator table never sits in memory at once.
  for (let after = 0; ; ) {
    const rows = await typed
      .selectFrom('operator')
      .select(['id', 'sso_key_hash'])
      .where('id', '>', after)
      .orderBy('id')
      .limit(BATCH)
      .execute();
    for (const row of rows)
      await typed
        .updateTable('operator')
        .set({ sso_key_hash: sha256Hex(row.sso_key_hash) })
        .where('id', '=', row.id)
        .execute();
    const last = rows.at(-1);
    if (last === undefined || rows.length < BATCH) break;
    after = last.id;
  }
  await db.schema.createIndex('operator_sso_key_hash_uq').on('operator').column('sso_key_hash').unique().execute();
}

/**
 * Hashes cannot be turned back into keys: going down keeps the column's values (they no longer open a session) under
 * the old name, and managers issue new keys (POST /api/2/operator/{id}/sso_key) once they are up again.
 */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('operator_sso_key_hash_uq').execute();
  await db.schema.alterTable('operator').renameColumn('sso_key_hash', 'sso_key').execute();
  await db.schema.createIndex('operator_sso_key_uq').on('operator').column('sso_key').unique().execute();
}
