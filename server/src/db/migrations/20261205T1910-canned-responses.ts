// Issue 22 §1: canned responses, a client's shared ones (managed by its admins) and each operator's personal ones,
// with a shortcut code unique per owner whatever its case, a body with variables, an optional website and attachments.
import { type Kysely, sql } from 'kysely';
import { dialectOf, withIdColumn } from '../dialect.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  const dialect = dialectOf(db);
  await withIdColumn(dialect, db.schema.createTable('canned_response'))
    .addColumn('client_id', 'integer', (c) => c.notNull().references('client.id'))
    .addColumn('scope', 'text', (c) => c.notNull())
    // The owner of a personal response; null for a shared one. A deleted operator's responses go with them.
    .addColumn('operator_id', 'integer', (c) => c.references('operator.id').onDelete('cascade'))
    // 0 for shared responses, else the owner: what the unique index below keys on (null would never collide).
    .addColumn('owner_key', 'integer', (c) => c.notNull())
    .addColumn('shortcut', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    // Usable on this website only; null: on every website of the client.
    .addColumn('website_id', 'integer', (c) => c.references('website.id'))
    // JSON text: a list of attachment URLs.
    .addColumn('attachments', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  // The last guard of "unique per owner, case-insensitive" (the command checks first, to answer 409 naming the field).
  await sql`create unique index canned_response_shortcut_idx on canned_response (client_id, owner_key, lower(shortcut))`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('canned_response').execute();
}
