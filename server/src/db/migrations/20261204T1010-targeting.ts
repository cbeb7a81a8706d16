// Targeting rules (issue 17 §2): the rules a website's widget evaluates in the page, their hourly display and trigger
// counters (one row per website × hour × channel × rule × page type, added to), and each conversation's contact type.
import type { Kysely } from 'kysely';
import { dialectOf, withIdColumn } from '../dialect.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  const dialect = dialectOf(db);

  await withIdColumn(dialect, db.schema.createTable('targeting_rule'))
    .addColumn('client_id', 'integer', (c) => c.notNull().references('client.id'))
    .addColumn('website_id', 'integer', (c) => c.notNull().references('website.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('priority', 'integer', (c) => c.notNull())
    // JSON text: `{"match": "all"|"any", "list": [{"type", "operator", "value"}]}`, checked by the API.
    .addColumn('conditions', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('invitation_message', 'text')
    .addColumn('invitation_delay_seconds', 'integer')
    // A deleted group or skill leaves the rule routing to the whole website rather than blocking the deletion.
    .addColumn('group_id', 'integer', (c) => c.references('operator_group.id').onDelete('set null'))
    .addColumn('skill_id', 'integer', (c) => c.references('skill.id').onDelete('set null'))
    .addColumn('only_when_available', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('deleted_at', 'text')
    .execute();
  // The widget's configuration reads a website's rules; the API lists a client's.
  await db.schema
    .createIndex('targeting_rule_website_idx')
    .on('targeting_rule')
    .columns(['website_id', 'status'])
    .execute();
  await db.schema.createIndex('targeting_rule_client_idx').on('targeting_rule').column('client_id').execute();

  // Hourly rollups the statistics engine reads directly: beacons add to a row, never insert one per display.
  await db.schema
    .createTable('targeting_rule_counter')
    .addColumn('client_id', 'integer', (c) => c.notNull().references('client.id'))
    .addColumn('website_id', 'integer', (c) => c.notNull().references('website.id'))
    .addColumn('hour', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('rule_id', 'integer', (c) => c.notNull())
    .addColumn('page_type', 'text', (c) => c.notNull())
    .addColumn('displays', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('triggers', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('withheld_busy', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('withheld_offline', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('targeting_rule_counter_pk', ['website_id', 'hour', 'channel', 'rule_id', 'page_type'])
    .execute();
  await db.schema
    .createIndex('targeting_rule_counter_client_hour_idx')
    .on('targeting_rule_counter')
    .columns(['client_id', 'hour'])
    .execute();

  // Who started each conversation: existing ones were all started by their visitor or imported as such.
  await db.schema
    .alterTable('conversation')
    .addColumn('contact_type', 'text', (c) => c.notNull().defaultTo('visitor'))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('conversation').dropColumn('contact_type').execute();
  await db.schema.dropTable('targeting_rule_counter').execute();
  await db.schema.dropTable('targeting_rule').execute();
}
