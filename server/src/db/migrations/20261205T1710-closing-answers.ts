// Issue 21: the answers an operator gave to an installed app's conversation closing form (seed 003's conversation
// closing option), kept on the conversation as JSON `{ installation_id, app, answers: [{ id, label, value }] }`.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('conversation').addColumn('closing_answers', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('conversation').dropColumn('closing_answers').execute();
}
