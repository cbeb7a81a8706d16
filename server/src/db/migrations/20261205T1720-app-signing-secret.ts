// Issue 21: each app gets a signing secret (sealed, bound to the app), shown to its developer: every call Causerie
// makes to the app's connector (verification URLs, interactions) is signed with it as Standard Webhooks are, so a
// connector can tell Causerie's calls from anyone's.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('app').addColumn('signing_secret', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('app').dropColumn('signing_secret').execute();
}
